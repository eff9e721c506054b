// A thin fetch wrapper for the gateway's REST API: bearer token, the conditional-request headers
// of DESIGN.md section 3, and RFC 9457 problem+json errors turned into ApiError.

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

export interface ApiOptions {
  /** Prefix of every path; '' (same origin) by default. */
  baseUrl?: string;
  getToken: () => string | null;
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
  get<T>(path: string, opts?: { ifNoneMatch?: string }): Promise<ApiResponse<T>>;
  post<T>(
    path: string,
    body?: unknown,
    opts?: { idempotencyKey?: string; ifMatch?: string | number },
  ): Promise<ApiResponse<T>>;
  put<T>(path: string, body: unknown, opts: { ifMatch: string | number }): Promise<ApiResponse<T>>;
  del<T>(path: string): Promise<ApiResponse<T>>;
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
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
    const token = opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    for (const [name, value] of Object.entries(extra)) {
      if (value !== undefined) headers[name] = value;
    }
    const res = await doFetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
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
    get: (path, o) => request('GET', path, undefined, { 'If-None-Match': o?.ifNoneMatch }),
    post: (path, body, o) =>
      request('POST', path, body, {
        'Idempotency-Key': o?.idempotencyKey,
        'If-Match': o?.ifMatch === undefined ? undefined : versionTag(o.ifMatch),
      }),
    put: (path, body, o) => request('PUT', path, body, { 'If-Match': versionTag(o.ifMatch) }),
    del: (path) => request('DELETE', path, undefined, {}),
  };
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
