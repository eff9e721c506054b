// @eventline/client/testing: test doubles for app teams' own tests (any test runner, no network).
import type { ChangeRecord, RecordType } from './records.js';

type Listener = (e: Event) => void;

/** An EventSource the test drives: `emit` plays a server frame, `fail` a dropped connection. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];

  static get last(): FakeEventSource {
    const es = FakeEventSource.instances.at(-1);
    if (!es) throw new Error('no EventSource was opened');
    return es;
  }

  readonly url: string;
  closed = false;
  /** 1 (open) from the start, 2 once closed: the fake's headers are in at once. */
  get readyState(): number {
    return this.closed ? 2 : 1;
  }
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(url: string | URL) {
    this.url = String(url);
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }

  close() {
    this.closed = true;
  }

  /** One SSE frame: `id:` (optional), `event:`, `data:`. */
  emit(type: string, data: unknown, id?: string) {
    const e = new MessageEvent(type, {
      data: typeof data === 'string' ? data : JSON.stringify(data),
      lastEventId: id ?? '',
    });
    this.listeners.get(type)?.forEach((l) => l(e));
  }

  ready(id = 'c0', resumed = false) {
    this.emit('ready', { cursor: id, resumed }, id);
  }

  fail() {
    this.listeners.get('error')?.forEach((l) => l(new Event('error')));
  }
}

export const FakeES = FakeEventSource as unknown as typeof EventSource;

/** A JSON answer; a 4xx/5xx one is sent as application/problem+json, as the gateway does. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

let seq = 0;

/** A record as the gateway pushes it. */
export function record<T>(type: RecordType, data: T & { id?: string }, extra: Partial<ChangeRecord<T>> = {}): ChangeRecord<T> {
  seq++;
  return {
    specversion: '1.0',
    id: `ce-${seq}`,
    source: 'test',
    type,
    subject: data.id ?? `s-${seq}`,
    time: new Date(0).toISOString(),
    audience: 'public',
    aggregateversion: 1,
    data,
    ...extra,
  };
}


// ---- a fake gateway ----

type Handler = (request: { method: string; path: string; headers: Record<string, string>; body: unknown }) =>
  | Response
  | unknown
  | Promise<Response | unknown>;

export interface FakeGatewayOptions {
  /** The token tickets need (`Authorization: Bearer …`); other tokens get 401. Default: any token, or none. */
  token?: string;
  /** Send `ready` as soon as a stream opens (after replaying what it missed). Default true. */
  autoReady?: boolean;
}

export interface FakeGateway {
  /** Give these to `connect`/`createApi`/`EventUpdateProvider` (`fetch`, `EventSource`). */
  readonly fetch: typeof fetch;
  readonly EventSource: typeof EventSource;
  /** Answers `method path` (the path without the query); a handler's non-Response result is sent as JSON 200. */
  route(method: string, path: string, handler: Handler): FakeGateway;
  /** Pushes a record to every open stream, and keeps it for resumes; returns its cursor. */
  push(record: ChangeRecord): string;
  /** `event: reset` on every open stream: the client should reload its lists. */
  reset(reason?: string): void;
  /** `event: expired` on every open stream (the token is about to end). */
  expire(): void;
  /** Drops every open stream (as a gateway restart does). */
  drop(): void;
  /** Changes the token tickets need (e.g. to make the next ticket request a 401). */
  setToken(token: string | undefined): void;
  /** The streams opened so far; `open` ones are not closed or dropped. */
  readonly streams: readonly FakeEventSource[];
  readonly open: readonly FakeEventSource[];
  /** Every request `fetch` got, in order. */
  readonly requests: readonly { method: string; path: string; headers: Record<string, string>; body: unknown }[];
}

/**
 * A gateway in memory, for testing screens without a server: it issues single-use tickets,
 * opens streams (`FakeEventSource`s) that replay from `lastEventId` and then say `ready`, pushes
 * records with cursors, and answers the REST routes you give it (anything else is a 404
 * problem). No timers: everything happens in microtasks, so fake timers do not get in the way.
 */
