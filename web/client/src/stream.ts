// One live stream per tab: DESIGN.md section 5 and the gateway's stream as implemented.
//
// A ticket is single-use, so the browser's own EventSource reconnect (which reuses the URL) can
// never succeed: on any error we close the EventSource ourselves, back off, get a new ticket and
// open a new one that resumes from the last `id:` we saw. (EventSource does not expose the
// server's `retry:` hint, so the jittered backoff below stands in for it.)

import { createApi, isApiError, type TokenSource } from './api.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { RecentIds } from './recent.js';
import {
  RECORD_TYPES,
  isKnownRecordType,
  type AnyRecord,
  type StreamRecord,
  type StreamTicket,
  type UnknownRecord,
} from './records.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'closed';

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
  /** A ticket request got 401: the token is no longer valid. The connection is closed for good. */
  onSessionExpired?: () => void;
  /** Not live for this long → state 'polling' (until live again); attempts go on. Default 3000 ms. */
  pollingAfterMs?: number;
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
  /** The cursor to resume from: the last `id:` seen (records and heartbeats alike). */
  readonly lastEventId: string | null;
}

const DEFAULT_POLLING_AFTER_MS = 3000;
const DEDUP_WINDOW = 2000;
// The gateway sends a heartbeat about every 10 s. A connection silent for much longer is dead
// even if EventSource has not noticed (a laptop that slept, a proxy that dropped it quietly).
const STALE_AFTER_MS = 45_000;

export function connect(opts: StreamOptions): StreamConnection {
  const EventSourceImpl = opts.EventSource ?? globalThis.EventSource;
  // No onUnauthorized here: a 401 on a ticket is reported as onSessionExpired instead.
  const api = createApi({ baseUrl: opts.baseUrl, getToken: opts.getToken, fetch: opts.fetch });
  const pollingAfterMs = opts.pollingAfterMs ?? DEFAULT_POLLING_AFTER_MS;
  const seen = new RecentIds(DEDUP_WINDOW);

  let state: ConnectionState = 'connecting';
  let lastEventId = opts.lastEventId ?? null;
  let source: EventSource | null = null;
  let failures = 0;
  // Bumped by every attempt and by close(): a ticket answer for an older attempt is dropped.
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pollingTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastFrameAt = 0;

  function setState(next: ConnectionState) {
    if (state === next) return;
    state = next;
    opts.onStateChange?.(next);
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
        down(false); // network error, 429, 503…: try again later
      }
      return;
    }
    if (mine !== attempt) return;
    const query = new URLSearchParams({ ticket });
    if (lastEventId) query.set('lastEventId', lastEventId);
    const es = new EventSourceImpl(`${opts.baseUrl ?? ''}/api/stream?${query}`);
    source = es;
    heard();
    const on = (type: string, handle: (e: MessageEvent<string>) => void) =>
      es.addEventListener(type, (e) => {
        if (source !== es) return; // a late event of a closed EventSource
        heard();
        const m = e as MessageEvent<string>;
        if (m.lastEventId) lastEventId = m.lastEventId;
        handle(m);
      });

    on('ready', (e) => {
      failures = 0;
      clearTimeout(pollingTimer);
      pollingTimer = undefined;
      setState('live');
      const info = parse<{ cursor: string; resumed: boolean }>(e.data);
      opts.onReady?.({ cursor: info?.cursor ?? lastEventId ?? '', resumed: info?.resumed ?? false });
    });
    on('heartbeat', () => {}); // its only news is the cursor, taken above
    on('reset', (e) => opts.onReset?.(parse<{ reason?: string }>(e.data)?.reason ?? 'reset'));
    // The token is about to expire: a fresh ticket (with a refreshed token, if any) now, no backoff.
    on('expired', () => down(true));
    // EventSource hands out only the event names listened for: the known types, plus `record`
    // and the unnamed default `message`, under which a gateway can send every record (a type
    // added after this client was built included) with its type in the CloudEvent.
    for (const type of [...RECORD_TYPES, 'record', 'message']) {
      on(type, (e) => {
        const record = asRecord(parse<unknown>(e.data));
        if (record && seen.add(record.id)) opts.onRecord?.(record);
      });
    }
    es.addEventListener('error', () => {
      if (source === es) down(false);
    });
  }

  /** Something arrived (or a connection opened): the stale-connection watchdog starts over. */
  function heard() {
    lastFrameAt = Date.now();
    clearTimeout(staleTimer);
    staleTimer = setTimeout(() => down(false), STALE_AFTER_MS);
  }

  /** The stream is down: drop the EventSource and try again, now or after a backoff. */
  function down(now: boolean) {
    source?.close();
    source = null;
    clearTimeout(staleTimer);
    staleTimer = undefined;
    if (state !== 'polling') setState('reconnecting');
    armPolling();
    if (now) {
      void open();
    } else {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void open(), backoffDelay(failures++, opts.backoff));
    }
  }

  function armPolling() {
    if (pollingTimer !== undefined) return;
    pollingTimer = setTimeout(() => {
      pollingTimer = undefined;
      if (state !== 'live' && state !== 'closed') setState('polling');
    }, pollingAfterMs);
  }

  // While we wait out a backoff, the network coming back or the user returning to the tab is a
  // good reason to try at once rather than after up to 5 s.
  function wake() {
    if (retryTimer !== undefined) void open();
  }
  function onVisibility() {
    if (document.visibilityState !== 'visible') return;
    // Timers of a hidden tab are throttled, so the watchdog may not have fired yet.
    if (source && Date.now() - lastFrameAt > STALE_AFTER_MS) down(true);
    else wake();
  }
  const hasWindow = typeof window !== 'undefined';
  if (hasWindow) window.addEventListener('online', wake);
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);

  function close() {
    if (state === 'closed') return;
    attempt++;
    clearTimeout(retryTimer);
    clearTimeout(pollingTimer);
    clearTimeout(staleTimer);
    retryTimer = pollingTimer = staleTimer = undefined;
    source?.close();
    source = null;
    if (hasWindow) window.removeEventListener('online', wake);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
    setState('closed');
  }

  opts.onStateChange?.(state);
  armPolling();
  void open();

  return {
    close,
    get state() {
      return state;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

/** A CloudEvent as a known record, or marked unknown; null for what is not a record at all. */
function asRecord(value: unknown): StreamRecord | null {
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
