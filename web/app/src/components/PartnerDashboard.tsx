// Partner: My Events (live, with optimistic create, submit and inline title edit) and Create Event.
import { CreateEventForm } from './CreateEventForm';
import { EventRow } from './EventRow';
import { useMyEvents } from './myEvents';
import { ListPanel, TableHead } from './parts';

export function PartnerDashboard() {
  const { events, rows, seats, saveTitle, submit, create } = useMyEvents();
  return (
    <div className="dashboard">
      <ListPanel testId="my-events" headingId="my-events-h" title="My Events" list={events} refresh>
        <table className="table">
          <TableHead columns={['Title', 'When', 'Venue', 'Seats', 'Status']} />
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
      </ListPanel>

      <CreateEventForm onCreate={create} />
    </div>
  );
}
