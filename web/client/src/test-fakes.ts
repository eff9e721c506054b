// Test doubles shared by the unit tests: the public ones from './testing.js', plus a vitest-mocked fetch.
import { vi } from 'vitest';
import { jsonResponse } from './testing.js';

export { FakeEventSource, FakeES, jsonResponse, record } from './testing.js';

type Answer = (input: RequestInfo | URL, init?: RequestInit) => Response | Promise<Response>;

/** A fetch that never answers, and rejects with the signal's reason once the call is aborted. */
export function hangUntilAborted(_input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  return new Promise((_, reject) => {
    const signal = init?.signal;
    if (!signal) return; // never settles: a call without a signal would hang for good
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** A fetch whose answers the test queues; with none queued, it hands out tickets t1, t2, … */
export function fakeFetch() {
  let tickets = 0;
  const queue: Answer[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const next = queue.shift();
    if (next) return next(input, init);
    return jsonResponse(200, { ticket: `t${++tickets}`, expiresIn: 60 });
  });
  return Object.assign(fn, {
    /** The next call answers this (a Response, or throws for a network error). */
    answer(make: Answer) {
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
