import { act, render, renderHook } from '@testing-library/react';
import { useEffect } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import {
  useEventUpdates,
  useLiveList,
  useOptimisticUpdate,
  usePolling,
  type EventUpdateProviderProps,
} from './react';
import type { ChangeRecord } from './records';
import { FakeEventSource, record, setVisibility } from './test-fakes';
import { fakeStreamPerTest } from './test-fakes-react';

const env = fakeStreamPerTest(() => setVisibility('visible'));
const provider = (props: Partial<EventUpdateProviderProps> = {}) => env.provider({ degradedAfterMs: 3000, ...props });

/** Lets the stream's ticket request settle, inside act since it updates state. */
const settle = () => act(() => vi.advanceTimersByTimeAsync(0));
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

describe('EventUpdateProvider and useEventUpdates', () => {
  async function mounted(props: Partial<EventUpdateProviderProps> = {}) {
    const hook = renderHook(() => useEventUpdates(), { wrapper: provider(props) });
    await settle();
    const kinds = { event: vi.fn(), message: vi.fn(), notification: vi.fn() };
    hook.result.current.onEventUpdate(kinds.event);
    hook.result.current.onMessageUpdate(kinds.message);
    hook.result.current.onNotificationUpdate(kinds.notification);
    return { ...hook, kinds, es: FakeEventSource.last };
  }

  it('reports the connection state', async () => {
    const { result, es } = await mounted();
    expect(result.current.connectionState).toBe('connecting');
    act(() => es.ready('c0'));
    expect(result.current.connectionState).toBe('live');
  });

  it('tells whether the last ready resumed from the tab\'s cursor', async () => {
    const { result, es } = await mounted();
    expect(result.current.lastReady).toBeNull();
    act(() => es.ready('c7', true));
    expect(result.current.lastReady).toEqual({ cursor: 'c7', resumed: true });
  });

  it("routes each record to its kind's callbacks", async () => {
    const { kinds, es } = await mounted();
    const pushed: ChangeRecord[] = [
      record('event.approved', { id: 'e1' }),
      record('booking.confirmed', { id: 'b1' }),
      record('conversation.created', { id: 'c1' }),
      record('message.sent', { id: 'm1' }),
      record('conversation.read', { conversationId: 'c1' }),
      record('notification.created', { id: 'n1' }),
      record('notification.read-all', { count: 2 }),
    ];
    act(() => {
      es.ready('c0');
      pushed.forEach((r, i) => es.emit(r.type, r, `c${i + 1}`));
    });

    expect(kinds.event.mock.calls).toEqual([[pushed[0]], [pushed[1]]]);
    expect(kinds.message.mock.calls).toEqual([[pushed[2]], [pushed[3]], [pushed[4]]]);
    expect(kinds.notification.mock.calls).toEqual([[pushed[5]], [pushed[6]]]);
  });

  it("trigger…Refresh calls only that kind's callbacks, with no record", async () => {
    const { result, kinds } = await mounted();

    act(() => result.current.triggerEventRefresh());
    expect(kinds.event).toHaveBeenCalledTimes(1);
    expect(kinds.event.mock.calls[0]).toEqual([undefined]);
    expect(kinds.message).not.toHaveBeenCalled();
    expect(kinds.notification).not.toHaveBeenCalled();

    act(() => result.current.triggerMessageRefresh());
    act(() => result.current.triggerNotificationRefresh());
    expect(kinds.message.mock.calls).toEqual([[undefined]]);
    expect(kinds.notification.mock.calls).toEqual([[undefined]]);
  });

  it("an unknown record type tells its family's callbacks to reload, and reaches onUnknownRecord", async () => {
    const onUnknownRecord = vi.fn();
    const { kinds, es } = await mounted({ onUnknownRecord });
    const newer = record('message.edited' as ChangeRecord['type'], { id: 'm1' });
    act(() => {
      es.ready('c0');
      es.emit('record', newer, 'c1');
    });
    expect(kinds.message.mock.calls).toEqual([[undefined]]);
    expect(kinds.event).not.toHaveBeenCalled();
    expect(kinds.notification).not.toHaveBeenCalled();
    expect(onUnknownRecord.mock.calls).toEqual([[{ ...newer, kind: 'unknown' }]]);
  });

  it('on a stream reset calls every kind with no record', async () => {
    const { kinds, es } = await mounted();
    act(() => {
      es.ready('c0', true);
      es.emit('reset', { cursor: 'c1', reason: 'retention' }, 'c1');
    });
    for (const cb of Object.values(kinds)) expect(cb.mock.calls).toEqual([[undefined]]);
  });

  it('stops calling a callback once unsubscribed, and one failing callback does not stop the others', async () => {
    const { result, kinds } = await mounted();
    const failing = vi.fn(() => {
      throw new Error('boom');
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const unsubscribeFailing = result.current.onEventUpdate(failing);
    const other = vi.fn();
    const unsubscribe = result.current.onEventUpdate(other);

    act(() => result.current.triggerEventRefresh());
    expect(failing).toHaveBeenCalledTimes(1);
    expect(other).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalled();

    unsubscribe();
    unsubscribeFailing();
    act(() => result.current.triggerEventRefresh());
    expect(other).toHaveBeenCalledTimes(1);
    expect(kinds.event).toHaveBeenCalledTimes(2);
  });

  it('keeps its methods across connection state changes', async () => {
    const { result, es } = await mounted();
    const before = result.current.onEventUpdate;
    act(() => es.ready('c0'));
    expect(result.current.onEventUpdate).toBe(before);
  });

  it('calls onSessionExpired when the ticket request gets a 401, and closes', async () => {
    const onSessionExpired = vi.fn();
    env.fetch.answer(() => new Response(null, { status: 401 }));
    const { result } = renderHook(() => useEventUpdates(), { wrapper: provider({ onSessionExpired }) });
    await settle();
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(result.current.connectionState).toBe('closed');
  });

  it('closes the stream on unmount', async () => {
    const { unmount, es } = await mounted();
    unmount();
    expect(es.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('throws outside a provider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useEventUpdates())).toThrow(/EventUpdateProvider/);
  });
});

describe('usePolling', () => {
  it('outside a provider polls every interval while the tab is visible', async () => {
    const onPoll = vi.fn();
    renderHook(() => usePolling({ enabled: true, interval: 1000, onPoll }));

    await advance(3000);
    expect(onPoll).toHaveBeenCalledTimes(3);

    act(() => setVisibility('hidden'));
    await advance(5000);
    expect(onPoll).toHaveBeenCalledTimes(3);

    act(() => setVisibility('visible'));
    await advance(1000);
    expect(onPoll).toHaveBeenCalledTimes(4);
  });

  it('does not poll when disabled, and uses the latest onPoll', async () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = renderHook((p: { enabled: boolean; onPoll: () => void }) => usePolling({ interval: 1000, ...p }), {
      initialProps: { enabled: false, onPoll: first },
    });
    await advance(5000);
    expect(first).not.toHaveBeenCalled();

    rerender({ enabled: true, onPoll: first });
    await advance(1000);
    rerender({ enabled: true, onPoll: second });
    await advance(1000);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("inside a provider polls only while the stream is in state 'degraded'", async () => {
    const onPoll = vi.fn();
    const { result } = renderHook(
      () => {
        usePolling({ enabled: true, interval: 1000, onPoll });
        return useEventUpdates().connectionState;
      },
      { wrapper: provider() },
    );
    await settle();
    act(() => FakeEventSource.last.ready('c0'));
    await advance(10_000);
    expect(result.current).toBe('live');
    expect(onPoll).not.toHaveBeenCalled();

    // Down, and the new stream never says ready: 'degraded' after 3 s.
    act(() => FakeEventSource.last.fail());
    await advance(2999);
    expect(result.current).toBe('reconnecting');
    expect(onPoll).not.toHaveBeenCalled();
    await advance(1);
    expect(result.current).toBe('degraded');
    await advance(3000);
    expect(onPoll).toHaveBeenCalledTimes(3);

    // Not while hidden, even when polling.
    act(() => setVisibility('hidden'));
    await advance(3000);
    expect(onPoll).toHaveBeenCalledTimes(3);
    act(() => setVisibility('visible'));
    await settle();

    act(() => FakeEventSource.last.ready('c1', true));
    expect(result.current).toBe('live');
    const calls = onPoll.mock.calls.length;
    await advance(10_000);
    expect(onPoll).toHaveBeenCalledTimes(calls);
  });
});

describe('useOptimisticUpdate', () => {
  interface Item {
    id: string;
    version: number;
    title: string;
  }
  const item = (id: string, version: number, title = id): Item => ({ id, version, title });
  const retitle = (id: string, title: string) => ({
    id,
    apply: (items: Item[]) => items.map((i) => (i.id === id ? { ...i, title } : i)),
  });

  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  function mounted(initial: Item[] = [item('a', 1), item('b', 1)]) {
    const hook = renderHook(() => useOptimisticUpdate<Item>());
    act(() => hook.result.current.setItems(initial));
    return hook;
  }

  it('applies a change at once and merges the server result', async () => {
    const { result } = mounted();
    const server = deferred<Item>();
    let done!: Promise<Item>;

    act(() => {
      done = result.current.mutate(retitle('a', 'A!'), () => server.promise);
    });
    expect(result.current.items).toEqual([item('a', 1, 'A!'), item('b', 1)]);
    expect([...result.current.pending]).toEqual(['a']);

    await act(async () => {
      server.resolve(item('a', 2, 'A! (saved)'));
      await done;
    });
    expect(result.current.items).toEqual([item('a', 2, 'A! (saved)'), item('b', 1)]);
    expect(result.current.pending.size).toBe(0);
  });

  it.each([
    ['a 409', new ApiError({ status: 409, title: 'Conflict' })],
    ['a 412', new ApiError({ status: 412, title: 'Precondition failed' })],
    ['a network error', new TypeError('Failed to fetch')],
  ])('on %s rolls back only the failed change and rethrows', async (_, error) => {
    const { result } = mounted();
    const failing = deferred<Item>();
    const other = deferred<Item>();
    let doneA!: Promise<Item>;
    act(() => {
      doneA = result.current.mutate(retitle('a', 'A?'), () => failing.promise);
      void result.current.mutate(retitle('b', 'B!'), () => other.promise);
    });
    doneA.catch(() => {});
    expect(result.current.items.map((i) => i.title)).toEqual(['A?', 'B!']);

    await act(async () => {
      failing.reject(error);
      await expect(doneA).rejects.toBe(error);
    });

    expect(result.current.items).toEqual([item('a', 1), item('b', 1, 'B!')]);
    expect([...result.current.pending]).toEqual(['b']);
  });

  it('keeps a newer pushed version over an older server answer', async () => {
    const { result } = mounted();
    const server = deferred<Item>();
    let done!: Promise<Item>;
    act(() => {
      done = result.current.mutate(retitle('a', 'mine'), () => server.promise);
    });
    act(() => result.current.applyRecord({ subject: 'a', aggregateversion: 3, data: item('a', 3, 'theirs') }));
    expect(result.current.items[0].title).toBe('mine'); // the pending change still shows on top

    await act(async () => {
      server.resolve(item('a', 2, 'mine'));
      await done;
    });
    expect(result.current.items[0]).toEqual(item('a', 3, 'theirs'));
  });

  it('puts a created item where its optimistic stand-in was', async () => {
    const { result } = mounted();
    const server = deferred<Item>();
    let done!: Promise<Item>;
    act(() => {
      done = result.current.mutate({ id: 'tmp-1', apply: (items) => [item('tmp-1', 0, 'new'), ...items] }, () => server.promise);
    });
    expect(result.current.items.map((i) => i.id)).toEqual(['tmp-1', 'a', 'b']);

    await act(async () => {
      server.resolve(item('e9', 1, 'new'));
      await done;
    });
    expect(result.current.items.map((i) => i.id)).toEqual(['e9', 'a', 'b']);
    expect(result.current.pending.size).toBe(0);
  });

  it('applyRecord upserts newer versions, ignores older ones and is idempotent', () => {
    const { result } = mounted();
    const v2 = { subject: 'a', aggregateversion: 2, data: item('a', 2, 'A2') };

    act(() => result.current.applyRecord(v2));
    expect(result.current.items[0]).toEqual(item('a', 2, 'A2'));
    const after = result.current.items;

    act(() => result.current.applyRecord(v2));
    act(() => result.current.applyRecord({ subject: 'a', aggregateversion: 1, data: item('a', 1, 'old') }));
    expect(result.current.items).toBe(after);

    act(() => result.current.applyRecord({ subject: 'c', aggregateversion: 1, data: item('c', 1) }));
    expect(result.current.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });

  it('applyRecord with remove drops the item unless a newer version is held', () => {
    const { result } = mounted([item('a', 3), item('b', 1)]);
    act(() => result.current.applyRecord({ subject: 'a', aggregateversion: 2, data: item('a', 2) }, { remove: true }));
    expect(result.current.items.map((i) => i.id)).toEqual(['a', 'b']);
    act(() => result.current.applyRecord({ subject: 'a', aggregateversion: 3, data: item('a', 3) }, { remove: true }));
    expect(result.current.items.map((i) => i.id)).toEqual(['b']);
  });

  it('setItems takes the fresh list but keeps a newer version it already holds', () => {
    const { result } = mounted();
    act(() => result.current.applyRecord({ subject: 'a', aggregateversion: 3, data: item('a', 3, 'pushed') }));

    act(() => result.current.setItems([item('a', 2, 'fetched'), item('c', 1)]));

    expect(result.current.items).toEqual([item('a', 3, 'pushed'), item('c', 1)]);
  });
});

describe('re-renders on connection changes', () => {
  it('only the components that read the state re-render when it changes', async () => {
    const renders = { subscriber: 0, indicator: 0, ready: 0, poller: 0, list: 0 };
    function Subscriber() {
      renders.subscriber++;
      const { onEventUpdate } = useEventUpdates();
      useEffect(() => onEventUpdate(() => {}), [onEventUpdate]);
      return null;
    }
    function Indicator() {
      renders.indicator++;
      return <span>{useEventUpdates().connectionState}</span>;
    }
    function Ready() {
      renders.ready++;
      return <span>{useEventUpdates().lastReady?.cursor ?? '-'}</span>;
    }
    function Poller() {
      renders.poller++;
      usePolling({ enabled: true, interval: 1000, onPoll: () => {} });
      return null;
    }
    function List() {
      renders.list++;
      useLiveList<{ id: string; version: number }>({ load: async () => [] });
      return null;
    }
    const Wrapper = provider();
    render(
      <Wrapper>
        <Subscriber />
        <Indicator />
        <Ready />
        <Poller />
        <List />
      </Wrapper>,
    );
    await settle();
    const afterMount = { ...renders };

    act(() => FakeEventSource.last.ready('c1')); // connecting → live, and a ready
    act(() => FakeEventSource.last.fail()); // live → reconnecting
    await advance(500);
    act(() => FakeEventSource.last.ready('c2')); // → live, another ready

    expect(renders.subscriber).toBe(afterMount.subscriber);
    expect(renders.list).toBe(afterMount.list);
    expect(renders.poller).toBe(afterMount.poller); // never 'degraded' here, so nothing it reads changed
    expect(renders.indicator - afterMount.indicator).toBe(3); // live, reconnecting, live
    expect(renders.ready - afterMount.ready).toBe(2); // c1, c2
  });

  it("usePolling re-renders when the stream goes down to 'degraded' and polls then", async () => {
    const onPoll = vi.fn();
    let renders = 0;
    function Poller() {
      renders++;
      usePolling({ enabled: true, interval: 1000, onPoll });
      return null;
    }
    const Wrapper = provider();
    render(
      <Wrapper>
        <Poller />
      </Wrapper>,
    );
    await settle();
    const before = renders;
    await advance(3000); // degradedAfterMs without a ready
    expect(renders).toBe(before + 1);
    await advance(1000);
    expect(onPoll).toHaveBeenCalledTimes(1);
  });
});
