// The per-test setup of the unit tests that mount the React hooks on a fake stream (vitest only:
// like test-fakes.ts, it is not part of the published package).
import { cleanup } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, vi } from 'vitest';
import { EventUpdateProvider, type EventUpdateProviderProps } from './react';
import { FakeES, FakeEventSource, fakeFetch } from './test-fakes';

/**
 * Registers, around each test of the calling file: fake timers, no EventSource left from an earlier
 * test and a fresh `fetch` (the returned object's, replaced before each test); after it, what it
 * rendered unmounted, then `after`, then real timers again. `provider` wraps what a test renders in
 * an EventUpdateProvider on that fake stream.
 */
export function fakeStreamPerTest(after?: () => void) {
  const env = {
    fetch: fakeFetch(),
    provider(props: Partial<EventUpdateProviderProps> = {}) {
      return ({ children }: { children: ReactNode }) => (
        <EventUpdateProvider getToken={() => 'jwt'} EventSource={FakeES} fetch={env.fetch} {...props}>
          {children}
        </EventUpdateProvider>
      );
    },
  };
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    env.fetch = fakeFetch();
  });
  afterEach(() => {
    cleanup();
    after?.();
    vi.useRealTimers();
  });
  return env;
}
