import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff';
import { RecentIds } from './recent';
import { isEventRecord, isUnknownRecord, type RecordType, type StreamRecord } from './records';
import { connect } from './shared';
import type { ConnectionState, StreamOptions } from './stream';
import { FakeES, FakeEventSource, fakeFetch, jsonResponse, record, setVisibility } from './test-fakes';

let fetch: ReturnType<typeof fakeFetch>;
let states: ConnectionState[];
let connection: ReturnType<typeof connect> | undefined;

function start(extra: Partial<StreamOptions> = {}) {
  connection = connect({
    getToken: () => 'jwt',
    fetch,
    EventSource: FakeES,
    onStateChange: (s) => states.push(s),
    ...extra,
  });
  return connection;
}

/** Lets the ticket request (a promise) settle without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.instances = [];
  fetch = fakeFetch();
  states = [];
});

afterEach(() => {
  connection?.close();
  connection = undefined;
  vi.useRealTimers();
});

describe('connect', () => {
  it('gets a ticket with the bearer token, then opens the stream with it and the lastEventId', async () => {
    start({ lastEventId: 'cursor-0', baseUrl: 'https://gw.example' });
    await settle();

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe('https://gw.example/api/stream/tickets');
    expect(fetch.mock.calls[0][1]?.method).toBe('POST');
    expect(fetch.headersOf(0).Authorization).toBe('Bearer jwt');
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(FakeEventSource.last.url).toBe('https://gw.example/api/stream?ticket=t1&frames=record&lastEventId=cursor-0');
  });

  it('leaves lastEventId out on a first connect without a cursor', async () => {
    start();
    await settle();
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t1&frames=record');
  });

  it('goes from connecting to live on ready', async () => {
    const onReady = vi.fn();
    const c = start({ onReady });
    expect(c.state).toBe('connecting');
    await settle();

    FakeEventSource.last.ready('c1', true);

    expect(c.state).toBe('live');
    expect(states).toEqual(['connecting', 'live']);
    expect(onReady).toHaveBeenCalledWith({ cursor: 'c1', resumed: true });
    expect(c.lastEventId).toBe('c1');
  });

  it('on error closes the EventSource, reconnects with a new ticket and the last id seen, heartbeats included', async () => {
    const c = start();
    await settle();
    const first = FakeEventSource.last;
    first.ready('c1');
    first.emit('event.created', record('event.created', { id: 'e1' }), 'c2');
    first.emit('heartbeat', {}, 'c3');

    first.fail();

    expect(first.closed).toBe(true);
    expect(c.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500); // the first backoff is below 500 ms
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c3');

    FakeEventSource.last.ready('c3', true);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live']);
  });

  it('backs off with full jitter, doubling up to the maximum, and starts over once live', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    start({ backoff: { initialMs: 100, maxMs: 1000 }, degradedAfterMs: 60_000 });
    await settle();

    // Half (the mocked jitter) of 100, 200, 400, 800, then the 1000 cap.
    for (const delay of [50, 100, 200, 400, 500, 500]) {
      FakeEventSource.last.fail();
      const calls = fetch.mock.calls.length;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(fetch).toHaveBeenCalledTimes(calls);
      await vi.advanceTimersByTimeAsync(1);
      expect(fetch).toHaveBeenCalledTimes(calls + 1);
    }

    FakeEventSource.last.ready('c1');
    FakeEventSource.last.fail();
    const calls = fetch.mock.calls.length;
    await vi.advanceTimersByTimeAsync(50);
    expect(fetch).toHaveBeenCalledTimes(calls + 1);
  });

  it('backoffDelay is a random share of a doubling, bounded cap', () => {
    expect(backoffDelay(0, {}, () => 0)).toBe(0);
    expect(backoffDelay(0, {}, () => 0.999)).toBe(499);
    expect(backoffDelay(3, {}, () => 0.999)).toBe(3996);
    expect(backoffDelay(3, {}, () => 0.25)).toBe(1000);
    expect(backoffDelay(50, {}, () => 0.999)).toBe(4995);
    expect(backoffDelay(1e6, { initialMs: 10, maxMs: 70 }, () => 0.5)).toBe(35);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(spread.size).toBeGreaterThan(1);
    for (const d of spread) expect(d).toBeLessThan(8000);
  });

  it("turns to 'degraded' when not live after degradedAfterMs, keeps trying, and is live again on ready", async () => {
    fetch.answer(() => Promise.reject(new TypeError('Failed to fetch')));
    fetch.answer(() => Promise.reject(new TypeError('Failed to fetch')));
    const c = start({ degradedAfterMs: 3000, backoff: { initialMs: 1000, maxMs: 1000 } });
    await settle();
    expect(c.state).toBe('reconnecting');

    await vi.advanceTimersByTimeAsync(2999);
    expect(c.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('degraded');

    // A later failure keeps 'degraded' rather than flickering back to 'reconnecting'.
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.instances.length).toBeGreaterThan(0);
    FakeEventSource.last.fail();
    expect(c.state).toBe('degraded');
    await vi.advanceTimersByTimeAsync(1000);
    FakeEventSource.last.ready('c9');
    expect(c.state).toBe('live');
    expect(states).toEqual(['connecting', 'reconnecting', 'degraded', 'live']);
  });

  it("does not reach 'degraded' when the stream is back before degradedAfterMs", async () => {
    const c = start({ degradedAfterMs: 3000 });
    await settle();
    FakeEventSource.last.ready('c1');
    FakeEventSource.last.fail();
    await vi.advanceTimersByTimeAsync(500);
    FakeEventSource.last.ready('c2');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.state).toBe('live');
    expect(states).not.toContain('degraded');
  });

  it('on expired reconnects at once with a fresh ticket from the refreshed token', async () => {
    let token = 'jwt-1';
    start({ getToken: () => token });
    await settle();
    const first = FakeEventSource.last;
    first.ready('c1');
    token = 'jwt-2';

    first.emit('expired', {});
    await settle();

    expect(first.closed).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch.headersOf(1).Authorization).toBe('Bearer jwt-2');
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c1');
  });

  it('waits for an asynchronous token (an OIDC refresh) before each ticket', async () => {
    let refreshes = 0;
    let finishRefresh: () => void = () => {};
    start({
      getToken: () =>
        new Promise<string>((resolve) => {
          refreshes++;
          finishRefresh = () => resolve(`oidc-${refreshes}`);
        }),
    });
    await settle();
    expect(fetch).not.toHaveBeenCalled(); // no ticket request before the token is there
    finishRefresh();
    await settle();
    expect(fetch.headersOf(0).Authorization).toBe('Bearer oidc-1');
    FakeEventSource.last.ready('c1');

    FakeEventSource.last.emit('expired', {});
    await settle();
    finishRefresh();
    await settle();

    expect(fetch.headersOf(1).Authorization).toBe('Bearer oidc-2');
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c1');
  });

  it('on a 401 for a ticket calls onSessionExpired, closes and tries no more', async () => {
    const onSessionExpired = vi.fn();
    const c = start({ onSessionExpired });
    await settle();
    FakeEventSource.last.ready('c1');
    fetch.answer(() => jsonResponse(401, { status: 401, title: 'Unauthorized', detail: 'the token has expired' }));

    FakeEventSource.last.emit('expired', {});
    await settle();

    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(c.state).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    await vi.advanceTimersByTimeAsync(120_000);
    window.dispatchEvent(new Event('online'));
    await settle();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries after other ticket refusals (503, 429)', async () => {
    fetch.answer(() => jsonResponse(503, { status: 503, title: 'Service unavailable' }));
    fetch.answer(() => jsonResponse(429, { status: 429, title: 'Too many streams' }));
    const onSessionExpired = vi.fn();
    start({ onSessionExpired, backoff: { initialMs: 100, maxMs: 100 } });
    await vi.advanceTimersByTimeAsync(300);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(onSessionExpired).not.toHaveBeenCalled();
  });

  it('passes a reset on to onReset and stays live', async () => {
    const onReset = vi.fn();
    const c = start({ onReset });
    await settle();
    FakeEventSource.last.ready('c1', true);

    FakeEventSource.last.emit('reset', { cursor: 'c5', reason: 'retention' }, 'c5');

    expect(onReset).toHaveBeenCalledWith('retention');
    expect(c.state).toBe('live');
    expect(c.lastEventId).toBe('c5');
  });

  describe('a record type this client does not know', () => {
    // What a newer gateway sends: a record whose type was added after this client was built.
    const newer = (id: string) => record('event.archived' as RecordType, { id: 'e1', title: 'T' }, { id, aggregateversion: 7 });

    it.each(['record', 'message'])('arriving as `event: %s` is delivered as an unknown record, once', async (name) => {
      const received: StreamRecord[] = [];
      start({ onRecord: (r) => received.push(r) });
      await settle();
      FakeEventSource.last.ready('c0');

      FakeEventSource.last.emit(name, newer('ce-new'), 'c1');
      FakeEventSource.last.emit(name, newer('ce-new'), 'c2'); // a redelivery

      expect(received).toEqual([{ ...newer('ce-new'), kind: 'unknown' }]);
      expect(isUnknownRecord(received[0])).toBe(true);
      expect(isEventRecord(received[0])).toBe(false); // its family's guard does not take it for an EventDto
      expect(connection?.lastEventId).toBe('c2');
    });

    it('a known type under `event: record` stays a typed record, and frames that are not records are ignored', async () => {
      const received: StreamRecord[] = [];
      start({ onRecord: (r) => received.push(r) });
      await settle();
      FakeEventSource.last.ready('c0');
      const known = record('event.created', { id: 'e2' });

      FakeEventSource.last.emit('record', known, 'c1');
      FakeEventSource.last.emit('message', 'not json', 'c2');
      FakeEventSource.last.emit('message', { hello: 'world' }, 'c3');

      expect(received).toEqual([known]);
      expect(isUnknownRecord(received[0])).toBe(false);
      expect(isEventRecord(received[0])).toBe(true);
    });

    it('once ruled out by isUnknownRecord, switch (type) narrows the data (checked by tsc)', () => {
      const title = (r: StreamRecord): string | null => {
        if (isUnknownRecord(r)) return `unknown ${r.type}`;
        switch (r.type) {
          case 'event.created':
            return r.data.title; // r.data is an EventDto here
          default:
            return null;
        }
      };
      expect(title(record('event.created', { id: 'e1', title: 'Gig' }) as StreamRecord)).toBe('Gig');
      expect(title({ ...newer('x'), kind: 'unknown' } as unknown as StreamRecord)).toBe('unknown event.archived');
    });
  });

  it('delivers a record whose CloudEvent id it has already delivered only once, across reconnects too', async () => {
    const received: StreamRecord[] = [];
    start({ onRecord: (r) => received.push(r) });
    await settle();
    const r1 = record('notification.created', { id: 'n1' });
    const r2 = record('message.sent', { id: 'm1' });
    FakeEventSource.last.ready('c0');
    FakeEventSource.last.emit(r1.type, r1, 'c1');
    FakeEventSource.last.emit(r1.type, r1, 'c2');
    FakeEventSource.last.fail();
    await vi.advanceTimersByTimeAsync(500);
    FakeEventSource.last.ready('c2', true);
    FakeEventSource.last.emit(r1.type, r1, 'c2');
    FakeEventSource.last.emit(r2.type, r2, 'c3');

    expect(received).toEqual([r1, r2]);
  });

  it('keeps a bounded window of recent ids', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'c', 'a'].map((id) => ids.add(id))).toEqual([true, true, true, false]);
    ids.add('d');
    expect(ids.size).toBe(3);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('d')).toBe(true);
  });

  it('ignores a frame that is not JSON', async () => {
    const onRecord = vi.fn();
    const c = start({ onRecord });
    await settle();
    FakeEventSource.last.ready('c0');
    FakeEventSource.last.emit('event.updated', 'not json', 'c1');
    expect(onRecord).not.toHaveBeenCalled();
    expect(c.lastEventId).toBe('c1');
  });

  it('reconnects at once when the browser comes back online or the tab becomes visible', async () => {
    start({ backoff: { initialMs: 15_000, maxMs: 15_000 } });
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    await settle();
    FakeEventSource.last.fail();
    await settle();
    expect(fetch).toHaveBeenCalledTimes(1);

    window.dispatchEvent(new Event('online'));
    await settle();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(FakeEventSource.instances).toHaveLength(2);

    FakeEventSource.last.fail();
    setVisibility('hidden');
    await settle();
    expect(fetch).toHaveBeenCalledTimes(2);
    setVisibility('visible');
    await settle();
    expect(fetch).toHaveBeenCalledTimes(3);

    // Nothing extra while an attempt is already under way or the stream is live.
    FakeEventSource.last.ready('c1');
    window.dispatchEvent(new Event('online'));
    await settle();
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('drops a connection silent for 2.5 heartbeats (25 s), says so, and reopens it at once', async () => {
    const c = start();
    await settle();
    const es = FakeEventSource.last;
    es.ready('c1');
    await vi.advanceTimersByTimeAsync(20_000);
    es.emit('heartbeat', {}, 'c2');
    await vi.advanceTimersByTimeAsync(24_999);
    expect(c.state).toBe('live');

    await vi.advanceTimersByTimeAsync(1);
    expect(es.closed).toBe(true);
    expect(c.status).toMatchObject({ state: 'degraded', reason: 'silent' });
    await settle();
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c2');
    FakeEventSource.last.ready('c2', true);
    expect(c.status).toMatchObject({ state: 'live', reason: null });
  });

  it('follows a heartbeat period given in heartbeatMs', async () => {
    const c = start({ heartbeatMs: 2000 });
    await settle();
    FakeEventSource.last.ready('c1');
    await vi.advanceTimersByTimeAsync(4999);
    expect(c.state).toBe('live');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.status.reason).toBe('silent');
  });

  it("says 'muted' when the connection opened but not even ready came (a buffering proxy)", async () => {
    const statuses: string[] = [];
    const c = start({ onStatusChange: (s) => statuses.push(`${s.state}/${s.reason}`) });
    await settle();
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.status).toMatchObject({ state: 'degraded', reason: 'muted', sharing: 'solo', soloReason: 'unsupported' });
    expect(FakeEventSource.instances).toHaveLength(1); // it waits: the frames may still come

    FakeEventSource.last.ready('c1');
    expect(statuses).toEqual(['connecting/null', 'degraded/muted', 'live/null']);
  });

  it("says 'unreachable' when no connection could be opened for degradedAfterMs", async () => {
    for (let i = 0; i < 100; i++) fetch.answer(() => Promise.reject(new TypeError('network down')));
    const c = start({ backoff: { initialMs: 100, maxMs: 100 } });
    await vi.advanceTimersByTimeAsync(3000);
    expect(c.status).toMatchObject({ state: 'degraded', reason: 'unreachable' });
  });

  it('pauses after pauseWhenHiddenMs hidden, and resumes from its cursor when shown', async () => {
    const c = start({ pauseWhenHiddenMs: 60_000 });
    await settle();
    const es = FakeEventSource.last;
    es.ready('c1');
    setVisibility('hidden');
    for (let i = 0; i < 6; i++) {
      es.emit('heartbeat', {}, 'c2'); // a hidden tab's stream is still live
      await vi.advanceTimersByTimeAsync(i < 5 ? 10_000 : 9_999);
    }
    expect(c.state).toBe('live');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.state).toBe('paused');
    expect(es.closed).toBe(true);
    // Paused is quiet: no watchdog, no reconnect.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(FakeEventSource.instances).toHaveLength(1);

    setVisibility('visible');
    await settle();
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c2');
    FakeEventSource.last.ready('c2', true);
    expect(c.state).toBe('live');
  });

  it('never pauses with pauseWhenHiddenMs null, and a tab shown again before the grace keeps its stream', async () => {
    const c = start({ pauseWhenHiddenMs: null });
    await settle();
    FakeEventSource.last.ready('c1');
    setVisibility('hidden');
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(9000);
      FakeEventSource.last.emit('heartbeat', {}, `h${i}`);
    }
    expect(c.state).toBe('live');
    setVisibility('visible');

    const d = start({ pauseWhenHiddenMs: 10_000 });
    await settle();
    FakeEventSource.last.ready('c1');
    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(9000);
    setVisibility('visible');
    FakeEventSource.last.emit('heartbeat', {}, 'h');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(d.state).toBe('live');
    d.close();
  });

  it('reconnects at once when a tab comes back with a stale connection (its timers were throttled)', async () => {
    start();
    await settle();
    const es = FakeEventSource.last;
    es.ready('c1');
    setVisibility('hidden');
    vi.setSystemTime(Date.now() + 60_000); // the clock moves, the throttled watchdog has not fired

    setVisibility('visible');
    await settle();

    expect(es.closed).toBe(true);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(FakeEventSource.last.url).toBe('/api/stream?ticket=t2&frames=record&lastEventId=c1');
  });

  it('close() stops the EventSource and every timer, and ignores late events', async () => {
    const onRecord = vi.fn();
    const c = start({ onRecord });
    await settle();
    const es = FakeEventSource.last;
    es.ready('c1');
    es.fail(); // a retry and the polling timer are now pending
    expect(vi.getTimerCount()).toBeGreaterThan(0);

    c.close();

    expect(c.state).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    expect(es.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    es.emit('event.created', record('event.created', { id: 'e1' }), 'c2');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(onRecord).not.toHaveBeenCalled();
  });

  it('close() while a ticket is on its way opens no EventSource', async () => {
    let answer!: (r: Response) => void;
    fetch.answer(() => new Promise<Response>((resolve) => (answer = resolve)));
    const c = start();
    await settle();
    c.close();
    answer(jsonResponse(200, { ticket: 'late', expiresIn: 60 }));
    await settle();
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(states).toEqual(['connecting', 'closed']);
  });
});
