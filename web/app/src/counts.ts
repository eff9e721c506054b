// A count the server keeps (an unread total), shown as a badge that moves at once on a local change.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Count } from '@eventline/client';
import { useApp } from './context';

export interface ServerCount {
  count: number;
  /** Ask the server now. */
  refresh: () => Promise<void>;
  /** Ask the server again soon (after a local change, or a pushed record that changes the count). */
  schedule: () => void;
  /** Move the badge at once, ahead of the server's answer; an answer already in flight is dropped. */
  nudge: (next: (count: number) => number) => void;
}

/**
 * The count at `path` (a Count), asked for on mount, by `refresh`, and 150 ms after each
 * `schedule`. An answer that predates a later schedule or nudge (its change) is dropped; a failed
 * ask is tried again on the next record, reload or poll.
 */
export function useServerCount(path: string): ServerCount {
  const { api } = useApp();
  const [count, setCount] = useState(0);
  const seq = useRef(0);
  const timer = useRef<number | undefined>(undefined);

  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const res = await api.get<Count>(path);
      if (mine === seq.current && res.data) setCount(res.data.count);
    } catch {
      // tried again on the next record, reload or poll
    }
  }, [api, path]);

  const schedule = useCallback(() => {
    seq.current++; // an answer in flight may predate the change
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void refresh(), 150);
  }, [refresh]);

  const nudge = useCallback((next: (count: number) => number) => {
    seq.current++;
    setCount(next);
  }, []);

  useEffect(() => {
    void refresh();
    return () => window.clearTimeout(timer.current);
  }, [refresh]);

  return { count, refresh, schedule, nudge };
}
