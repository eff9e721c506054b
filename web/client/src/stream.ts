// The live stream: `connect` opens one per browser (tabs of one user share it, see shared.ts) or,
// where that is off or unsupported, one per tab (`openSolo` below).
//
// A ticket is single-use, so the browser's own EventSource reconnect (which reuses the URL) can
// never succeed: on any error we close the EventSource ourselves, back off, get a new ticket and
// open a new one that resumes from the last `id:` we saw. (EventSource does not expose the
// server's `retry:` hint, so the jittered backoff below stands in for it.)

import { createApi, isApiError, type TokenSource } from './api.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { RecentIds } from './recent.js';
import { RECORD_TYPES, isKnownRecordType, type AnyRecord, type StreamRecord, type StreamTicket, type UnknownRecord } from './records.js';

/**
 * - `connecting`: the first connection is being opened.
 * - `live`: the stream is open and current.
 * - `reconnecting`: it dropped and is being opened again (for less than `degradedAfterMs`).
 * - `degraded`: not live for longer than that, or open but muted; `StreamStatus.reason` says why.
 *   Attempts go on; `usePolling` polls while the stream is degraded.
 * - `paused`: every tab of this browser was hidden for `pauseWhenHiddenMs`; it resumes, from its
 *   cursor, when one is shown again.
 * - `closed`: for good (`close()`, or the session expired).
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'degraded' | 'paused' | 'closed';

/**
 * Why the stream is `degraded`:
 * - `unreachable`: no connection could be opened (network, gateway down, 429/503 on tickets);
 * - `muted`: the connection opened but not even its first frame came, although the gateway sends
 *   it at once: something between (usually a buffering proxy) holds the frames back;
 * - `silent`: it was live, then nothing came (not even a heartbeat) for 2.5 heartbeat periods;
 *   it is being reopened.
 */
export type DegradedReason = 'unreachable' | 'muted' | 'silent';

/**
 * Whether this tab shares a stream with the other tabs of its user (`leader`: it holds the
 * connection; `follower`: it gets the records from the leader), or has its own (`solo`).
 * `soloReason` says why a tab that could share does not.
 */
export type Sharing = 'leader' | 'follower' | 'solo';
export type SoloReason = 'opted-out' | 'unsupported' | 'no-identity' | 'failed';

export interface StreamStatus {
  state: ConnectionState;
  /** Set when `state` is `degraded`. */
  reason: DegradedReason | null;
  sharing: Sharing;
  /** Set when `sharing` is `solo`. */
  soloReason: SoloReason | null;
}

export interface StreamOptions {
  /** Prefix of the API paths; '' (same origin) by default. */
  baseUrl?: string;
  /** Read before every ticket request, so a refreshed token is picked up; may return a promise. */
  getToken: TokenSource;
  /**
   * Each record once, in stream order: a known record (`AnyRecord`, `switch (r.type)` narrows
   * `r.data`), or one of a type this client does not know, as an `UnknownRecord`
   * (`kind: 'unknown'`, see `isUnknownRecord`).
   */
  onRecord?: (record: StreamRecord) => void;
  /** The missed records could not be replayed: reload your lists. The stream goes on live. */
  onReset?: (reason: string) => void;
  onReady?: (info: { cursor: string; resumed: boolean }) => void;
  onStateChange?: (state: ConnectionState) => void;
  /** The whole status (state, why it is degraded, how it is shared) on every change of it. */
  onStatusChange?: (status: StreamStatus) => void;
  /**
   * The token is no longer valid (a ticket request got 401, or its `exp` passed and `getToken`
   * gave no newer one). The connection is closed for good, and no record is delivered after it.
   */
  onSessionExpired?: () => void;
  /** Not live for this long → state 'degraded' (until live again); attempts go on. Default 3000 ms. */
  degradedAfterMs?: number;
  /** The gateway's heartbeat period; 2.5 of them without a frame mean the connection is dead. Default 10 s. */
  heartbeatMs?: number;
  /**
   * Tabs of one origin and one user share one stream (default true, where the browser has Web
   * Locks and BroadcastChannel). false: one stream per tab.
   */
  share?: boolean;
  /**
   * Who the stream is for, when it is shared: tabs with the same key share a stream. Default:
   * derived from the token's `iss`, `sub`, `aud` and `groups` (a token that is not a JWT gives
   * no key, and the tab keeps a stream of its own).
   */
  shareKey?: string;
  /**
   * Pause the stream once every tab of this browser has been hidden this long (it resumes from
   * its cursor, replaying what it missed, when a tab is shown). Default 5 minutes; null: never.
   */
  pauseWhenHiddenMs?: number | null;
  /** Default 500 ms doubling to 5 s, full jitter. */
  backoff?: BackoffOptions;
  /** Resume from here on the first connect (e.g. a cursor kept from an earlier connection). */
  lastEventId?: string | null;
  /** Injectable for tests. */
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
}

export interface StreamConnection {
  close(): void;
  readonly state: ConnectionState;
  readonly status: StreamStatus;
  /** The cursor to resume from: the last `id:` seen (records and heartbeats alike). */
  readonly lastEventId: string | null;
}

