// Partner: My Events (live, with optimistic create, submit and inline title edit) and Create Event.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { isBookingRecord, isEventRecord, mergeEventRecord, type EventDto } from '@eventline/client';
import { useEventUpdates, useLiveList, usePolling } from '@eventline/client/react';
import { useApp, useToast } from '../context';
import { asRecord, useSeatOverlay } from '../lists';
import {
  describeError,
  fetchAll,
  formatDateTime,
  fromLocalInput,
  isoMicros,
  statusText,
  toLocalInput,
  uuid,
  type ErrorText,
} from '../util';

const TEMP_PREFIX = 'tmp-';

export function PartnerDashboard() {
  const { api, session } = useApp();
  const toast = useToast();
  const { onEventUpdate } = useEventUpdates();
  const me = session.sub;
  const events = useLiveList<EventDto>({
    load: () => fetchAll<EventDto>(api, '/api/events/mine'),
    describeError: (e) => describeError(e).message,
  });
  const seats = useSeatOverlay();
  const { apply, reload, mutate } = events;
  /** For each create in flight (by its stand-in's id), the ids listed when it began. */
  const idsBeforeCreate = useRef(new Map<string, ReadonlySet<string>>());

  useEffect(
    () =>
      onEventUpdate((r) => {
        if (!r) {
          void reload();
          return;
        }
        if (isEventRecord(r)) {
          if (r.data.partnerId === me) {
            apply({ ...r, data: mergeEventRecord(events.itemsRef.current.find((x) => x.id === r.subject), r) });
          }
        } else if (isBookingRecord(r)) {
          seats.note(r.data.eventId, r.data.event, r.time);
        }
      }),
    [onEventUpdate, reload, apply, me, seats.note, events.itemsRef],
  );

  usePolling({ enabled: true, interval: 15_000, onPoll: () => void reload() });

  /** Fetch one event again (after a 412) and put the server's version in the list. */
  async function reloadOne(id: string) {
    try {
      const res = await api.get<EventDto>(`/api/events/${id}`);
      if (res.data) apply(asRecord(res.data));
    } catch (e) {
      toast(`Could not reload the event: ${describeError(e).message}`, 'error');
    }
  }

  async function saveTitle(e: EventDto, title: string) {
    // Once approved, an edit changes the draft (the pending revision, if any), not what is public.
    const approved = e.status === 'APPROVED';
    const base = draftOf(e);
    const body = {
      title,
      description: base.description,
      venue: base.venue,
      startsAt: base.startsAt,
      endsAt: base.endsAt,
      capacity: e.capacity,
      category: base.category,
    };
    const optimistic = (x: EventDto): EventDto =>
      approved
        ? {
            ...x,
            revision: {
              ...body,
              status: 'PENDING',
              submittedAt: new Date().toISOString(),
              rejectionReason: null,
            },
          }
        : { ...x, title };
    try {
      await mutate(
        { id: e.id, apply: (items) => items.map((x) => (x.id === e.id ? optimistic(x) : x)) },
        async () => (await api.put<EventDto>(`/api/events/${e.id}`, body, { ifMatch: e.version })).data,
      );
    } catch (err) {
      const d = describeError(err);
      if (d.status === 412) {
        toast('This event was changed elsewhere — reloaded', 'info');
        void reloadOne(e.id);
      } else {
        const fields = d.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
        toast(`Could not save "${title}": ${d.message}${fields && fields !== d.message ? ` (${fields})` : ''}`, 'error');
      }
    }
  }

  async function submit(e: EventDto) {
    try {
      await mutate(
        { id: e.id, apply: (items) => items.map((x) => (x.id === e.id ? { ...x, status: 'PENDING_APPROVAL' } : x)) },
        async () => (await api.post<EventDto>(`/api/events/${e.id}/submit`)).data,
      );
    } catch (err) {
      const d = describeError(err);
      toast(`Could not submit "${e.title}": ${d.message}`, 'error');
      if (d.status === 409) void reloadOne(e.id);
    }
  }

  // A create's event.created record may arrive before the create's own answer: from then on the
  // real row is shown and its stand-in hidden, so the event is never listed twice.
  const isTwin = (temp: EventDto, real: EventDto) =>
    !real.id.startsWith(TEMP_PREFIX) &&
    !(idsBeforeCreate.current.get(temp.id)?.has(real.id) ?? true) &&
    real.title === temp.title &&
    real.venue === temp.venue &&
    Date.parse(real.startsAt) === Date.parse(temp.startsAt);
  const rows = events.items
    .filter((e) => !e.id.startsWith(TEMP_PREFIX) || !events.items.some((r) => isTwin(e, r)))
    .sort((a, b) => isoMicros(b.createdAt) - isoMicros(a.createdAt));

  return (
    <div className="dashboard">
      <section className="panel" data-testid="my-events" aria-labelledby="my-events-h">
        <div className="panel-head">
          <h2 id="my-events-h">My Events</h2>
          <button type="button" className="link-btn" onClick={() => void reload()} disabled={events.loading}>
            {events.loading ? 'Loading…' : 'Refresh'}
          </button>
        </div>
        {events.error && <p className="notice notice-error">{events.error}</p>}
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">When</th>
              <th scope="col">Venue</th>
              <th scope="col">Seats</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && events.loaded && (
              <tr>
                <td colSpan={6} className="empty">
                  No events yet — create one below.
                </td>
              </tr>
            )}
            {rows.map((e) => (
              <EventRow
                key={e.id}
                event={e}
                seats={seats.seatsOf(e)}
                pending={events.pending.has(e.id)}
                onSave={(title, base) => void saveTitle(base, title)}
                onSubmit={() => void submit(e)}
              />
            ))}
          </tbody>
        </table>
      </section>

      <CreateEventForm
        onCreate={async (body, key) => {
          const now = new Date().toISOString();
          const tempId = `${TEMP_PREFIX}${key}`;
          const optimistic: EventDto = {
            id: tempId,
            partnerId: me,
            title: body.title,
            description: body.description,
            venue: body.venue,
            startsAt: body.startsAt ?? now,
            endsAt: body.endsAt ?? now,
            capacity: body.capacity ?? 0,
            seatsBooked: 0,
            category: body.category,
            status: body.submit ? 'PENDING_APPROVAL' : 'DRAFT',
            rejectionReason: null,
            version: 0,
            createdAt: now,
            updatedAt: now,
          };
          idsBeforeCreate.current.set(tempId, new Set(events.itemsRef.current.map((e) => e.id)));
          try {
            await mutate(
              { id: tempId, apply: (items) => [optimistic, ...items] },
              async () => (await api.post<EventDto>('/api/events', body, { idempotencyKey: key })).data,
            );
          } finally {
            idsBeforeCreate.current.delete(tempId);
          }
        }}
      />
    </div>
  );
}

