// One row of the partner's My Events: the event, its seats and status, inline title edit and submit.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { EventDto } from '@eventline/client';
import { formatDateTime, statusText } from '../util';
import { TEMP_PREFIX, draftOf } from './myEvents';

interface RowProps {
  event: EventDto;
  seats: { seatsBooked: number; capacity: number };
  pending: boolean;
  /** `base` is the event as it was when editing began: its version is the If-Match. */
  onSave: (title: string, base: EventDto) => void;
  onSubmit: () => void;
}

export function EventRow({ event: e, seats, pending, onSave, onSubmit }: RowProps) {
  // The event as it was when editing began: saving is "change that version", so an edit made
  // meanwhile elsewhere (even if already pushed here) answers 412 instead of being overwritten.
  const [editing, setEditing] = useState<EventDto | null>(null);
  const [title, setTitle] = useState(e.title);
  const inputRef = useRef<HTMLInputElement>(null);
  const temp = e.id.startsWith(TEMP_PREFIX);

  useEffect(() => {
    if (editing) inputRef.current?.focus();
  }, [editing]);

  function startEdit() {
    setTitle(draftOf(e).title);
    setEditing(e);
  }

  function save(ev?: FormEvent) {
    ev?.preventDefault();
    const base = editing;
    const t = title.trim();
    setEditing(null);
    if (base && t && t !== draftOf(base).title) onSave(t, base);
  }

  const canSubmit = (e.status === 'DRAFT' || e.status === 'REJECTED') && !temp;

  return (
    <tr
      data-testid="event-row"
      data-event-id={e.id}
      data-title={e.title}
      data-status={e.status}
      data-pending={pending ? 'true' : 'false'}
      className={pending ? 'row-pending' : undefined}
    >
      <td>
        {editing ? (
          <form className="inline-edit" onSubmit={save} noValidate>
            <label htmlFor={`edit-title-${e.id}`} className="sr-only">
              Title
            </label>
            <input
              id={`edit-title-${e.id}`}
              ref={inputRef}
              data-testid="edit-title"
              value={title}
              maxLength={200}
              onChange={(ev) => setTitle(ev.target.value)}
              onKeyDown={(ev) => ev.key === 'Escape' && setEditing(null)}
            />
            <button type="submit" data-testid="edit-save">
              Save
            </button>
            <button type="button" className="link-btn" data-testid="edit-cancel" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <span className="event-title" data-testid="event-title">
              {e.title}
            </span>
            {pending && <span className="pending-tag">saving…</span>}
            {e.status === 'REJECTED' && e.rejectionReason && (
              <span className="rejection">Rejected: {e.rejectionReason}</span>
            )}
            {e.revision && (
              <span
                className={e.revision.status === 'PENDING' ? 'pending-tag' : 'rejection'}
                data-testid="event-revision"
                data-revision-status={e.revision.status}
                data-revision-title={e.revision.title}
              >
                {e.revision.status === 'PENDING'
                  ? `Changes waiting for review: "${e.revision.title}" at ${e.revision.venue}`
                  : `Changes rejected: ${e.revision.rejectionReason ?? ''}`}
              </span>
            )}
          </>
        )}
      </td>
      <td className="nowrap">{formatDateTime(e.startsAt)}</td>
      <td>{e.venue}</td>
      <td className="nowrap">
        <span data-testid="event-seats" data-seats-booked={seats.seatsBooked}>
          {seats.seatsBooked} / {seats.capacity}
        </span>
      </td>
      <td>
        <span className={`status status-${e.status.toLowerCase()}`} data-testid="event-status">
          {statusText(e.status)}
        </span>
      </td>
      <td className="actions">
        {!editing && !temp && e.status !== 'CANCELLED' && (
          <button type="button" className="link-btn" data-testid="edit-button" onClick={startEdit}>
            Edit
          </button>
        )}
        {canSubmit && (
          <button type="button" data-testid="submit-button" disabled={pending} onClick={onSubmit}>
            Submit for approval
          </button>
        )}
      </td>
    </tr>
  );
}
