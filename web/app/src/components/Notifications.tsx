// The bell: unread count (live, with polling as the fallback while the stream is down) and a
// dropdown of the latest notifications.
import { useEffect, useRef, useState } from 'react';
import { isNotificationRecord, type NotificationDto } from '@eventline/client';
import { useEventUpdates, useLiveList, usePolling } from '@eventline/client/react';
import { useApp, useToast } from '../context';
import { useServerCount } from '../counts';
import { describeError, fetchAll, formatTime, isoMicros } from '../util';

/** useOptimisticUpdate needs a version: a notification is 1 when created and 2 once read (as its records say). */
type NotificationItem = NotificationDto & { version: number };

function withVersion(n: NotificationDto, version?: number): NotificationItem {
  return { ...n, version: version ?? (n.read ? 2 : 1) };
}

const POLL_MS = 10_000;

export function NotificationBell() {
  const { api } = useApp();
  const toast = useToast();
  const { onNotificationUpdate } = useEventUpdates();
  const live = useLiveList<NotificationItem>({
    load: async () => (await fetchAll<NotificationDto>(api, '/api/notifications', 1)).map((n) => withVersion(n)),
    describeError: (e) => describeError(e).message,
  });

  // ---- the unread count: the server's number, nudged locally so the badge moves at once ----
  const { reload, apply, itemsRef } = live;
  const { count, refresh: refreshCount, schedule: scheduleCount, nudge: nudgeCount } = useServerCount(
    '/api/notifications/unread-count',
  );

  // The documented fallback: only runs while the stream is down (state 'degraded').
  usePolling({
    enabled: true,
    interval: POLL_MS,
    onPoll: () => {
      void refreshCount();
      void reload();
    },
  });

  useEffect(
    () =>
      onNotificationUpdate((r) => {
        if (!r) {
          void reload();
          void refreshCount();
          return;
        }
        if (!isNotificationRecord(r)) return;
        if (r.type === 'notification.read-all') {
          const readAt = isoMicros(r.data.readAt);
          live.setItems(
            itemsRef.current.map((n) =>
              n.read || isoMicros(n.createdAt) > readAt ? n : { ...n, read: true, version: Math.max(n.version, 2) },
            ),
          );
        } else {
          if (r.type === 'notification.created' && !r.data.read && !itemsRef.current.some((n) => n.id === r.subject)) {
            nudgeCount((c) => c + 1);
          }
          apply({
            subject: r.subject,
            aggregateversion: r.aggregateversion,
            data: withVersion(r.data, r.aggregateversion),
          });
        }
        scheduleCount();
      }),
    [onNotificationUpdate, reload, refreshCount, scheduleCount, nudgeCount, apply, itemsRef, live.setItems],
  );

  // ---- the dropdown ----
  const [open, setOpen] = useState(false);
  const boxRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (boxRef.current && !boxRef.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  async function markRead(n: NotificationItem) {
    if (n.read || live.pending.has(n.id)) return;
    nudgeCount((c) => Math.max(0, c - 1));
    try {
      await live.mutate(
        { id: n.id, apply: (items) => items.map((x) => (x.id === n.id ? { ...x, read: true } : x)) },
        async () => withVersion((await api.post<NotificationDto>(`/api/notifications/${n.id}/read`)).data, 2),
      );
    } catch (e) {
      toast(`Could not mark it read: ${describeError(e).message}`, 'error');
    } finally {
      scheduleCount();
    }
  }

  async function markAllRead() {
    nudgeCount(() => 0);
    live.setItems(live.items.map((n) => (n.read ? n : { ...n, read: true, version: Math.max(n.version, 2) })));
    try {
      await api.post('/api/notifications/read-all');
    } catch (e) {
      toast(`Could not mark all read: ${describeError(e).message}`, 'error');
      void reload();
    } finally {
      scheduleCount();
    }
  }

  const items = [...live.items].sort((a, b) => isoMicros(b.createdAt) - isoMicros(a.createdAt));

  return (
    <div className="bell" ref={boxRef}>
      <button
        type="button"
        className={`bell-btn${count > 0 ? ' has-unread' : ''}`}
        data-testid="notification-bell"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`Notifications, ${count} unread`}
        onClick={() => setOpen((o) => !o)}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        <span className="badge" data-testid="notification-count">
          {count}
        </span>
      </button>
      {open && (
        <div className="dropdown" role="dialog" aria-label="Notifications">
          <div className="dropdown-head">
            <strong>Notifications</strong>
            <button type="button" className="link-btn" data-testid="mark-all-read" onClick={() => void markAllRead()}>
              Mark all read
            </button>
          </div>
          {live.error && <p className="notice notice-error">{live.error}</p>}
          <ul className="notification-list" data-testid="notification-list">
            {items.length === 0 && <li className="empty">No notifications yet.</li>}
            {items.map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  className={`notification${n.read ? '' : ' unread'}`}
                  data-testid="notification-item"
                  data-type={n.type}
                  data-read={String(n.read)}
                  data-notification-id={n.id}
                  onClick={() => void markRead(n)}
                >
                  <span className="notification-title">{n.title}</span>
                  <span className="notification-body">{n.body}</span>
                  <span className="notification-time">{formatTime(n.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