export function createFakeGateway(options: FakeGatewayOptions = {}): FakeGateway {
  let token = options.token;
  const autoReady = options.autoReady ?? true;
  const routes = new Map<string, Handler>();
  const log: { cursor: string; record: ChangeRecord }[] = [];
  const tickets = new Set<string>();
  const streams: GatewayEventSource[] = [];
  const dropped = new WeakSet<FakeEventSource>();
  const requests: { method: string; path: string; headers: Record<string, string>; body: unknown }[] = [];
  let issued = 0;
  const cursor = () => (log.length ? log[log.length - 1].cursor : 'c0');
  const isOpen = (es: FakeEventSource) => !es.closed && !dropped.has(es);

  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input instanceof Request ? input.url : input), 'http://gateway.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    requests.push({ method, path: url.pathname, headers, body });
    init?.signal?.throwIfAborted();
    if (method === 'POST' && url.pathname === '/api/stream/tickets') {
      if (token !== undefined && headers.Authorization !== `Bearer ${token}`) {
        return jsonResponse(401, { status: 401, title: 'Unauthorized', detail: 'the token is not valid' });
      }
      const ticket = `ticket-${++issued}`;
      tickets.add(ticket);
      return jsonResponse(200, { ticket, expiresIn: 60 });
    }
    const handler = routes.get(`${method} ${url.pathname}`);
    if (!handler) return jsonResponse(404, { status: 404, title: 'Not Found', detail: `no route ${method} ${url.pathname}` });
    const answer = await handler({ method, path: url.pathname, headers, body });
    return answer instanceof Response ? answer : jsonResponse(200, answer);
  };

  class GatewayEventSource extends FakeEventSource {
    recordFrames = false;

    emitRecord(record: ChangeRecord, cursor: string) {
      this.emit(this.recordFrames ? 'record' : record.type, record, cursor);
    }

    constructor(url: string | URL) {
      super(url);
      streams.push(this);
      const query = new URL(String(url), 'http://gateway.test').searchParams;
      const ticket = query.get('ticket') ?? '';
      const from = query.get('lastEventId');
      // As the gateway: `frames=record` names every record frame `record`.
      this.recordFrames = query.get('frames') === 'record';
      void Promise.resolve().then(() => {
        if (!tickets.delete(ticket)) return this.fail(); // unknown or used ticket: the stream is refused
        const at = from ? log.findIndex((e) => e.cursor === from) : -1;
        const resumed = from !== null && (at >= 0 || from === 'c0');
        if (resumed) for (const e of log.slice(at + 1)) this.emitRecord(e.record, e.cursor);
        // A cursor it cannot replay from, as a gateway whose retention passed it: reload.
        else if (from !== null) this.emit('reset', { cursor: cursor(), reason: 'unknown cursor' }, cursor());
        if (autoReady && isOpen(this)) this.ready(cursor(), resumed);
      });
    }
  }

  const gateway: FakeGateway = {
    fetch: fakeFetch as typeof fetch,
    EventSource: GatewayEventSource as unknown as typeof EventSource,
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
      return gateway;
    },
    push(record) {
      const c = `c${log.length + 1}`;
      log.push({ cursor: c, record });
      for (const es of streams.filter(isOpen)) es.emitRecord(record, c);
      return c;
    },
    reset(reason = 'reset') {
      for (const es of streams.filter(isOpen)) es.emit('reset', { cursor: cursor(), reason }, cursor());
    },
    expire() {
      for (const es of streams.filter(isOpen)) es.emit('expired', {});
    },
    drop() {
      for (const es of streams.filter(isOpen)) {
        dropped.add(es);
        es.fail();
      }
    },
    setToken(t) {
      token = t;
    },
    get streams() {
      return streams;
    },
    get open() {
      return streams.filter(isOpen);
    },
    get requests() {
      return requests;
    },
  };
  return gateway;
}


// ---- a fake browser: Web Locks and BroadcastChannel for several tabs ----

/** One tab of a `FakeBrowser`: give it to `connect`/`EventUpdateProvider` as `sharing`. */
export interface FakeTab {
  readonly locks: Pick<LockManager, 'request' | 'query'>;
  readonly BroadcastChannel: typeof BroadcastChannel;
  /** The tab is gone without running any code: its locks are let go, its channels hear nothing more. */
  crash(): void;
}

export interface FakeBrowser {
  /** A new tab (its own lock holder and channels, one browser's locks and channels between them). */
  tab(): FakeTab;
  /** Posts `data` on channel `name` as a script other than the client would (it reaches every tab). */
  postForeign(name: string, data: unknown): void;
  /** The names of the channels open now. */
  readonly channels: readonly string[];
}

type Held = { name: string; mode: LockMode; tab: number };
type Queued = Held & { grant: () => void };

