// The React side, fed by the stream. A change callback usually gets the pushed record to apply; it
// gets no record when a reload is the only safe answer (a trigger…Refresh call or a stream reset).

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import {
  isUnknownRecord,
  updateKindOf,
  updateKindOfType,
  type ChangeRecord,
  type UnknownRecord,
  type UpdateKind,
} from './records.js';
import { connect, type ConnectOptions } from './shared.js';
import type { ConnectionState, StreamStatus } from './stream.js';

export type UpdateListener = (record?: ChangeRecord) => void;

export interface EventUpdates {
  /** event.* and booking.* records; returns the unsubscribe function. */
  onEventUpdate(cb: UpdateListener): () => void;
  /** conversation.* and message.* records. */
  onMessageUpdate(cb: UpdateListener): () => void;
  /** notification.* records. */
  onNotificationUpdate(cb: UpdateListener): () => void;
  /** Calls that kind's callbacks with no record: "reload". */
  triggerEventRefresh(): void;
  triggerMessageRefresh(): void;
  triggerNotificationRefresh(): void;
  connectionState: ConnectionState;
  /** The whole status: the state, why it is degraded, and whether this tab shares the stream. */
  status: StreamStatus;
  /** The last `ready` of the stream: `resumed` is true when it continued from this tab's cursor. */
  lastReady: { cursor: string; resumed: boolean } | null;
}

type ReadyInfo = { cursor: string; resumed: boolean };
type Methods = Omit<EventUpdates, 'connectionState' | 'status' | 'lastReady'>;

/**
 * The connection's state outside React state: a state change re-renders only the components that
 * read the part that changed (useSyncExternalStore), not every consumer of the provider.
 */
