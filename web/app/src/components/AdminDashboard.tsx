// Admin: the review queue (PENDING_APPROVAL events, oldest first) with approve and reject.
import { useEffect, useState } from 'react';
import { isEventRecord, type EventDto } from '@eventline/client';
import { useEventUpdates, usePolling } from '@eventline/client/react';
import { useApp, useToast } from '../context';
import { asRecord, useLiveList } from '../lists';
import { describeError, fetchAll, formatDateTime, isoMicros } from '../util';

export function AdminDashboard() {
  const { api } = useApp();
  const toast = useToast();
  const { onEventUpdate } = useEventUpdates();
  const queue = useLiveList<EventDto>(() => fetchAll<EventDto>(api, '/api/events/review'));
  const { apply, reload } = queue;
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  useEffect(
    () =>
      onEventUpdate((r) => {
        if (!r) {
          void reload();
          return;
        }
        // Only PENDING_APPROVAL belongs here: any other status takes the event out.
        if (isEventRecord(r)) apply(r, { remove: r.data.status !== 'PENDING_APPROVAL' });
      }),
    [onEventUpdate, reload, apply],
  );

  usePolling({ enabled: true, interval: 15_000, onPoll: () => void reload() });

  function setBusyFor(id: string, on: boolean) {
    setBusy((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function act(e: EventDto, action: 'approve' | 'reject', reason?: string) {
    setBusyFor(e.id, true);
    try {
      const res = await api.post<EventDto>(
        `/api/events/${e.id}/${action}`,
        action === 'reject' ? { reason } : undefined,
      );
      if (res.data) apply(asRecord(res.data), { remove: res.data.status !== 'PENDING_APPROVAL' });
      toast(`${action === 'approve' ? 'Approved' : 'Rejected'} "${e.title}"`, 'success');
    } catch (err) {
      const d = describeError(err);
      const fields = d.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      toast(`Could not ${action} "${e.title}": ${d.message}${fields && fields !== d.message ? ` (${fields})` : ''}`, 'error');
      // 404/409: someone else got there first; the list tells the truth again.
      if (d.status === 409 || d.status === 404) void reload();
    } finally {
      setBusyFor(e.id, false);
    }
  }

  const rows = [...queue.items]
    .filter((e) => e.status === 'PENDING_APPROVAL')
    .sort((a, b) => isoMicros(a.updatedAt) - isoMicros(b.updatedAt));

  return (
    <div className="dashboard">
      <section className="panel" data-testid="review-queue" aria-labelledby="review-h">
        <div className="panel-head">
          <h2 id="review-h">Review queue</h2>
          <button type="button" className="link-btn" onClick={() => void reload()} disabled={queue.loading}>
            {queue.loading ? 'Loading…' : 'Refresh'}
          </button>
        </div>
        {queue.error && <p className="notice notice-error">{queue.error}</p>}
        {rows.length === 0 && queue.loaded && <p className="empty">Nothing waiting for review.</p>}
        <ul className="cards">
          {rows.map((e) => (
            <ReviewRow key={e.id} event={e} busy={busy.has(e.id)} onAct={(a, reason) => void act(e, a, reason)} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function ReviewRow({
  event: e,
  busy,
  onAct,
}: {
  event: EventDto;
  busy: boolean;
  onAct: (action: 'approve' | 'reject', reason?: string) => void;
}) {
  const [reason, setReason] = useState('');
  const reasonId = `reject-reason-${e.id}`;
  return (
    <li className="card" data-testid="review-row" data-event-id={e.id} data-title={e.title}>
      <div className="card-main">
        <h3 className="card-title">{e.title}</h3>
        <p className="muted small">
          {formatDateTime(e.startsAt)} · {e.venue} · capacity {e.capacity}
          {e.category ? ` · ${e.category}` : ''} · partner {e.partnerId}
        </p>
        {e.description && <p className="card-desc">{e.description}</p>}
      </div>
      <div className="card-actions">
        <button
          type="button"
          className="primary-btn"
          data-testid="approve-button"
          disabled={busy}
          onClick={() => onAct('approve')}
        >
          Approve
        </button>
        <form
          className="reject-form"
          noValidate
          onSubmit={(ev) => {
            ev.preventDefault();
            onAct('reject', reason.trim());
          }}
        >
          <label htmlFor={reasonId} className="sr-only">
            Reason for rejecting
          </label>
          <input
            id={reasonId}
            data-testid="reject-reason"
            placeholder="Reason for rejecting"
            value={reason}
            onChange={(ev) => setReason(ev.target.value)}
          />
          <button type="submit" className="danger-btn" data-testid="reject-button" disabled={busy}>
            Reject
          </button>
        </form>
      </div>
    </li>
  );
}
