// User: the catalog (APPROVED events with seats left, bookable) and Events Booked (cancellable).
import { useState } from 'react';
import { isBookingRecord, isEventRecord, type BookingDto, type EventDto } from '@eventline/client';
import { useApp, useToast } from '../context';
import { asRecord, useBusyIds, useEventRecords, useSeatOverlay, useServerList } from '../lists';
import { describeError, formatDateTime, isoMicros, statusText, uuid, withFields } from '../util';
import { ListPanel, TableHead } from './parts';

export function UserDashboard() {
  const { api, session } = useApp();
  const toast = useToast();
  const me = session.sub;
  const catalog = useServerList<EventDto>('/api/events');
  const bookings = useServerList<BookingDto>('/api/bookings/mine');
  const seats = useSeatOverlay();
  const [booking, setBooking] = useBusyIds();
  const applyBooking = bookings.apply;
  const reloadCatalog = catalog.reload;
  const reloadBookings = bookings.reload;

  useEventRecords(
    (r) => {
      if (isEventRecord(r)) {
        // The catalog holds APPROVED events only; one that becomes anything else leaves it.
        catalog.apply(r, { remove: r.data.status !== 'APPROVED' });
      } else if (isBookingRecord(r)) {
        seats.note(r.data.eventId, r.data.event, r.time);
        if (r.data.userId === me) applyBooking(r);
      }
    },
    () => {
      void reloadCatalog();
      void reloadBookings();
    },
  );

  async function book(e: EventDto, count: number) {
    setBooking(e.id, true);
    try {
      const res = await api.post<BookingDto>(
        `/api/events/${e.id}/bookings`,
        { seats: count },
        { idempotencyKey: uuid() },
      );
      const b = res.data;
      applyBooking(asRecord(b));
      // A confirmation's createdAt is the instant the event's seat count changed.
      seats.note(b.eventId, b.event, b.createdAt);
      toast(`Booked ${b.seats} seat${b.seats === 1 ? '' : 's'} for "${b.event.title}"`, 'success');
    } catch (err) {
      const d = describeError(err);
      toast(`Could not book "${e.title}": ${withFields(d)}`, 'error');
      if (d.status === 409) void reloadCatalog();
    } finally {
      setBooking(e.id, false);
    }
  }

  async function cancel(b: BookingDto) {
    try {
      await bookings.mutate(
        { id: b.id, apply: (items) => items.map((x) => (x.id === b.id ? { ...x, status: 'CANCELLED' } : x)) },
        async () => (await api.del<BookingDto>(`/api/bookings/${b.id}`)).data,
      );
      toast(`Cancelled your booking for "${b.event.title}"`, 'success');
    } catch (err) {
      toast(`Could not cancel: ${describeError(err).message}`, 'error');
      void reloadBookings();
    }
  }

  const now = Date.now();
  const catalogRows = [...catalog.items]
    .filter((e) => e.status === 'APPROVED' && Date.parse(e.endsAt) > now)
    .sort((a, b) => isoMicros(a.startsAt) - isoMicros(b.startsAt));
  const bookingRows = [...bookings.items].sort((a, b) => isoMicros(b.createdAt) - isoMicros(a.createdAt));

  return (
    <div className="dashboard">
      <ListPanel
        testId="catalog"
        headingId="catalog-h"
        title="Catalog"
        list={catalog}
        refresh
        empty={catalogRows.length === 0 && 'No upcoming events yet.'}
      >
        <ul className="cards">
          {catalogRows.map((e) => (
            <CatalogRow
              key={e.id}
              event={e}
              seats={seats.seatsOf(e)}
              busy={booking.has(e.id)}
              onBook={(n) => void book(e, n)}
            />
          ))}
        </ul>
      </ListPanel>

      <ListPanel
        testId="my-bookings"
        headingId="bookings-h"
        title="Events Booked"
        list={bookings}
        empty={bookingRows.length === 0 && 'You have not booked anything yet.'}
      >
        <table className="table">
          <TableHead columns={['Event', 'When', 'Venue', 'Seats', 'Status']} />
          <tbody>
            {bookingRows.map((b) => {
              const pending = bookings.pending.has(b.id);
              return (
                <tr
                  key={b.id}
                  data-testid="booking-row"
                  data-booking-id={b.id}
                  data-event-id={b.eventId}
                  data-status={b.status}
                  data-pending={pending ? 'true' : 'false'}
                  className={pending ? 'row-pending' : b.status === 'CANCELLED' ? 'row-muted' : undefined}
                >
                  <td>
                    {b.event.title}
                    {b.event.status === 'CANCELLED' && <span className="rejection">Event cancelled</span>}
                  </td>
                  <td className="nowrap">{formatDateTime(b.event.startsAt)}</td>
                  <td>{b.event.venue}</td>
                  <td>{b.seats}</td>
                  <td>
                    <span className={`status status-${b.status.toLowerCase()}`}>{statusText(b.status)}</span>
                  </td>
                  <td className="actions">
                    {b.status === 'CONFIRMED' && (
                      <button
                        type="button"
                        className="danger-btn"
                        data-testid="cancel-booking-button"
                        disabled={pending}
                        onClick={() => void cancel(b)}
                      >
                        Cancel
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ListPanel>
    </div>
  );
}

function CatalogRow({
  event: e,
  seats,
  busy,
  onBook,
}: {
  event: EventDto;
  seats: { seatsBooked: number; capacity: number };
  busy: boolean;
  onBook: (seats: number) => void;
}) {
  const [count, setCount] = useState('1');
  const left = Math.max(0, seats.capacity - seats.seatsBooked);
  const inputId = `book-seats-${e.id}`;
  return (
    <li className="card" data-testid="catalog-row" data-event-id={e.id} data-title={e.title}>
      <div className="card-main">
        <h3 className="card-title">{e.title}</h3>
        <p className="muted small">
          {formatDateTime(e.startsAt)} · {e.venue}
          {e.category ? ` · ${e.category}` : ''}
        </p>
        {e.description && <p className="card-desc">{e.description}</p>}
        <p className="small">
          <strong data-testid="seats-left" data-seats-booked={seats.seatsBooked}>
            {left}
          </strong>{' '}
          of {seats.capacity} seats left
          {left === 0 && <span className="status status-cancelled sold-out">sold out</span>}
        </p>
      </div>
      <form
        className="card-actions book-form"
        noValidate
        onSubmit={(ev) => {
          ev.preventDefault();
          onBook(Number(count));
        }}
      >
        <label htmlFor={inputId}>Seats</label>
        <input
          id={inputId}
          data-testid="book-seats"
          type="number"
          inputMode="numeric"
          min={1}
          max={10}
          value={count}
          onChange={(ev) => setCount(ev.target.value)}
        />
        <button type="submit" className="primary-btn" data-testid="book-button" disabled={busy}>
          {busy ? 'Booking…' : 'Book'}
        </button>
      </form>
    </li>
  );
}
