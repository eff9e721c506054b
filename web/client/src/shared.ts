// One stream per browser: the tabs of one origin and one user share it.
//
// Over HTTP/1.1 a browser opens at most 6 connections per origin, so a stream per tab starves a
// user's 7th tab (and its REST calls). Here every tab asks for one Web Lock per user; the tab that
// holds it is the leader, holds the connection (a solo stream, stream.ts) and posts what it
// receives on a BroadcastChannel of the same name; the others follow. When the leader closes or
// crashes, the browser hands the lock to the next tab in its queue, which opens the stream from the
// last cursor the leader posted: records are deduplicated per tab by id, so a tab gets each once.
//
// Each tab keeps its own token: when its `exp` passes and `getToken` has no newer one, that tab
// closes and gets nothing more, whatever the leader's token says.

import { RecentIds } from './recent.js';
import type { StreamRecord } from './records.js';
import {
  DEFAULT_PAUSE_WHEN_HIDDEN_MS,
  asRecord,
  connectionHandle,
  openSolo,
  type ConnectionState,
  type DegradedReason,
  type SoloConnection,
  type SoloReason,
  type StreamConnection,
  type StreamOptions,
  type StreamStatus,
} from './stream.js';

/** What the shared stream needs from the browser; injectable for tests (see `createFakeBrowser`). */
export interface SharingRuntime {
  locks: Pick<LockManager, 'request' | 'query'>;
  BroadcastChannel: typeof BroadcastChannel;
}

export interface ConnectOptions extends StreamOptions {
  /** Injectable for tests: Web Locks and BroadcastChannel. Default: the browser's. */
  sharing?: SharingRuntime;
}

const PROTOCOL = 'eventline.stream/1';
const DEDUP_WINDOW = 2000;
const STATES: readonly ConnectionState[] = ['connecting', 'live', 'reconnecting', 'degraded', 'paused', 'closed'];
const REASONS: readonly DegradedReason[] = ['unreachable', 'muted', 'silent'];

type ReadyInfo = { cursor: string; resumed: boolean };
type Message =
  | { kind: 'hello' }
  | { kind: 'status'; state: ConnectionState; reason: DegradedReason | null; cursor: string | null; ready: (ReadyInfo & { id: string }) | null }
  | { kind: 'cursor'; cursor: string }
  | { kind: 'record'; record: unknown; cursor: string | null }
  | { kind: 'reset'; reason: string }
  | { kind: 'visibility' };

/**
 * Opens the live stream. By default the tabs of one origin and one user share one connection
 * (`share: false` for one per tab); where the browser lacks Web Locks or BroadcastChannel, or the
 * token says nothing of who it is for, each tab has its own, and `status.soloReason` says why.
 */
export function connect(opts: ConnectOptions): StreamConnection {
  if (opts.share === false) return openSolo({ ...opts, sharing: { sharing: 'solo', soloReason: 'opted-out' } });
  const runtime = opts.sharing ?? browserRuntime();
  if (!runtime) return openSolo({ ...opts, sharing: { sharing: 'solo', soloReason: 'unsupported' } });
  return openShared(opts, runtime);
}

function browserRuntime(): SharingRuntime | null {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof locks.request !== 'function' || typeof BroadcastChannel !== 'function') return null;
  return { locks, BroadcastChannel };
}

