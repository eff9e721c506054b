// @eventline/client: framework-free. The React hooks are in '@eventline/client/react'.
export * from './records.js';
export { ApiError, DEFAULT_TIMEOUT_MS, createApi, isApiError, versionTag } from './api.js';
export type { Api, ApiOptions, ApiResponse, CallOptions, Problem, TokenSource } from './api.js';
export { connect } from './stream.js';
export type { ConnectionState, StreamConnection, StreamOptions } from './stream.js';
export { backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
