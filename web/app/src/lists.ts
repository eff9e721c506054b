// Helpers for the live lists (useLiveList from @eventline/client/react): a fetched resource as a
// record, the seat counts that booking records carry, and the rows with a call in flight.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BookedEventSummary, ChangeRecord, EventDto } from '@eventline/client';
import { useEventUpdates, useLiveList, usePolling, type LiveList } from '@eventline/client/react';
import { useApp } from './context';
import { describeError, fetchAll, isoMicros } from './util';

/** The server's list at `path` (every page of it), live as the caller applies records; a failed load's error as text. */
export function useServerList<T extends { id: string; version: number }>(path: string): LiveList<T> {
  const { api } = useApp();
  return useLiveList<T>({
    load: () => fetchAll<T>(api, path),
    describeError: (e) => describeError(e).message,
  });
}

/**
 * The dashboards' rule for keeping their lists: each pushed event or booking record to `onRecord`;
 * after a gap in the stream (when records may have been missed), and every 15 s while the stream
 * is degraded, `reloadAll`. The latest of both is called.
 */
export function useEventRecords(onRecord: (r: ChangeRecord) => void, reloadAll: () => void) {
  const { onEventUpdate } = useEventUpdates();
  const latest = useRef({ onRecord, reloadAll });
  latest.current = { onRecord, reloadAll };
  useEffect(() => onEventUpdate((r) => (r ? latest.current.onRecord(r) : latest.current.reloadAll())), [onEventUpdate]);
  usePolling({ enabled: true, interval: 15_000, onPoll: () => latest.current.reloadAll() });
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

/**
 * The ids whose row has a call in flight (a booking, a review decision), and `mark(id, on)` to
 * add or drop one: the row's buttons are disabled meanwhile.
 */
export function useBusyIds(): [ReadonlySet<string>, (id: string, on: boolean) => void] {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const mark = useCallback((id: string, on: boolean) => {
    setIds((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  return [ids, mark];
}