function openShared(opts: ConnectOptions, runtime: SharingRuntime): StreamConnection {
  const tab = randomId();
  const seen = new RecentIds(DEDUP_WINDOW);
  const abort = new AbortController();
  const grace = opts.pauseWhenHiddenMs === undefined ? DEFAULT_PAUSE_WHEN_HIDDEN_MS : opts.pauseWhenHiddenMs;
  let status: StreamStatus = { state: 'connecting', reason: null, sharing: 'follower', soloReason: null };
  let lastEventId = opts.lastEventId ?? null;
  let closed = false;
  let key = '';
  let channel: BroadcastChannel | null = null;
  let stream: SoloConnection | null = null; // this tab's connection: as the leader, or as a fallback
  let stopLeading: (() => void) | null = null;
  let stopShowing: (() => Promise<void>) | null = null;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let pauseTimer: ReturnType<typeof setTimeout> | undefined;
  let lastReadyId: string | null = null;
  let ready: (ReadyInfo & { id: string }) | null = null;
  let unposted: string | null = null;

  function setStatus(patch: Partial<StreamStatus>) {
    const next = { ...status, ...patch };
    if (next.state === status.state && next.reason === status.reason && next.sharing === status.sharing && next.soloReason === status.soloReason) return;
    const stateChanged = next.state !== status.state;
    status = next;
    if (stateChanged) opts.onStateChange?.(next.state);
    opts.onStatusChange?.(next);
  }

  function deliver(record: StreamRecord | null) {
    if (closed || !record || !seen.add(record.id)) return;
    opts.onRecord?.(record);
  }

  function post(message: Message) {
    try {
      channel?.postMessage({ protocol: PROTOCOL, key, from: tab, message });
    } catch {
      // a closed channel (this tab is leaving): nothing to tell
    }
  }

  function postStatus() {
    post({ kind: 'status', state: status.state, reason: status.reason, cursor: lastEventId, ready });
  }

  /** This tab's own connection, reporting to this tab (and, as the leader, to the others). */
  function openStream(sharing: StreamStatus['sharing'], soloReason: SoloReason | null): SoloConnection {
    const leading = sharing === 'leader';
    return openSolo({
      ...opts,
      lastEventId,
      sharing: { sharing, soloReason },
      // A leader pauses when every tab is hidden (below); a fallback stream minds its own tab.
      pauseOnOwnVisibility: !leading,
      // A record and its cursor go out as one message, the record first in effect: a leader that
      // dies in between leaves the others at the cursor before it, and the next leader replays it.
      // A cursor with no record (a heartbeat's, ready's) goes out on its own, a microtask later.
      onCursor: (cursor) => {
        lastEventId = cursor;
        if (!leading) return;
        unposted = cursor;
        queueMicrotask(() => {
          if (unposted === cursor) post({ kind: 'cursor', cursor });
          unposted = null;
        });
      },
      onRecord: (record) => {
        deliver(record);
        if (!leading) return;
        unposted = null;
        post({ kind: 'record', record, cursor: lastEventId });
      },
      onReset: (reason) => {
        if (closed) return;
        opts.onReset?.(reason);
        if (leading) post({ kind: 'reset', reason });
      },
      onReady: (info) => {
        if (closed) return;
        ready = { ...info, id: randomId() };
        lastReadyId = ready.id;
        opts.onReady?.(info);
        if (leading) postStatus();
      },
      onStateChange: undefined,
      onStatusChange: (s) => {
        if (closed) return; // a leaving leader's 'closed' is not the others' news
        setStatus({ state: s.state, reason: s.reason, sharing, soloReason });
        if (leading) postStatus();
      },
      onSessionExpired: expire,
    });
  }

  function fallBack(reason: SoloReason) {
    if (closed || stream) return;
    leaveChannel();
    stream = openStream('solo', reason);
  }

  function leaveChannel() {
    abort.abort();
    stopLeading?.();
    void stopShowing?.();
    stopLeading = stopShowing = null;
    clearTimeout(pauseTimer);
    pauseTimer = undefined;
    channel?.close();
    channel = null;
  }

  function receive(data: unknown) {
    const message = readMessage(data, key);
    if (!message || closed) return;
    if (status.sharing === 'leader') {
      if (message.kind === 'hello') postStatus();
      else if (message.kind === 'visibility') void checkVisibility();
      return;
    }
    switch (message.kind) {
      case 'cursor':
        lastEventId = message.cursor;
        break;
      case 'record':
        deliver(asRecord(message.record));
        if (message.cursor) lastEventId = message.cursor;
        break;
      case 'reset':
        opts.onReset?.(message.reason);
        break;
      case 'status':
        if (message.cursor) lastEventId = message.cursor;
        setStatus({ state: message.state, reason: message.reason });
        if (message.state === 'live' && message.ready && message.ready.id !== lastReadyId) {
          lastReadyId = message.ready.id;
          opts.onReady?.({ cursor: message.ready.cursor, resumed: message.ready.resumed });
        }
        break;
      default:
        break;
    }
  }

  /** The browser gave this tab the lock: it holds the connection until it closes. */
  function lead(): Promise<void> {
    if (closed) return Promise.resolve();
    return new Promise<void>((release) => {
      stopLeading = release;
      stream = openStream('leader', null);
      setStatus({ sharing: 'leader' });
      void checkVisibility();
    });
  }

  // Pausing: a tab holds a shared lock while it is visible, so the leader can ask the browser
  // whether any tab is (a tab that crashed lets go of its lock, and never counts by mistake).
  const visibleLock = () => `eventline:visible:${key}`;
  function showing() {
    if (typeof document === 'undefined' || grace === null) return;
    const update = () => {
      if (closed) return;
      if (document.visibilityState === 'visible') {
        if (stopShowing) return;
        let held: (() => void) | null = null;
        const release = new Promise<void>((r) => (held = r));
        const done = runtime.locks
          .request(visibleLock(), { mode: 'shared', signal: abort.signal }, () => {
            post({ kind: 'visibility' });
            void checkVisibility();
            return release;
          })
          .then(
            () => undefined,
            () => undefined,
          );
        // The request's promise settles once the lock is let go: only then is it gone for the leader.
        stopShowing = () => {
          held?.();
          return done;
        };
      } else {
        const stopped = stopShowing?.();
        stopShowing = null;
        void Promise.resolve(stopped).then(() => {
          post({ kind: 'visibility' });
          void checkVisibility();
        });
      }
    };
    document.addEventListener('visibilitychange', update);
    abort.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', update), { once: true });
    update();
  }

  async function anyVisible(): Promise<boolean> {
    try {
      const state = await runtime.locks.query();
      return (state.held ?? []).some((l) => l.name === visibleLock());
    } catch {
      return true; // cannot tell: stay connected
    }
  }

  async function checkVisibility() {
    if (grace === null || status.sharing !== 'leader' || !stream) return;
    const visible = await anyVisible();
    if (closed || !stream) return;
    if (visible) {
      clearTimeout(pauseTimer);
      pauseTimer = undefined;
      stream.resume();
    } else if (pauseTimer === undefined && stream.state !== 'paused') {
      pauseTimer = setTimeout(async () => {
        pauseTimer = undefined;
        if (!(await anyVisible())) stream?.pause();
      }, grace);
    }
  }

  /** Closes this tab when its own token's `exp` passes and `getToken` has none newer. */
  function watchExpiry(token: string | null) {
    clearTimeout(expiryTimer);
    const exp = token ? claimsOf(token)?.exp : undefined;
    if (typeof exp !== 'number') return;
    const ms = Math.min(Math.max(exp * 1000 - Date.now(), 0), 2 ** 31 - 1);
    expiryTimer = setTimeout(async () => {
      let fresh: string | null = null;
      try {
        fresh = await opts.getToken();
      } catch {
        fresh = null;
      }
      const freshExp = fresh ? claimsOf(fresh)?.exp : undefined;
      if (typeof freshExp === 'number' && freshExp * 1000 > Date.now()) watchExpiry(fresh);
      else expire();
    }, ms);
  }

  function expire() {
    if (closed) return;
    close();
    opts.onSessionExpired?.();
  }

  function close() {
    if (closed) return;
    closed = true;
    clearTimeout(expiryTimer);
    stream?.close();
    stream = null;
    leaveChannel();
    status = { ...status, state: 'closed', reason: null };
    opts.onStateChange?.('closed');
    opts.onStatusChange?.(status);
  }

  async function start() {
    const token = await opts.getToken();
    if (closed) return;
    const id = opts.shareKey ?? (token ? identityOf(token) : null);
    if (!id) return fallBack('no-identity');
    key = `${opts.baseUrl ?? ''}|${id}`;
    watchExpiry(token);
    channel = new runtime.BroadcastChannel(`eventline:stream:${key}`);
    channel.onmessage = (e: MessageEvent) => receive(e.data);
    showing();
    post({ kind: 'hello' });
    runtime.locks.request(`eventline:stream:${key}`, { signal: abort.signal }, lead).catch((e: unknown) => {
      if (!closed && !(e instanceof Error && e.name === 'AbortError')) fallBack('failed');
    });
  }

  const connection = connectionHandle(opts, () => status, () => lastEventId, { close });
  start().catch(() => fallBack('failed'));
  return connection;
}

