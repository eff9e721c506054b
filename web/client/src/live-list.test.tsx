import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useEventUpdates, useLiveList, type LiveListOptions } from './react';
import { isEventRecord } from './records';
import { FakeEventSource, record } from './test-fakes';
import { fakeStreamPerTest } from './test-fakes-react';

interface Item {
  id: string;
  version: number;
  title: string;
}

/** A load the test answers when it chooses: that is the race. */
function loads() {
  const calls: { resolve: (items: Item[]) => void; reject: (e: unknown) => void; signal: AbortSignal }[] = [];
  const load = vi.fn(
    (signal: AbortSignal) =>
      new Promise<Item[]>((resolve, reject) => {
        calls.push({ resolve, reject, signal });
      }),
  );
  return { load, calls };
}

const item = (id: string, version: number, title = `${id}@${version}`): Item => ({ id, version, title });

/** The events list of this test: every event record is its, event.cancelled removes. */
const match: LiveListOptions<Item>['match'] = (r) =>
  isEventRecord(r) ? (r.type === 'event.cancelled' ? 'remove' : (r.data as unknown as Item)) : null;

const env = fakeStreamPerTest();

function mount(load: LiveListOptions<Item>['load']) {
  return renderHook(() => ({ list: useLiveList<Item>({ load, kind: 'event', match }), updates: useEventUpdates() }), {
    wrapper: env.provider(),
  });
}

/** The server pushes `type` for `it` (an event record at the item's version). */
function push(type: 'event.updated' | 'event.created' | 'event.cancelled', it: Item) {
  const r = record(type, it, { aggregateversion: it.version });
  act(() => FakeEventSource.last.emit(type, r, r.id));
}

const shown = (items: Item[]) => [...items].sort((a, b) => a.id.localeCompare(b.id)).map((i) => `${i.id}@${i.version}`);

describe('useLiveList', () => {
  it('is exact when records arrive before, during and after the load', async () => {
    const { load, calls } = loads();
    const { result } = mount(load);
    await act(() => vi.advanceTimersByTimeAsync(0));
    act(() => FakeEventSource.last.ready('c0'));
    expect(load).toHaveBeenCalledTimes(1);

    // During the first load (its answer was read before these changes):
    push('event.updated', item('e1', 2)); // a change the answer predates
    push('event.created', item('e9', 1)); // an item the answer does not have yet
    push('event.cancelled', item('e2', 2)); // a removal the answer predates
    push('event.updated', item('e3', 1)); // older than what the answer holds
    await act(async () => calls[0].resolve([item('e1', 1), item('e2', 1), item('e3', 3)]));
    expect(shown(result.current.list.items)).toEqual(['e1@2', 'e3@3', 'e9@1']);
    expect(result.current.list.loaded).toBe(true);

    // After the load: older ignored, newer applied, a repeat is a no-op.
    const before = result.current.list.items;
    push('event.updated', item('e1', 1));
    push('event.updated', item('e1', 2));
    expect(result.current.list.items).toBe(before);
    push('event.updated', item('e3', 4));
    expect(shown(result.current.list.items)).toEqual(['e1@2', 'e3@4', 'e9@1']);

    // Before a reload: a change held, then a reset reloads, and the (stale) answer does not undo it.
    push('event.updated', item('e9', 2));
    act(() => FakeEventSource.last.emit('reset', { cursor: 'c9', reason: 'retention' }, 'c9'));
    expect(load).toHaveBeenCalledTimes(2);
    await act(async () => calls[1].resolve([item('e1', 2), item('e3', 4), item('e9', 1)]));
    expect(shown(result.current.list.items)).toEqual(['e1@2', 'e3@4', 'e9@2']);
  });

  it('takes only the latest of overlapping loads, and aborts the one it replaced', async () => {
    const { load, calls } = loads();
    const { result } = mount(load);
    await act(() => vi.advanceTimersByTimeAsync(0));
    act(() => result.current.updates.triggerEventRefresh()); // "reload", as a reset does
    expect(load).toHaveBeenCalledTimes(2);
    expect(calls[0].signal.aborted).toBe(true);

    await act(async () => calls[1].resolve([item('e1', 5)]));
    await act(async () => calls[0].resolve([item('e1', 1), item('old', 1)]));
    expect(shown(result.current.list.items)).toEqual(['e1@5']);
  });

  it('reports a failed load, keeps what it holds, and loads again once live', async () => {
    const { load, calls } = loads();
    const { result } = mount(load);
    await act(() => vi.advanceTimersByTimeAsync(0));
    await act(async () => calls[0].reject(new Error('503 from the service')));
    expect(result.current.list.error).toBe('503 from the service');
    act(() => FakeEventSource.last.ready('c0'));
    expect(load).toHaveBeenCalledTimes(2);
    await act(async () => calls[1].resolve([item('e1', 1)]));
    expect(result.current.list.error).toBeNull();
    expect(shown(result.current.list.items)).toEqual(['e1@1']);
  });

  it('ignores records its matcher does not claim', async () => {
    const { load, calls } = loads();
    const { result } = mount(load);
    await act(() => vi.advanceTimersByTimeAsync(0));
    await act(async () => calls[0].resolve([]));
    const b = record('booking.confirmed', { id: 'b1', version: 1 });
    act(() => FakeEventSource.last.emit(b.type, b, b.id));
    expect(result.current.list.items).toEqual([]);
  });
});