export const DEFAULT_DEGRADED_AFTER_MS = 3000;
export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_PAUSE_WHEN_HIDDEN_MS = 5 * 60_000;
const DEDUP_WINDOW = 2000;

/** The solo stream as the shared one drives it: pausable, and telling every cursor it sees. */
export interface SoloConnection extends StreamConnection {
  /** Drops the connection and keeps the cursor; state 'paused'. */
  pause(): void;
  /** Reopens a paused stream from its cursor at once. */
  resume(): void;
}

export interface SoloOptions extends StreamOptions {
  /** Every new cursor, before the frame that carries it is handled. */
  onCursor?: (cursor: string) => void;
  /** Fixed parts of the status this stream reports (how it is shared). */
  sharing?: Pick<StreamStatus, 'sharing' | 'soloReason'>;
  /** Whether it pauses by itself when its own tab is hidden (the shared stream pauses it instead). */
  pauseOnOwnVisibility?: boolean;
}

/** One stream for this tab alone. */
export function openSolo(opts: SoloOptions): SoloConnection {
  const EventSourceImpl = opts.EventSource ?? globalThis.EventSource;
  // No onUnauthorized here: a 401 on a ticket is reported as onSessionExpired instead.
  const api = createApi({ baseUrl: opts.baseUrl, getToken: opts.getToken, fetch: opts.fetch });
  const degradedAfterMs = opts.degradedAfterMs ?? DEFAULT_DEGRADED_AFTER_MS;
  // The gateway sends a heartbeat every period. A connection silent for 2.5 of them is dead even
  // if EventSource has not noticed (a laptop that slept, a proxy that dropped it quietly).
  const staleAfterMs = (opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS) * 2.5;
  const sharing = opts.sharing ?? { sharing: 'solo' as const, soloReason: opts.share === false ? ('opted-out' as const) : null };
  const seen = new RecentIds(DEDUP_WINDOW);

  let status: StreamStatus = { state: 'connecting', reason: null, ...sharing };
  let lastEventId = opts.lastEventId ?? null;
  let source: EventSource | null = null;
  let failures = 0;
  // Bumped by every attempt, pause() and close(): a ticket answer for an older attempt is dropped.
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let degradedTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastFrameAt = 0;

  function setStatus(state: ConnectionState, reason: DegradedReason | null = null) {
    if (status.state === state && status.reason === reason) return;
    const stateChanged = status.state !== state;
    status = { ...status, state, reason };
    if (stateChanged) opts.onStateChange?.(state);
    opts.onStatusChange?.(status);
  }

  function setCursor(cursor: string) {
    lastEventId = cursor;
    opts.onCursor?.(cursor);
  }

  async function open() {
    const mine = ++attempt;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    let ticket: string;
    try {
      ticket = (await api.post<StreamTicket>('/api/stream/tickets')).data.ticket;
    } catch (e) {
      if (mine !== attempt) return;
      if (isApiError(e, 401)) {
        close();
        opts.onSessionExpired?.();
      } else {
        down(false, 'unreachable'); // network error, 429, 503…: try again later
      }
      return;
    }
    if (mine !== attempt) return;
    // `frames=record`: every record frame is named `record`, so that a type added to the server
    // after this client was built still reaches it (EventSource hands out only the names listened for).
    const query = new URLSearchParams({ ticket, frames: 'record' });
    if (lastEventId) query.set('lastEventId', lastEventId);
    const es = new EventSourceImpl(`${opts.baseUrl ?? ''}/api/stream?${query}`);
    source = es;
    heard();
    const on = (type: string, handle: (e: MessageEvent<string>) => void) =>
      es.addEventListener(type, (e) => {
        if (source !== es) return; // a late event of a closed EventSource
        heard();
        const m = e as MessageEvent<string>;
        if (m.lastEventId) setCursor(m.lastEventId);
        handle(m);
      });

    on('ready', (e) => {
      failures = 0;
      clearTimeout(degradedTimer);
      degradedTimer = undefined;
      setStatus('live');
      const info = parse<{ cursor: string; resumed: boolean }>(e.data);
      opts.onReady?.({ cursor: info?.cursor ?? lastEventId ?? '', resumed: info?.resumed ?? false });
    });
    on('heartbeat', () => {}); // its only news is the cursor, taken above
    on('reset', (e) => opts.onReset?.(parse<{ reason?: string }>(e.data)?.reason ?? 'reset'));
    // The token is about to expire: a fresh ticket (with a refreshed token, if any) now, no backoff.
    on('expired', () => down(true));
    // `record` is what the gateway names every record with `frames=record`. The known types (a
    // gateway older than `frames`) and the unnamed default `message` are listened to as well.
    for (const type of [...RECORD_TYPES, 'record', 'message']) {
      on(type, (e) => {
        const record = asRecord(parse<unknown>(e.data));
        if (record && seen.add(record.id)) opts.onRecord?.(record);
      });
    }
    es.addEventListener('error', () => {
      if (source === es) down(false, 'unreachable');
    });
  }

  /** Something arrived (or a connection opened): the stale-connection watchdog starts over. */
  function heard() {
    lastFrameAt = Date.now();
    clearTimeout(staleTimer);
    staleTimer = setTimeout(() => down(true, 'silent'), staleAfterMs);
  }

  /** The stream is down: drop the EventSource and try again, now or after a backoff. */
  function down(now: boolean, reason: DegradedReason = 'unreachable') {
    source?.close();
    source = null;
    clearTimeout(staleTimer);
    staleTimer = undefined;
    if (reason === 'silent' && status.state === 'live') setStatus('degraded', 'silent');
    else if (status.state === 'degraded') setStatus('degraded', status.reason === 'muted' ? 'muted' : reason);
    else setStatus('reconnecting');
    armDegraded(reason);
    if (now) {
      void open();
    } else {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void open(), backoffDelay(failures++, opts.backoff));
    }
  }

  function armDegraded(reason: DegradedReason) {
    if (degradedTimer !== undefined) return;
    degradedTimer = setTimeout(() => {
      degradedTimer = undefined;
      if (status.state !== 'connecting' && status.state !== 'reconnecting') return;
      // The gateway sends `ready` at once: a connection open (headers in) without it has its
      // frames held back on the way.
      setStatus('degraded', source?.readyState === 1 ? 'muted' : reason);
    }, degradedAfterMs);
  }

  function stopTimers() {
    clearTimeout(retryTimer);
    clearTimeout(degradedTimer);
    clearTimeout(staleTimer);
    retryTimer = degradedTimer = staleTimer = undefined;
  }

  function pause() {
    if (status.state === 'closed' || status.state === 'paused') return;
    attempt++;
    stopTimers();
    source?.close();
    source = null;
    setStatus('paused');
  }

  function resume() {
    if (status.state !== 'paused') return;
    failures = 0;
    setStatus('reconnecting');
    armDegraded('unreachable');
    void open();
  }

  // While we wait out a backoff, the network coming back or the user returning to the tab is a
  // good reason to try at once rather than after up to 5 s.
  function wake() {
    if (retryTimer !== undefined) void open();
  }
  const hidden = opts.pauseOnOwnVisibility !== false ? hiddenPause(opts.pauseWhenHiddenMs, pause, resume) : null;
  function onVisibility() {
    if (document.visibilityState !== 'visible') return;
    // Timers of a hidden tab are throttled, so the watchdog may not have fired yet.
    if (source && Date.now() - lastFrameAt > staleAfterMs) down(true, 'silent');
    else wake();
  }
  const hasWindow = typeof window !== 'undefined';
  if (hasWindow) window.addEventListener('online', wake);
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);

  function close() {
    if (status.state === 'closed') return;
    attempt++;
    stopTimers();
    source?.close();
    source = null;
    hidden?.stop();
    if (hasWindow) window.removeEventListener('online', wake);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
    setStatus('closed');
  }

  const connection = connectionHandle(opts, () => status, () => lastEventId, { close, pause, resume });
  armDegraded('unreachable');
  void open();
  return connection;
}

