// @eventline/client: framework-free. The React hooks are in '@eventline/client/react'.
export * from './records.js';
export { ApiError, DEFAULT_TIMEOUT_MS, createApi, isApiError, versionTag } from './api.js';
export type { Api, ApiOptions, ApiResponse, CallOptions, Problem, TokenSource } from './api.js';
export { connect, claimsOf } from './shared.js';
export type { ConnectOptions, SharingRuntime } from './shared.js';
export { DEFAULT_DEGRADED_AFTER_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_PAUSE_WHEN_HIDDEN_MS } from './stream.js';
export type { ConnectionState, DegradedReason, Sharing, SoloReason, StreamConnection, StreamOptions, StreamStatus } from './stream.js';
export { backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
