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

