// The partner's own events: the live list, and its optimistic create, title edit and submit.
import { useRef } from 'react';
import { isBookingRecord, isEventRecord, mergeEventRecord, type EventDto } from '@eventline/client';
import { useApp, useToast } from '../context';
import { asRecord, useEventRecords, useSeatOverlay, useServerList } from '../lists';
import { describeError, isoMicros, withFields } from '../util';

/** The id of a created event's stand-in, until the server's answer (or record) replaces it. */
export const TEMP_PREFIX = 'tmp-';

/** The content the partner is editing: the pending revision once approved, else the event itself. */
export function draftOf(e: EventDto) {
  return e.status === 'APPROVED' && e.revision?.status === 'PENDING' ? e.revision : e;
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

export function useMyEvents() {
  const { api, session } = useApp();
  const toast = useToast();
  const me = session.sub;
  const events = useServerList<EventDto>('/api/events/mine');
  const seats = useSeatOverlay();
  const { apply, reload, mutate } = events;
  /** For each create in flight (by its stand-in's id), the ids listed when it began. */
  const idsBeforeCreate = useRef(new Map<string, ReadonlySet<string>>());

  useEventRecords(
    (r) => {
      if (isEventRecord(r)) {
        if (r.data.partnerId === me) {
          apply({ ...r, data: mergeEventRecord(events.itemsRef.current.find((x) => x.id === r.subject), r) });
        }
      } else if (isBookingRecord(r)) {
        seats.note(r.data.eventId, r.data.event, r.time);
      }
    },
    () => void reload(),
  );

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
        toast(`Could not save "${title}": ${withFields(d)}`, 'error');
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

  /** Shows a stand-in at once; the create's failure is the caller's to show. */
  async function create(body: CreateBody, key: string) {
    const tempId = `${TEMP_PREFIX}${key}`;
    const optimistic = standIn(tempId, me, body);
    idsBeforeCreate.current.set(tempId, new Set(events.itemsRef.current.map((e) => e.id)));
    try {
      await mutate(
        { id: tempId, apply: (items) => [optimistic, ...items] },
        async () => (await api.post<EventDto>('/api/events', body, { idempotencyKey: key })).data,
      );
    } finally {
      idsBeforeCreate.current.delete(tempId);
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

  return { events, rows, seats, saveTitle, submit, create };
}

/** The row shown for a create until the server answers. */
function standIn(id: string, partnerId: string, body: CreateBody): EventDto {
  const now = new Date().toISOString();
  return {
    id,
    partnerId,
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
}
