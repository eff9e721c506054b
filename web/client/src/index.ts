// @eventline/client: framework-free. The React hooks are in '@eventline/client/react'.
export * from './records';
export { ApiError, createApi, isApiError, versionTag } from './api';
export type { Api, ApiOptions, ApiResponse, Problem } from './api';
export { connect } from './stream';
export type { ConnectionState, StreamConnection, StreamOptions } from './stream';
export { backoffDelay } from './backoff';
export type { BackoffOptions } from './backoff';
