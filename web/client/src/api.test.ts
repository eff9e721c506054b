import { describe, expect, it, vi } from 'vitest';
import { ApiError, DEFAULT_TIMEOUT_MS, createApi, isApiError } from './api';
import { fakeFetch, hangUntilAborted, jsonResponse } from './test-fakes';

function setup(token: string | null = 'jwt') {
  const fetch = fakeFetch();
  const onUnauthorized = vi.fn();
  const api = createApi({ baseUrl: '/base', getToken: () => token, onUnauthorized, fetch });
  return { api, fetch, onUnauthorized };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('createApi', () => {
  it('returns the parsed body, the status and the ETag', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => jsonResponse(200, { id: 'e1', version: 3 }, { ETag: '"3"' }));

    const res = await api.get<{ id: string }>('/api/events/e1');

    expect(res).toEqual({ status: 200, data: { id: 'e1', version: 3 }, etag: '"3"' });
    expect(fetch.mock.calls[0][0]).toBe('/base/api/events/e1');
    expect(fetch.mock.calls[0][1]?.method).toBe('GET');
    expect(fetch.headersOf(0).Authorization).toBe('Bearer jwt');
    expect(fetch.headersOf(0)['Content-Type']).toBeUndefined();
  });

  it('sends no Authorization header without a token', async () => {
    const { api, fetch } = setup(null);
    fetch.answer(() => jsonResponse(200, []));
    await api.get('/api/events');
    expect(fetch.headersOf(0).Authorization).toBeUndefined();
  });

  it('sends If-None-Match and answers a 304 with data null', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => new Response(null, { status: 304, headers: { ETag: '"l-abc"' } }));

    const res = await api.get('/api/events', { ifNoneMatch: '"l-abc"' });

    expect(fetch.headersOf(0)['If-None-Match']).toBe('"l-abc"');
    expect(res).toEqual({ status: 304, data: null, etag: '"l-abc"' });
  });

  it('sends Idempotency-Key, If-Match (a version becomes its ETag) and the JSON body on a POST', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => jsonResponse(201, { id: 'b1' }));

    const res = await api.post('/api/events/e1/bookings', { seats: 2 }, { idempotencyKey: 'k-1', ifMatch: 4 });

    const [, init] = fetch.mock.calls[0];
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"seats":2}');
    expect(fetch.headersOf(0)).toMatchObject({
      'Content-Type': 'application/json',
      'Idempotency-Key': 'k-1',
      'If-Match': '"4"',
    });
    expect(res.status).toBe(201);
  });

  it('sends If-Match as given on a PUT, and nothing for a POST without options', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => jsonResponse(200, {}));
    fetch.answer(() => new Response(null, { status: 204 }));

    await api.put('/api/events/e1', { title: 'x' }, { ifMatch: 'W/"7"' });
    const res = await api.post('/api/notifications/read-all');

    expect(fetch.headersOf(0)['If-Match']).toBe('W/"7"');
    expect(fetch.mock.calls[0][1]?.method).toBe('PUT');
    expect(fetch.headersOf(1)).not.toHaveProperty('If-Match');
    expect(fetch.headersOf(1)).not.toHaveProperty('Idempotency-Key');
    expect(fetch.mock.calls[1][1]?.body).toBeUndefined();
    expect(res).toEqual({ status: 204, data: null, etag: null });
  });

  it('uses DELETE for del', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => jsonResponse(200, { id: 'b1', status: 'CANCELLED' }));
    await api.del('/api/bookings/b1');
    expect(fetch.mock.calls[0][1]?.method).toBe('DELETE');
  });

  it('throws an ApiError built from a problem+json body, with its field errors', async () => {
    const { api, fetch, onUnauthorized } = setup();
    const problem = {
      type: 'https://eventline.dev/problems/validation',
      title: 'Bad request',
      status: 400,
      detail: 'the event is not valid',
      errors: [{ field: 'title', message: 'must not be blank' }],
    };
    fetch.answer(() => jsonResponse(400, problem));

    const e = await rejection(api.post('/api/events', { title: '' }));

    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect(err.status).toBe(400);
    expect(err.message).toBe('the event is not valid');
    expect(err.problem).toEqual(problem);
    expect(err.problem.errors).toEqual([{ field: 'title', message: 'must not be blank' }]);
    expect(isApiError(err, 400, 409)).toBe(true);
    expect(isApiError(err, 412)).toBe(false);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('uses the title when the problem has no detail', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => jsonResponse(412, { title: 'Precondition failed', status: 412 }));
    const err = (await rejection(api.put('/api/events/e1', {}, { ifMatch: 1 }))) as ApiError;
    expect(err.status).toBe(412);
    expect(err.message).toBe('Precondition failed');
  });

  it('throws an ApiError from the status line when the body is not JSON', async () => {
    const { api, fetch } = setup();
    fetch.answer(
      () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'Content-Type': 'text/html' },
        }),
    );

    const err = (await rejection(api.get('/api/events'))) as ApiError;

    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(502);
    expect(err.message).toBe('Bad Gateway');
    expect(err.problem).toEqual({ status: 502, title: 'Bad Gateway' });
  });

  it('names the status when there is neither a body nor a status text', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => new Response(null, { status: 500 }));
    const err = (await rejection(api.get('/api/events'))) as ApiError;
    expect(err.message).toBe('HTTP 500');
    expect(err.problem.status).toBe(500);
  });

  it('calls onUnauthorized on a 401, then throws', async () => {
    const { api, fetch, onUnauthorized } = setup();
    fetch.answer(() => jsonResponse(401, { status: 401, title: 'Unauthorized', detail: 'the token has expired' }));

    const err = await rejection(api.get('/api/events/mine'));

    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(isApiError(err, 401)).toBe(true);
  });

  it('lets a network error through as it is', async () => {
    const { api, fetch } = setup();
    fetch.answer(() => Promise.reject(new TypeError('Failed to fetch')));
    const err = await rejection(api.get('/api/events'));
    expect(err).toBeInstanceOf(TypeError);
    expect(isApiError(err)).toBe(false);
  });

  describe('an asynchronous token (an OIDC library refreshing it)', () => {
    it('waits for the token, and reads it again for every call', async () => {
      const fetch = fakeFetch();
      let n = 0;
      const api = createApi({ getToken: () => Promise.resolve(`refreshed-${++n}`), fetch });
      fetch.answer(() => jsonResponse(200, {}));
      fetch.answer(() => jsonResponse(200, {}));

      await api.get('/api/a');
      await api.get('/api/b');

      expect(fetch.headersOf(0).Authorization).toBe('Bearer refreshed-1');
      expect(fetch.headersOf(1).Authorization).toBe('Bearer refreshed-2');
    });

    it('rejects with the token source\'s error, and sends nothing', async () => {
      const fetch = fakeFetch();
      const api = createApi({ getToken: () => Promise.reject(new Error('login required')), fetch });
      expect(((await rejection(api.get('/api/a'))) as Error).message).toBe('login required');
      expect(fetch).not.toHaveBeenCalled();
    });
  });

  describe('cancelling and timeouts', () => {
    it('passes a signal to fetch, and an abort rejects the call with the abort\'s reason', async () => {
      const { api, fetch } = setup();
      fetch.answer(hangUntilAborted);
      const controller = new AbortController();

      const call = api.get('/api/slow', { signal: controller.signal });
      await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
      expect(fetch.mock.calls[0][1]?.signal).toBeInstanceOf(AbortSignal);
      controller.abort();

      expect(((await rejection(call)) as DOMException).name).toBe('AbortError');
    });

    it('an already aborted signal sends nothing', async () => {
      const { api, fetch } = setup();
      const e = await rejection(api.post('/api/x', {}, { signal: AbortSignal.abort() }));
      expect((e as DOMException).name).toBe('AbortError');
      expect(fetch).not.toHaveBeenCalled();
    });

    it('times out after 30 s by default, with a TimeoutError', async () => {
      vi.useFakeTimers();
      try {
        const { api, fetch } = setup();
        fetch.answer(hangUntilAborted);
        const call = rejection(api.get('/api/slow'));
        await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - 1);
        expect(fetch.mock.calls[0][1]?.signal?.aborted).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        expect(((await call) as DOMException).name).toBe('TimeoutError');
      } finally {
        vi.useRealTimers();
      }
    });

    it('takes its timeout from the options, and per call', async () => {
      vi.useFakeTimers();
      try {
        const fetch = fakeFetch();
        const api = createApi({ getToken: () => 'jwt', fetch, timeoutMs: 1_000 });
        fetch.answer(hangUntilAborted);
        fetch.answer(hangUntilAborted);
        const byOptions = rejection(api.get('/api/a'));
        const byCall = rejection(api.get('/api/b', { timeoutMs: 200 }));
        await vi.advanceTimersByTimeAsync(200);
        expect(((await byCall) as DOMException).name).toBe('TimeoutError');
        expect(fetch.mock.calls[0][1]?.signal?.aborted).toBe(false);
        await vi.advanceTimersByTimeAsync(800);
        expect(((await byOptions) as DOMException).name).toBe('TimeoutError');
      } finally {
        vi.useRealTimers();
      }
    });

    it('bounds a token source that never answers too', async () => {
      vi.useFakeTimers();
      try {
        const fetch = fakeFetch();
        const api = createApi({ getToken: () => new Promise<string>(() => {}), fetch, timeoutMs: 500 });
        const call = rejection(api.get('/api/a'));
        await vi.advanceTimersByTimeAsync(500);
        expect(((await call) as DOMException).name).toBe('TimeoutError');
        expect(fetch).not.toHaveBeenCalled();
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
