// Test doubles shared by the unit tests: the public ones from './testing.js', plus a vitest-mocked fetch.
import { vi } from 'vitest';
import { jsonResponse } from './testing.js';

export { FakeEventSource, FakeES, jsonResponse, record } from './testing.js';

/** A fetch whose answers the test queues; with none queued, it hands out tickets t1, t2, … */
export function fakeFetch() {
  let tickets = 0;
  const queue: (() => Response | Promise<Response>)[] = [];
  const fn = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit): Promise<Response> => {
    const next = queue.shift();
    if (next) return next();
    return jsonResponse(200, { ticket: `t${++tickets}`, expiresIn: 60 });
  });
  return Object.assign(fn, {
    /** The next call answers this (a Response, or throws for a network error). */
    answer(make: () => Response | Promise<Response>) {
      queue.push(make);
    },
    headersOf(call: number): Record<string, string> {
      return (fn.mock.calls[call][1]?.headers ?? {}) as Record<string, string>;
    },
  });
}

export function setVisibility(state: DocumentVisibilityState) {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}
