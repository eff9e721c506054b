// Admin: the review queue (new events waiting for approval and pending revisions of approved
// ones, oldest first) with approve and reject. Each decision names the version the admin saw
// (If-Match): a change made meanwhile answers 412 and the row shows the new version instead.
import { useState } from 'react';
import { isEventRecord, mergeEventRecord, type EventDto } from '@eventline/client';
import { useApp, useToast } from '../context';
import { asRecord, useBusyIds, useEventRecords, useServerList } from '../lists';
import { describeError, formatDateTime, isoMicros, withFields } from '../util';
import { ListPanel } from './parts';

/** Whether the event waits for an admin: a new event in review, or a pending revision. */
const inReview = (e: EventDto) => e.status === 'PENDING_APPROVAL' || e.revision?.status === 'PENDING';

export function AdminDashboard() {
  const { api } = useApp();
  const toast = useToast();
  const queue = useServerList<EventDto>('/api/events/review');
  const { apply, reload } = queue;
  const [busy, setBusyFor] = useBusyIds();

  useEventRecords(
    (r) => {
      // Only what waits for review belongs here: anything else takes the event out.
      if (isEventRecord(r)) {
        const data = mergeEventRecord(queue.itemsRef.current.find((x) => x.id === r.subject), r);
        apply({ ...r, data }, { remove: !inReview(data) });
      }
    },
    () => void reload(),
  );

  async function act(e: EventDto, action: 'approve' | 'reject', reason?: string) {
    setBusyFor(e.id, true);
    const revision = e.status === 'APPROVED' && e.revision?.status === 'PENDING';
    const what = revision ? `the changes to "${e.title}"` : `"${e.title}"`;
    try {
      const res = await api.post<EventDto>(
        `/api/events/${e.id}/${revision ? 'revision/' : ''}${action}`,
        action === 'reject' ? { reason } : undefined,
        { ifMatch: e.version },
      );
      if (res.data) apply(asRecord(res.data), { remove: !inReview(res.data) });
      toast(`${action === 'approve' ? 'Approved' : 'Rejected'} ${what}`, 'success');
    } catch (err) {
      const d = describeError(err);
      if (d.status === 412) {
        toast(`${what} changed since you opened it — showing the new version`, 'info');
        void reload();
        return;
      }
      toast(`Could not ${action} ${what}: ${withFields(d)}`, 'error');
      // 404/409: someone else got there first; the list tells the truth again.
      if (d.status === 409 || d.status === 404) void reload();
    } finally {
      setBusyFor(e.id, false);
    }
  }

  const rows = [...queue.items].filter(inReview).sort((a, b) => isoMicros(a.updatedAt) - isoMicros(b.updatedAt));

  return (
    <div className="dashboard">
      <ListPanel
        testId="review-queue"
        headingId="review-h"
        title="Review queue"
        list={queue}
        refresh
        empty={rows.length === 0 && 'Nothing waiting for review.'}
      >
        <ul className="cards">
          {rows.map((e) => (
            <ReviewRow key={e.id} event={e} busy={busy.has(e.id)} onAct={(a, reason) => void act(e, a, reason)} />
          ))}
        </ul>
      </ListPanel>
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
  const rev = e.status === 'APPROVED' && e.revision?.status === 'PENDING' ? e.revision : null;
  return (
    <li
      className="card"
      data-testid="review-row"
      data-event-id={e.id}
      data-title={e.title}
      data-kind={rev ? 'revision' : 'new'}
      data-version={e.version}
    >
      <div className="card-main">
        <h3 className="card-title">
          {e.title}
          {rev && <span className="pending-tag"> changes to a published event</span>}
        </h3>
        <p className="muted small">
          {formatDateTime(e.startsAt)} · {e.venue} · capacity {e.capacity}
          {e.category ? ` · ${e.category}` : ''} · partner {e.partnerId}
        </p>
        {e.description && <p className="card-desc">{e.description}</p>}
        {rev && <RevisionDiff event={e} revision={rev} />}
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

/** What the revision would change, field by field: the admin approves exactly this. */
export function RevisionDiff({ event: e, revision: r }: { event: EventDto; revision: NonNullable<EventDto['revision']> }) {
  const changes: [string, string, string][] = [];
  if (r.title !== e.title) changes.push(['Title', e.title, r.title]);
  if (r.venue !== e.venue) changes.push(['Venue', e.venue, r.venue]);
  if (Date.parse(r.startsAt) !== Date.parse(e.startsAt)) changes.push(['Starts', formatDateTime(e.startsAt), formatDateTime(r.startsAt)]);
  if (Date.parse(r.endsAt) !== Date.parse(e.endsAt)) changes.push(['Ends', formatDateTime(e.endsAt), formatDateTime(r.endsAt)]);
  if ((r.category ?? '') !== (e.category ?? '')) changes.push(['Category', e.category ?? '—', r.category ?? '—']);
  if (r.description !== e.description) changes.push(['Description', e.description || '—', r.description || '—']);
  return (
    <ul className="revision-diff" data-testid="revision-diff">
      {changes.map(([field, from, to]) => (
        <li key={field} data-field={field.toLowerCase()}>
          <strong>{field}</strong>: <del>{from}</del> → <ins>{to}</ins>
        </li>
      ))}
    </ul>
  );
}