/**
 * Web Locks (exclusive and shared modes, FIFO per name, `signal`, `query`) and BroadcastChannel
 * (structured-cloned, delivered in a microtask to the other tabs' channels of the same name),
 * in memory, for testing the stream shared between tabs. No timers.
 */
export function createFakeBrowser(): FakeBrowser {
  const held: Held[] = [];
  const queue: Queued[] = [];
  const channels = new Set<{ name: string; tab: number; closed: boolean; deliver(data: unknown): void }>();
  const crashed = new Set<number>();
  let tabs = 0;

  const conflicts = (a: LockMode, b: LockMode) => a === 'exclusive' || b === 'exclusive';
  function pump() {
    for (let i = 0; i < queue.length; i++) {
      const q = queue[i];
      const blocked =
        held.some((h) => h.name === q.name && conflicts(h.mode, q.mode)) ||
        queue.slice(0, i).some((e) => e.name === q.name && conflicts(e.mode, q.mode));
      if (blocked) continue;
      queue.splice(i--, 1);
      q.grant();
    }
  }

  function tab(): FakeTab {
    const id = ++tabs;
    const locks = {
      request(name: string, a: LockOptions | LockGrantedCallback<unknown>, b?: LockGrantedCallback<unknown>): Promise<unknown> {
        const options = typeof a === 'function' ? {} : a;
        const callback = (typeof a === 'function' ? a : b) as LockGrantedCallback<unknown>;
        const mode = options.mode ?? 'exclusive';
        return new Promise((resolve, reject) => {
          if (crashed.has(id)) return; // a crashed tab runs nothing
          const signal = options.signal;
          if (signal?.aborted) return reject(new DOMException('The request was aborted', 'AbortError'));
          const entry: Queued = {
            name,
            mode,
            tab: id,
            grant: () => {
              const lock: Held = { name, mode, tab: id };
              held.push(lock);
              Promise.resolve()
                .then(() => callback({ name, mode } as Lock))
                .then(resolve, reject)
                .finally(() => {
                  const at = held.indexOf(lock);
                  if (at >= 0) held.splice(at, 1);
                  pump();
                });
            },
          };
          signal?.addEventListener('abort', () => {
            const at = queue.indexOf(entry);
            if (at < 0) return;
            queue.splice(at, 1);
            reject(new DOMException('The request was aborted', 'AbortError'));
            pump();
          });
          queue.push(entry);
          pump();
        });
      },
      async query(): Promise<LockManagerSnapshot> {
        const info = (l: Held) => ({ name: l.name, mode: l.mode, clientId: `tab-${l.tab}` });
        return { held: held.map(info), pending: queue.map(info) };
      },
    } as unknown as Pick<LockManager, 'request' | 'query'>;

    class FakeBroadcastChannel {
      readonly name: string;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onmessageerror: ((e: MessageEvent) => void) | null = null;
      private readonly entry: { name: string; tab: number; closed: boolean; deliver(data: unknown): void };

      constructor(name: string) {
        this.name = name;
        this.entry = {
          name,
          tab: id,
          closed: false,
          deliver: (data) => this.onmessage?.(new MessageEvent('message', { data })),
        };
        channels.add(this.entry);
      }

      postMessage(data: unknown) {
        if (this.entry.closed) throw new DOMException('The channel is closed', 'InvalidStateError');
        if (crashed.has(id)) return;
        send(this.name, data, this.entry);
      }

      close() {
        this.entry.closed = true;
        channels.delete(this.entry);
      }

      addEventListener() {
        throw new Error('the fake BroadcastChannel supports onmessage only');
      }
    }

    return {
      locks,
      BroadcastChannel: FakeBroadcastChannel as unknown as typeof BroadcastChannel,
      crash() {
        crashed.add(id);
        for (const c of [...channels]) if (c.tab === id) channels.delete(c);
        for (let i = held.length - 1; i >= 0; i--) if (held[i].tab === id) held.splice(i, 1);
        for (let i = queue.length - 1; i >= 0; i--) if (queue[i].tab === id) queue.splice(i, 1);
        pump();
      },
    };
  }

  function send(name: string, data: unknown, from: object | null) {
    const copy = structuredClone(data);
    for (const c of [...channels]) {
      if (c === from || c.name !== name) continue;
      queueMicrotask(() => {
        if (!c.closed && !crashed.has(c.tab) && channels.has(c)) c.deliver(copy);
      });
    }
  }

  return {
    tab,
    postForeign: (name, data) => send(name, data, null),
    get channels() {
      return [...channels].map((c) => c.name);
    },
  };
}
