// A server list kept live: loaded on mount, reloaded on demand (a stream reset, a trigger, the
// polling fallback), with pushed records applied on top by useOptimisticUpdate (subject +
// aggregateversion, so a record that arrives while the list is being fetched is harmless).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useEventUpdates, useOptimisticUpdate } from '@eventline/client/react';
import type { BookedEventSummary, EventDto } from '@eventline/client';
import { describeError, isoMicros } from './util';

type Applied<T> = { record: { subject: string; aggregateversion: number; data: T }; remove: boolean };

export function useLiveList<T extends { id: string; version: number }>(load: () => Promise<T[]>) {
  const list = useOptimisticUpdate<T>();
  const listRef = useRef(list);
  listRef.current = list;
  /** The items as last rendered, for callbacks that outlive a render (stream subscriptions). */
  const itemsRef = useRef(list.items);
  itemsRef.current = list.items;
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const inFlight = useRef(false);
  // What was applied while a fetch was in flight: the answer may predate it (an item created,
  // changed or removed meanwhile), so it is applied again on top of the fresh list. applyRecord
  // is idempotent by version, so replaying what the answer already reflects changes nothing.
  const journal = useRef<Applied<T>[]>([]);
  const [loading, setLoading] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = useCallback(
    (record: { subject: string; aggregateversion: number; data: T }, opts?: { remove?: boolean }) => {
      const remove = opts?.remove === true;
      listRef.current.applyRecord(record, { remove });
      if (inFlight.current) journal.current.push({ record, remove });
    },
    [],
  );

  const mutate = useCallback(
    async <R extends T>(change: { id: string; apply: (items: T[]) => T[] }, request: () => Promise<R>): Promise<R> => {
      const result = await listRef.current.mutate(change, request);
      if (inFlight.current) journal.current.push({ record: asRecord<T>(result), remove: false });
      return result;
    },
    [],
  );

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    inFlight.current = true;
    journal.current = [];
    setLoading(true);
    try {
      const items = await loadRef.current();
      // Only the latest request counts: an older answer must not overwrite a newer one.
      if (mine !== seq.current) return;
      const replay = journal.current;
      journal.current = [];
      inFlight.current = false;
      listRef.current.setItems(items);
      for (const a of replay) listRef.current.applyRecord(a.record, { remove: a.remove });
      setError(null);
      setLoaded(true);
    } catch (e) {
      if (mine === seq.current) {
        inFlight.current = false;
        journal.current = [];
        setError(describeError(e).message);
      }
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  // Back to live after a failed load: fetch the list that shows an error once more. Coming back after
  // an outage needs no fetch: the resumed stream replays every record missed (a gap it cannot replay
  // arrives as a reset, which reloads).
  const { connectionState } = useEventUpdates();
  const prevState = useRef(connectionState);
  const errorRef = useRef(error);
  errorRef.current = error;
  useEffect(() => {
    const prev = prevState.current;
    prevState.current = connectionState;
    if (connectionState === 'live' && prev !== 'live' && errorRef.current !== null) {
      void reload();
    }
  }, [connectionState, reload]);

  return {
    items: list.items,
    itemsRef,
    pending: list.pending,
    setItems: list.setItems,
    apply,
    mutate,
    reload,
    loading,
    loaded,
    error,
  };
}

/** A pushed or answered resource as the record shape applyRecord takes. */
export function asRecord<T extends { id: string; version: number }>(item: T) {
  return { subject: item.id, aggregateversion: item.version, data: item };
}

interface SeatInfo {
  seatsBooked: number;
  capacity: number;
  /** When the booking change happened, in microseconds. */
  at: number;
}

/**
 * Seat counts learned from booking records. A booking moves its event's version on, but only a
 * booking record (not an event record) says so, and it carries the event's seatsBooked without
 * the event's version. So the count is kept beside the list and wins while it is at least as
 * recent as the event's updatedAt (a booking touches the event's updatedAt in the same
 * transaction, and the record's time is taken after it); any later change of the event, pushed
 * or reloaded, carries its own count and wins.
 */
export function useSeatOverlay() {
  const [map, setMap] = useState<ReadonlyMap<string, SeatInfo>>(() => new Map());

  const note = useCallback((eventId: string, event: BookedEventSummary, time: string) => {
    const at = isoMicros(time);
    setMap((prev) => {
      const cur = prev.get(eventId);
      if (cur && cur.at > at) return prev;
      const next = new Map(prev);
      next.set(eventId, { seatsBooked: event.seatsBooked, capacity: event.capacity, at });
      return next;
    });
  }, []);

  const seatsOf = useCallback(
    (e: EventDto): { seatsBooked: number; capacity: number } => {
      const o = map.get(e.id);
      return o && o.at >= isoMicros(e.updatedAt) ? o : e;
    },
    [map],
  );

  return { note, seatsOf };
}
