// A thin fetch wrapper for the gateway's REST API: bearer token, the conditional-request headers
// of docs/api.md ("HTTP conventions"), and RFC 9457 problem+json errors turned into ApiError.

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  /** Validation errors, one per field. */
  errors?: { field: string; message: string }[];
}

/** A non-2xx answer. `message` is the problem's detail, else its title. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/** True when `e` is an ApiError, and (when statuses are given) has one of them. */
export function isApiError(e: unknown, ...statuses: number[]): e is ApiError {
  return e instanceof ApiError && (statuses.length === 0 || statuses.includes(e.status));
}

/**
 * The current access token, or null for none. May return a promise: OIDC libraries refresh
 * asynchronously (`() => userManager.getUser().then((u) => u?.access_token ?? null)`). Called
 * before every request, so a refreshed token is used at once.
 */
export type TokenSource = () => string | null | Promise<string | null>;

/** Per call: cancel it, or bound how long it may take. */
export interface CallOptions {
  /** Aborting it rejects the call with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal;
  /** Overrides the API's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** Default bound of one call, token included, until its body is read. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ApiOptions {
  /** Prefix of every path; '' (same origin) by default. */
  baseUrl?: string;
  getToken: TokenSource;
  /**
   * A call that takes longer (token, answer and body) is aborted and rejects with a
   * `DOMException` named `TimeoutError`. Default 30 s; 0 for none.
   */
  timeoutMs?: number;
  /** Called on any 401, before the ApiError is thrown: the token is missing, expired or invalid. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export interface ApiResponse<T> {
  /** The parsed body; null on 304 and on an empty body (204). */
  data: T;
  etag: string | null;
  status: number;
}

export interface Api {
  /** A 304 (the `ifNoneMatch` ETag is current) resolves as `{status: 304, data: null}`. */
  get<T>(path: string, opts?: CallOptions & { ifNoneMatch?: string }): Promise<ApiResponse<T>>;
  post<T>(
    path: string,
    body?: unknown,
    opts?: CallOptions & { idempotencyKey?: string; ifMatch?: string | number },
  ): Promise<ApiResponse<T>>;
  put<T>(path: string, body: unknown, opts: CallOptions & { ifMatch: string | number }): Promise<ApiResponse<T>>;
  del<T>(path: string, opts?: CallOptions): Promise<ApiResponse<T>>;
}

/** The ETag for a resource version: the services tag a version as a quoted number. */
export function versionTag(version: string | number): string {
  return typeof version === 'number' ? `"${version}"` : version;
}

export function createApi(opts: ApiOptions): Api {
  const baseUrl = opts.baseUrl ?? '';
  // Resolved per call, and never detached from window: browsers reject `fetch` called on another `this`.
  const doFetch: typeof fetch = (input, init) => (opts.fetch ?? fetch)(input, init);

  async function request<T>(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string | undefined>,
    call: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    const { signal, done } = callSignal(call.signal, call.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      return await send<T>(method, path, body, extra, signal);
    } finally {
      done();
    }
  }

  async function send<T>(
    method: string,
    path: string,
    body: unknown,
    extra: Record<string, string | undefined>,
    signal: AbortSignal,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
    const token = await untilAborted(Promise.resolve(opts.getToken()), signal);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    for (const [name, value] of Object.entries(extra)) {
      if (value !== undefined) headers[name] = value;
    }
    const res = await doFetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const etag = res.headers.get('ETag');
    if (res.status === 304) {
      return { status: 304, data: null as T, etag: etag ?? extra['If-None-Match'] ?? null };
    }
    if (!res.ok) {
      const problem = await readProblem(res);
      if (res.status === 401) opts.onUnauthorized?.();
      throw new ApiError(problem);
    }
    const text = await res.text();
    return { status: res.status, data: (text ? JSON.parse(text) : null) as T, etag };
  }

  return {
    get: (path, o) => request('GET', path, undefined, { 'If-None-Match': o?.ifNoneMatch }, o),
    post: (path, body, o) =>
      request(
        'POST',
        path,
        body,
        {
          'Idempotency-Key': o?.idempotencyKey,
          'If-Match': o?.ifMatch === undefined ? undefined : versionTag(o.ifMatch),
        },
        o,
      ),
    put: (path, body, o) => request('PUT', path, body, { 'If-Match': versionTag(o.ifMatch) }, o),
    del: (path, o) => request('DELETE', path, undefined, {}, o),
  };
}

/**
 * One signal for a call: aborted by the caller's signal or by the timeout, whichever comes first.
 * A plain timer rather than AbortSignal.timeout, so that the call's clock is the page's (and a
 * test's fake timers drive it).
 */
function callSignal(outer: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs > 0
      ? setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** `p`, unless `signal` aborts first: then its reason. (A token source knows nothing of our signal.) */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The problem+json body of an error, or one made from the status line when there is none. */
async function readProblem(res: Response): Promise<Problem> {
  const fallback: Problem = { status: res.status, title: res.statusText || `HTTP ${res.status}` };
  let text: string;
  try {
    text = await res.text();
  } catch {
    return fallback;
  }
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
      // The status line is the truth; a body's own status may be missing or wrong (e.g. from a proxy).
      return { ...fallback, ...(body as Partial<Problem>), status: res.status };
    }
  } catch {
    // not JSON (an HTML error page from a proxy, say): the status line is all there is
  }
  return fallback;
}