/**
 * What `openSolo` and the shared stream (shared.ts) hand out: `methods`, with the status and the
 * cursor read through `status` and `cursor` at each access. Tells the callbacks the status it
 * starts in, as every later change is told.
 */
export function connectionHandle<M extends { close(): void }>(
  opts: Pick<StreamOptions, 'onStateChange' | 'onStatusChange'>,
  status: () => StreamStatus,
  cursor: () => string | null,
  methods: M,
): M & StreamConnection {
  opts.onStateChange?.(status().state);
  opts.onStatusChange?.(status());
  return {
    ...methods,
    get state() {
      return status().state;
    },
    get status() {
      return status();
    },
    get lastEventId() {
      return cursor();
    },
  };
}

/**
 * Pauses after this tab has been hidden for `graceMs`, and resumes when it is shown: the rule of a
 * solo stream (a shared one counts every tab of the browser instead, see shared.ts).
 */
function hiddenPause(graceMs: number | null | undefined, pause: () => void, resume: () => void) {
  const grace = graceMs === undefined ? DEFAULT_PAUSE_WHEN_HIDDEN_MS : graceMs;
  if (grace === null || typeof document === 'undefined') return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    clearTimeout(timer);
    timer = undefined;
    if (document.visibilityState === 'hidden') timer = setTimeout(pause, grace);
    else resume();
  };
  document.addEventListener('visibilitychange', check);
  check();
  return {
    stop() {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', check);
    },
  };
}

/** A CloudEvent as a known record, or marked unknown; null for what is not a record at all. */
export function asRecord(value: unknown): StreamRecord | null {
  if (value === null || typeof value !== 'object') return null;
  const r = value as { id?: unknown; type?: unknown };
  if (typeof r.id !== 'string' || typeof r.type !== 'string') return null;
  if (isKnownRecordType(r.type)) return value as AnyRecord;
  return { ...(value as Omit<UnknownRecord, 'kind'>), kind: 'unknown' };
}

function parse<T>(data: string): T | null {
  try {
    return JSON.parse(data) as T;
  } catch {
    return null;
  }
}