/** A message of this protocol and this key, well formed; anything else (garbage, another user's) is null. */
function readMessage(data: unknown, key: string): Message | null {
  if (!isObject(data) || data.protocol !== PROTOCOL || data.key !== key || typeof data.from !== 'string') return null;
  const m = data.message;
  if (!isObject(m)) return null;
  switch (m.kind) {
    case 'hello':
    case 'visibility':
      return { kind: m.kind };
    case 'cursor':
      return typeof m.cursor === 'string' ? { kind: 'cursor', cursor: m.cursor } : null;
    case 'record':
      if (!isObject(m.record) || (m.cursor !== null && typeof m.cursor !== 'string')) return null;
      return { kind: 'record', record: m.record, cursor: m.cursor as string | null };
    case 'reset':
      return typeof m.reason === 'string' ? { kind: 'reset', reason: m.reason } : null;
    case 'status': {
      if (!STATES.includes(m.state as ConnectionState)) return null;
      if (m.reason !== null && !REASONS.includes(m.reason as DegradedReason)) return null;
      if (m.cursor !== null && typeof m.cursor !== 'string') return null;
      const r = m.ready;
      const readyOk = r === null || (isObject(r) && typeof r.cursor === 'string' && typeof r.resumed === 'boolean' && typeof r.id === 'string');
      if (!readyOk) return null;
      return {
        kind: 'status',
        state: m.state as ConnectionState,
        reason: m.reason as DegradedReason | null,
        cursor: m.cursor as string | null,
        ready: r as (ReadyInfo & { id: string }) | null,
      };
    }
    default:
      return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The claims of a JWT, not verified (the gateway does that); null for what is not one. */
export function claimsOf(token: string): Record<string, unknown> | null {
  const parts = token.trim().replace(/^Bearer\s+/i, '').split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return isObject(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** Who a token is for: tabs whose tokens agree on issuer, subject, audience and groups share a stream. */
function identityOf(token: string): string | null {
  const c = claimsOf(token);
  if (!c || typeof c.sub !== 'string' || !c.sub) return null;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).sort() : v === undefined ? [] : [String(v)]);
  return JSON.stringify([c.iss ?? null, c.sub, list(c.aud), list(c.groups)]);
}

function randomId(): string {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
