// A team's app that installed the packed @eventline/client: a list of events that updates live.
import { createRoot } from 'react-dom/client';
import { createApi, isEventRecord, isUnknownRecord, type EventDto, type Page, type StreamRecord } from '@eventline/client';
import { EventUpdateProvider, useConnectionState, useLiveList } from '@eventline/client/react';

const token = async (): Promise<string | null> => sessionStorage.getItem('token');
const api = createApi({ getToken: token, timeoutMs: 10_000 });

export function Events() {
  const events = useLiveList<EventDto>({
    load: async (signal) => (await api.get<Page<EventDto>>('/api/events', { signal })).data.items,
    kind: 'event',
    match: (r) => (isEventRecord(r) ? (r.type === 'event.cancelled' ? 'remove' : r.data) : null),
  });
  const state = useConnectionState();
  return (
    <section>
      <p data-testid="state">{state}</p>
      {events.error && <p role="alert">{events.error}</p>}
      <ul data-testid="events" data-loaded={events.loaded}>
        {events.items.map((e) => (
          <li key={e.id} data-id={e.id}>
            {e.title}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function describe(r: StreamRecord): string {
  if (isUnknownRecord(r)) return `newer record type ${r.type}`;
  switch (r.type) {
    case 'event.created':
      return `new event ${r.data.title}`;
    default:
      return r.type;
  }
}

createRoot(document.getElementById('root')!).render(
  <EventUpdateProvider getToken={token}>
    <Events />
  </EventUpdateProvider>,
);