/** The content the partner is editing: the pending revision once approved, else the event itself. */
function draftOf(e: EventDto) {
  return e.status === 'APPROVED' && e.revision?.status === 'PENDING' ? e.revision : e;
}

interface RowProps {
  event: EventDto;
  seats: { seatsBooked: number; capacity: number };
  pending: boolean;
  /** `base` is the event as it was when editing began: its version is the If-Match. */
  onSave: (title: string, base: EventDto) => void;
  onSubmit: () => void;
}

function EventRow({ event: e, seats, pending, onSave, onSubmit }: RowProps) {
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

export interface CreateBody {
  title: string;
  description: string;
  venue: string;
  startsAt: string | null;
  endsAt: string | null;
  capacity: number | null;
  category: string | null;
  submit: boolean;
}

function defaultTimes(): { startsAt: string; endsAt: string } {
  const start = new Date();
  start.setDate(start.getDate() + 7);
  start.setHours(19, 0, 0, 0);
  const end = new Date(start);
  end.setHours(22, 0, 0, 0);
  return { startsAt: toLocalInput(start), endsAt: toLocalInput(end) };
}

function CreateEventForm({ onCreate }: { onCreate: (body: CreateBody, idempotencyKey: string) => Promise<void> }) {
  const [title, setTitle] = useState('');
  const [venue, setVenue] = useState('');
  const [description, setDescription] = useState('');
  const [startsAt, setStartsAt] = useState(() => defaultTimes().startsAt);
  const [endsAt, setEndsAt] = useState(() => defaultTimes().endsAt);
  const [capacity, setCapacity] = useState('100');
  const [category, setCategory] = useState('');
  const [submitForApproval, setSubmitForApproval] = useState(false);
  const [error, setError] = useState<ErrorText | null>(null);
  const [inFlight, setInFlight] = useState(0);

  async function create(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    const cap = capacity.trim() === '' ? null : Number(capacity);
    const body: CreateBody = {
      title: title.trim(),
      description: description.trim(),
      venue: venue.trim(),
      startsAt: fromLocalInput(startsAt),
      endsAt: fromLocalInput(endsAt),
      capacity: cap !== null && Number.isFinite(cap) ? cap : null,
      category: category.trim() || null,
      submit: submitForApproval,
    };
    const key = uuid();
    setInFlight((n) => n + 1);
    try {
      await onCreate(body, key);
      // Clear what was sent, unless it was edited meanwhile.
      setTitle((t) => (t.trim() === body.title ? '' : t));
      setDescription((d) => (d.trim() === body.description ? '' : d));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setInFlight((n) => n - 1);
    }
  }

  return (
    <section className="panel" aria-labelledby="create-h">
      <h2 id="create-h">Create Event</h2>
      <form className="form-grid" data-testid="create-event-form" onSubmit={create} noValidate>
        <label htmlFor="create-title">Title</label>
        <input
          id="create-title"
          data-testid="create-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <label htmlFor="create-venue">Venue</label>
        <input id="create-venue" data-testid="create-venue" value={venue} onChange={(e) => setVenue(e.target.value)} />
        <label htmlFor="create-description">Description</label>
        <textarea
          id="create-description"
          data-testid="create-description"
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <label htmlFor="create-starts-at">Starts</label>
        <input
          id="create-starts-at"
          data-testid="create-starts-at"
          type="datetime-local"
          value={startsAt}
          onChange={(e) => setStartsAt(e.target.value)}
        />
        <label htmlFor="create-ends-at">Ends</label>
        <input
          id="create-ends-at"
          data-testid="create-ends-at"
          type="datetime-local"
          value={endsAt}
          onChange={(e) => setEndsAt(e.target.value)}
        />
        <label htmlFor="create-capacity">Capacity</label>
        <input
          id="create-capacity"
          data-testid="create-capacity"
          type="number"
          inputMode="numeric"
          value={capacity}
          onChange={(e) => setCapacity(e.target.value)}
        />
        <label htmlFor="create-category">Category (optional)</label>
        <input
          id="create-category"
          data-testid="create-category"
          value={category}
          onChange={(e) => setCategory(e.target.value)}
        />
        <label className="checkbox full">
          <input
            type="checkbox"
            data-testid="create-submit-for-approval"
            checked={submitForApproval}
            onChange={(e) => setSubmitForApproval(e.target.checked)}
          />
          Submit for approval right away
        </label>
        {error && (
          <div className="notice notice-error form-error" role="alert" data-testid="form-error">
            <p>{error.message}</p>
            {error.fields.length > 0 && (
              <ul>
                {error.fields.map((f) => (
                  <li key={`${f.field}:${f.message}`}>
                    <strong>{f.field}</strong>: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary-btn" data-testid="create-event-button">
            Create event
          </button>
          {inFlight > 0 && <span className="muted">Saving…</span>}
        </div>
      </form>
    </section>
  );
}