function createConnectionStore() {
  let snapshot: { connectionState: ConnectionState; status: StreamStatus; lastReady: ReadyInfo | null } = {
    connectionState: 'connecting',
    status: { state: 'connecting', reason: null, sharing: 'solo', soloReason: null },
    lastReady: null,
  };
  const listeners = new Set<() => void>();
  return {
    get: () => snapshot,
    set(patch: Partial<typeof snapshot>) {
      snapshot = { ...snapshot, ...patch };
      for (const l of [...listeners]) l();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
type ConnectionStore = ReturnType<typeof createConnectionStore>;

// Never changes while the provider is mounted: its consumers re-render only through the store.
const EventUpdateContext = createContext<{ methods: Methods; store: ConnectionStore } | null>(null);

/** Re-renders when `select` of the connection store changes (Object.is), and only then. */
function useConnectionSelector<R>(store: ConnectionStore | null, select: (s: ReturnType<ConnectionStore['get']>) => R, fallback: R): R {
  return useSyncExternalStore(
    store?.subscribe ?? noSubscribe,
    () => (store ? select(store.get()) : fallback),
    () => (store ? select(store.get()) : fallback),
  );
}
const noSubscribe = () => () => {};

/** Fan-out of updates to the subscribers of each kind. */
function createBus() {
  const subscribers: Record<UpdateKind, Set<{ cb: UpdateListener }>> = {
    event: new Set(),
    message: new Set(),
    notification: new Set(),
  };
  return {
    subscribe: (kind: UpdateKind) => (cb: UpdateListener) => {
      const entry = { cb }; // its own entry, so subscribing one function twice unsubscribes once
      subscribers[kind].add(entry);
      return () => void subscribers[kind].delete(entry);
    },
    emit(kind: UpdateKind, record?: ChangeRecord) {
      // A copy: a callback may unsubscribe (or subscribe) while we iterate.
      for (const { cb } of [...subscribers[kind]]) {
        try {
          cb(record);
        } catch (e) {
          console.error(e); // one broken screen must not keep the others stale
        }
      }
    },
  };
}

export interface EventUpdateProviderProps
  extends Pick<
    ConnectOptions,
    | 'getToken'
    | 'baseUrl'
    | 'onSessionExpired'
    | 'degradedAfterMs'
    | 'heartbeatMs'
    | 'share'
    | 'shareKey'
    | 'pauseWhenHiddenMs'
    | 'backoff'
    | 'EventSource'
    | 'fetch'
    | 'sharing'
  > {
  children?: ReactNode;
  /**
   * A record of a type this client does not know (the server is newer). Its kind's listeners
   * get no record, meaning "reload", whether or not this is given.
   */
  onUnknownRecord?: (record: UnknownRecord) => void;
}

/**
 * Opens the tab's stream while mounted and routes its records to the hooks below. The stream
 * reads the latest getToken/onSessionExpired props on each use, so inline functions are fine; it
 * reconnects only when baseUrl changes. Give the provider a `key` per signed-in user, so that a
 * new user gets a new stream.
 */
export function EventUpdateProvider({ children, ...options }: EventUpdateProviderProps) {
  const [store] = useState(createConnectionStore);
  const latest = useRef(options);
  latest.current = options;
  const [bus] = useState(createBus);
  // Survives a remount of the effect (StrictMode, a baseUrl change): the new stream resumes.
  const cursor = useRef<string | null>(null);

  useEffect(() => {
    const { baseUrl, degradedAfterMs, heartbeatMs, share, shareKey, pauseWhenHiddenMs, backoff, EventSource, fetch, sharing } =
      latest.current;
    const connection = connect({
      baseUrl,
      degradedAfterMs,
      heartbeatMs,
      share,
      shareKey,
      pauseWhenHiddenMs,
      backoff,
      EventSource,
      fetch,
      sharing,
      lastEventId: cursor.current,
      getToken: () => latest.current.getToken(),
      onSessionExpired: () => latest.current.onSessionExpired?.(),
      onStatusChange: (status) => store.set({ connectionState: status.state, status }),
      onReady: (lastReady) => store.set({ lastReady }),
      onRecord: (record) => {
        if (isUnknownRecord(record)) {
          // A type this client does not know, of a family it does: that kind's lists may be
          // stale in a way only the server can say, so its listeners are told to reload.
          latest.current.onUnknownRecord?.(record);
          const kind = updateKindOfType(record.type);
          if (kind) bus.emit(kind);
          return;
        }
        const kind = updateKindOf(record);
        if (kind) bus.emit(kind, record);
      },
      onReset: () => {
        bus.emit('event');
        bus.emit('message');
        bus.emit('notification');
      },
    });
    return () => {
      cursor.current = connection.lastEventId;
      connection.close();
    };
  }, [bus, store, options.baseUrl, options.share, options.shareKey]);

  const methods = useMemo(
    () => ({
      onEventUpdate: bus.subscribe('event'),
      onMessageUpdate: bus.subscribe('message'),
      onNotificationUpdate: bus.subscribe('notification'),
      triggerEventRefresh: () => bus.emit('event'),
      triggerMessageRefresh: () => bus.emit('message'),
      triggerNotificationRefresh: () => bus.emit('notification'),
    }),
    [bus],
  );
  // The methods keep their identity across state changes, so effects that subscribe with them
  // do not resubscribe each time the connection state moves.
  const value = useMemo(() => ({ methods, store }), [methods, store]);
  return <EventUpdateContext.Provider value={value}>{children}</EventUpdateContext.Provider>;
}

/**
 * The provider's methods, plus `connectionState` and `lastReady`. A component re-renders on a
 * connection change only if it read the field that changed during its render (the fields are
 * tracked on access, as SWR does); one that only subscribes never re-renders for it.
 */
export function useEventUpdates(): EventUpdates {
  const ctx = useContext(EventUpdateContext);
  if (!ctx) throw new Error('useEventUpdates() needs an <EventUpdateProvider> above it');
  const { methods, store } = ctx;
  const tracked = useRef({ connectionState: false, status: false, lastReady: false }).current;
  // The snapshot is only what this component has read: other changes leave it equal.
  useSyncExternalStore(store.subscribe, () => {
    const s = store.get();
    return tracked.connectionState || tracked.status || tracked.lastReady
      ? `${tracked.connectionState ? s.connectionState : ''}|${tracked.status ? statusKey(s.status) : ''}|${
          tracked.lastReady ? lastReadyKey(s.lastReady) : ''
        }`
      : '';
  });
  return {
    ...methods,
    get connectionState() {
      tracked.connectionState = true;
      return store.get().connectionState;
    },
    get status() {
      tracked.status = true;
      return store.get().status;
    },
    get lastReady() {
      tracked.lastReady = true;
      return store.get().lastReady;
    },
  };
}

const statusKey = (s: StreamStatus) => `${s.state}/${s.reason}/${s.sharing}/${s.soloReason}`;

/** The whole stream status; re-renders when any part of it changes. Outside a provider: null. */
export function useStreamStatus(): StreamStatus | null {
  const store = useContext(EventUpdateContext)?.store ?? null;
  // The store's snapshot object changes on every set; select the status, which changes only with it.
  return useConnectionSelector(store, (s) => s.status, null);
}

/** Only the connection state; re-renders when it changes. Outside a provider: null. */
export function useConnectionState(): ConnectionState | null {
  return useConnectionSelector(useContext(EventUpdateContext)?.store ?? null, (s) => s.connectionState, null);
}

// Each `ready` is a new object; its identity is what tells one ready from the next.
const readyIds = new WeakMap<ReadyInfo, number>();
let nextReadyId = 0;
function lastReadyKey(r: ReadyInfo | null): string {
  if (!r) return 'none';
  if (!readyIds.has(r)) readyIds.set(r, ++nextReadyId);
  return String(readyIds.get(r));
}

function subscribeVisibility(onChange: () => void) {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

function usePageVisible(): boolean {
  return useSyncExternalStore(
    subscribeVisibility,
    () => document.visibilityState !== 'hidden',
    () => true,
  );
}

export interface PollingOptions {
  enabled: boolean;
  /** Milliseconds between polls. */
  interval: number;
  onPoll: () => void;
}

/**
 * Calls onPoll every `interval` ms while the tab is visible and `enabled`. Inside an
 * EventUpdateProvider it polls only while the stream is degraded (state 'degraded': down for a
 * while, or muted by a proxy): the fallback that keeps a screen fresh when push is unavailable.
 * Outside a provider it always polls.
 */
export function usePolling({ enabled, interval, onPoll }: PollingOptions): void {
  const ctx = useContext(EventUpdateContext);
  const visible = usePageVisible();
  const latestOnPoll = useRef(onPoll);
  latestOnPoll.current = onPoll;
  // Re-renders only when "down" flips, not on every state change.
  const streamDown = useConnectionSelector(ctx?.store ?? null, (s) => s.connectionState === 'degraded', true);
  const active = enabled && visible && streamDown;

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latestOnPoll.current(), interval);
    return () => clearInterval(timer);
  }, [active, interval]);
}

export interface Versioned {
  id: string;
  version: number;
}

export interface OptimisticUpdate<T extends Versioned> {
  /** The server's items with the pending optimistic changes applied on top. */
  items: T[];
  /** Ids with a mutation in flight. */
  pending: ReadonlySet<string>;
  /** A fresh list from the server; an item held at a newer version (pushed meanwhile) is kept. */
  setItems(items: T[]): void;
  /**
   * A pushed record: upserted when its aggregateversion is newer than the version held
   * (idempotent; out-of-date records are ignored). With `remove`, the item leaves the list
   * unless a newer version is held.
   */
  applyRecord(record: { subject: string; aggregateversion: number; data: T }, opts?: { remove?: boolean }): void;
  /**
   * Shows `change` at once and runs `request`. On success the server's item is merged by version;
   * on any error (an ApiError such as 409/412, a network error) only this change is rolled back,
   * and the error is rethrown.
   */
  mutate<R extends T>(change: { id: string; apply: (items: T[]) => T[] }, request: () => Promise<R>): Promise<R>;
}

interface PendingChange<T> {
  key: number;
  id: string;
  apply: (items: T[]) => T[];
}

export function useOptimisticUpdate<T extends Versioned>(): OptimisticUpdate<T> {
  // The server's truth and, separately, the changes in flight: a rollback is just dropping one
  // change, whatever else happened to the list meanwhile.
  const [base, setBase] = useState<T[]>([]);
  const [changes, setChanges] = useState<PendingChange<T>[]>([]);
  const nextKey = useRef(0);

  const items = useMemo(() => changes.reduce((list, c) => c.apply(list), base), [base, changes]);
  const pending = useMemo<ReadonlySet<string>>(() => new Set(changes.map((c) => c.id)), [changes]);

  const setItems = useCallback((fresh: T[]) => {
    setBase((held) => {
      const heldById = new Map(held.map((i) => [i.id, i]));
      return fresh.map((item) => {
        const h = heldById.get(item.id);
        return h && h.version > item.version ? h : item;
      });
    });
  }, []);

  const applyRecord = useCallback(
    (record: { subject: string; aggregateversion: number; data: T }, opts?: { remove?: boolean }) => {
      setBase((held) => applyVersion(held, record.subject, record.aggregateversion, opts?.remove ? null : record.data));
    },
    [],
  );

  const mutate = useCallback(
    async <R extends T>(change: { id: string; apply: (items: T[]) => T[] }, request: () => Promise<R>) => {
      const entry: PendingChange<T> = { key: nextKey.current++, id: change.id, apply: change.apply };
      setChanges((cs) => [...cs, entry]);
      try {
        const result = await request();
        setBase((held) => mergeResult(held, entry, result));
        return result;
      } finally {
        setChanges((cs) => cs.filter((c) => c !== entry));
      }
    },
    [],
  );

  return { items, pending, setItems, applyRecord, mutate };
}

/** Upserts (or, with data null, removes) item `id` unless the held version says it is out of date. */
function applyVersion<T extends Versioned>(held: T[], id: string, version: number, data: T | null): T[] {
  const at = held.findIndex((i) => i.id === id);
  if (data === null) {
    return at < 0 || held[at].version > version ? held : held.filter((_, i) => i !== at);
  }
  if (at < 0) return [...held, data];
  if (held[at].version >= version) return held; // returning the same array keeps React from re-rendering
  return held.map((item, i) => (i === at ? data : item));
}

/** The server's answer to a mutation, merged by version. */
function mergeResult<T extends Versioned>(held: T[], change: PendingChange<T>, result: T): T[] {
  if (held.some((i) => i.id === result.id)) return applyVersion(held, result.id, result.version, result);
  // A new item (a create, whose optimistic stand-in had a temporary id): put it where the change
  // showed it, so the list does not jump when the stand-in is replaced.
  const shownAt = change.apply(held).findIndex((i) => i.id === change.id);
  if (shownAt < 0) return [...held, result];
  return [...held.slice(0, shownAt), result, ...held.slice(shownAt)];
}

/** What a list's matcher makes of a pushed record. */
export type LiveListChange<T> = T | 'remove' | null | undefined;

export interface LiveListOptions<T extends Versioned> {
  /** Fetches the whole list. The signal aborts a load that a newer one replaced, and on unmount. */
  load: (signal: AbortSignal) => Promise<T[]>;
  /**
   * With `match`: the kind of records to listen to ('event' for event.* and booking.*, 'message',
   * 'notification'). The list then reloads on that kind's "reload" (a stream `reset`, a
   * trigger…Refresh) by itself.
   */
  kind?: UpdateKind;
  /**
   * This list's view of a pushed record: the item to hold for `record.subject` (upserted only if
   * `record.aggregateversion` is newer than the version held), `'remove'` (the item leaves the list
   * unless a newer version is held), or null/undefined when the record is not this list's.
   * `held` is the item the list holds now, if any (for merges such as `mergeEventRecord`).
   */
  match?: (record: ChangeRecord, held: T | undefined) => LiveListChange<T>;
  /** The text of a failed load's error (`error`). Default: the error's message. */
  describeError?: (e: unknown) => string;
}

export interface LiveList<T extends Versioned> {
  items: T[];
  /** The items as last rendered, for callbacks that outlive a render. */
  itemsRef: { readonly current: T[] };
  pending: ReadonlySet<string>;
  setItems(items: T[]): void;
  /** Applies a record (or a fetched item as `{subject, aggregateversion, data}`) by version; exact during a load too. */
  apply(record: { subject: string; aggregateversion: number; data: T }, opts?: { remove?: boolean }): void;
  mutate<R extends T>(change: { id: string; apply: (items: T[]) => T[] }, request: () => Promise<R>): Promise<R>;
  /** Loads the list again; only the latest load's answer is taken. */
  reload(): Promise<void>;
  loading: boolean;
  /** A load has succeeded at least once. */
  loaded: boolean;
  /** The last load's error text, null once a load succeeds. */
  error: string | null;
}

type Applied<T> = { record: { subject: string; aggregateversion: number; data: T }; remove: boolean };

/**
 * A server list kept exact while records race its load. It loads on mount and on `reload()`;
 * records are applied by version (`aggregateversion` against each item's `version`: an older one is
 * ignored, a newer one applied). A load's answer may predate a record that arrived while it was in
 * flight (an item created, changed or removed meanwhile), so what was applied during the load is
 * applied again on top of the answer; applying by version makes replaying what the answer already
 * reflects a no-op. With `kind` and `match` it subscribes to the stream itself and reloads on a
 * `reset`; without them, call `apply` and `reload` from your own subscription.
 */
export function useLiveList<T extends Versioned>(options: LiveListOptions<T>): LiveList<T> {
  const list = useOptimisticUpdate<T>();
  const listRef = useRef(list);
  listRef.current = list;
  const itemsRef = useRef(list.items);
  itemsRef.current = list.items;
  const latest = useRef(options);
  latest.current = options;
  const seq = useRef(0);
  const inFlight = useRef<AbortController | null>(null);
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
      if (inFlight.current) {
        journal.current.push({ record: { subject: result.id, aggregateversion: result.version, data: result }, remove: false });
      }
      return result;
    },
    [],
  );

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    journal.current = [];
    setLoading(true);
    try {
      const items = await latest.current.load(controller.signal);
      if (mine !== seq.current) return; // only the latest load counts
      const replay = journal.current;
      journal.current = [];
      inFlight.current = null;
      listRef.current.setItems(items);
      for (const a of replay) listRef.current.applyRecord(a.record, { remove: a.remove });
      setError(null);
      setLoaded(true);
    } catch (e) {
      if (mine !== seq.current) return;
      inFlight.current = null;
      journal.current = [];
      const describe = latest.current.describeError ?? ((x: unknown) => (x instanceof Error ? x.message : String(x)));
      setError(describe(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
    return () => {
      seq.current++; // an answer after unmount is dropped
      inFlight.current?.abort();
      inFlight.current = null;
    };
  }, [reload]);

  const ctx = useContext(EventUpdateContext);
  const updates = ctx?.methods;
  const kind = options.kind;
  const hasMatch = options.match !== undefined;
  useEffect(() => {
    if (!updates || !kind || !hasMatch) return;
    const subscribe = { event: updates.onEventUpdate, message: updates.onMessageUpdate, notification: updates.onNotificationUpdate }[kind];
    return subscribe((record) => {
      if (!record) return void reload();
      const match = latest.current.match;
      if (!match) return;
      const held = itemsRef.current.find((i) => i.id === record.subject);
      const change = match(record, held);
      if (change === null || change === undefined) return;
      const { subject, aggregateversion } = record;
      if (change === 'remove') apply({ subject, aggregateversion, data: held as T }, { remove: true });
      else apply({ subject, aggregateversion, data: change });
    });
    // The subscribe methods keep their identity, so this subscribes once per kind.
  }, [updates?.onEventUpdate, updates?.onMessageUpdate, updates?.onNotificationUpdate, kind, hasMatch, apply, reload]);

  // Back to live after a failed load: load once more. A resumed stream needs no load (it replays
  // every record missed; a gap it cannot replay comes as a reset, which reloads). Watched outside
  // rendering, so a connection change does not re-render the list.
  const errorRef = useRef(error);
  errorRef.current = error;
  const store = ctx?.store;
  useEffect(() => {
    if (!store) return;
    let prev = store.get().connectionState;
    return store.subscribe(() => {
      const now = store.get().connectionState;
      if (now === 'live' && prev !== 'live' && errorRef.current !== null) void reload();
      prev = now;
    });
  }, [store, reload]);

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
