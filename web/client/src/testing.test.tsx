// The testing entry as an app team uses it: only what '@eventline/client' and its 'testing' and
// 'react' entries export, against the fake gateway.
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi } from './api';
import { EventUpdateProvider, useLiveList } from './react';
import { isEventRecord, type EventDto, type StreamRecord } from './records';
import { connect } from './shared';
import type { ConnectionState } from './stream';
import { FakeEventSource, createFakeGateway, record } from './testing';

const event = (id: string, version: number, title: string) => ({ id, version, title }) as EventDto;

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.instances = [];
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('createFakeGateway', () => {
  it('issues tickets, streams records live, and resumes a dropped stream without loss or repeat', async () => {
    const gateway = createFakeGateway({ token: 'jwt' });
    const received: string[] = [];
    const states: ConnectionState[] = [];
    const stream = connect({
      getToken: () => 'jwt',
      fetch: gateway.fetch,
      EventSource: gateway.EventSource,
      onRecord: (r: StreamRecord) => received.push(`${r.subject}@${r.aggregateversion}`),
      onStateChange: (s) => states.push(s),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.state).toBe('live');

    gateway.push(record('event.created', { id: 'e1' }, { aggregateversion: 1 }));
    gateway.drop();
    gateway.push(record('event.updated', { id: 'e1' }, { aggregateversion: 2 })); // while it is down
    await vi.advanceTimersByTimeAsync(500); // the client's backoff
    gateway.push(record('event.updated', { id: 'e1' }, { aggregateversion: 3 }));

    expect(received).toEqual(['e1@1', 'e1@2', 'e1@3']);
    expect(states).toContain('reconnecting');
    expect(stream.state).toBe('live');
    expect(gateway.streams).toHaveLength(2);
    expect(gateway.streams[1].url).toContain('lastEventId=c1');
    stream.close();
  });

  it('refuses a wrong token with 401 (the stream reports an expired session)', async () => {
    const gateway = createFakeGateway({ token: 'jwt' });
    const onSessionExpired = vi.fn();
    const stream = connect({ getToken: () => 'old', fetch: gateway.fetch, EventSource: gateway.EventSource, onSessionExpired });
    await vi.advanceTimersByTimeAsync(0);
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
    expect(stream.state).toBe('closed');
    expect(gateway.streams).toHaveLength(0);
  });

  it('answers the routes it is given, and 404 problem+json otherwise', async () => {
    const gateway = createFakeGateway().route('GET', '/api/events/e1', () => event('e1', 3, 'Gig'));
    const api = createApi({ getToken: () => 'jwt', fetch: gateway.fetch });
    expect((await api.get<EventDto>('/api/events/e1')).data.title).toBe('Gig');
    await expect(api.get('/api/nothing')).rejects.toMatchObject({ status: 404 });
    expect(gateway.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/events/e1', 'GET /api/nothing']);
  });

  it("drives an app's screen: the list loads from a route and follows pushed records", async () => {
    const gateway = createFakeGateway().route('GET', '/api/events', () => ({ items: [event('e1', 1, 'Gig')], nextCursor: null }));
    const api = createApi({ getToken: () => 'jwt', fetch: gateway.fetch });
    function Events() {
      const list = useLiveList<EventDto>({
        load: async (signal) => (await api.get<{ items: EventDto[] }>('/api/events', { signal })).data.items,
        kind: 'event',
        match: (r) => (isEventRecord(r) ? r.data : null),
      });
      return (
        <ul>
          {list.items.map((e) => (
            <li key={e.id}>{e.title}</li>
          ))}
        </ul>
      );
    }
    render(
      <EventUpdateProvider getToken={() => 'jwt'} fetch={gateway.fetch} EventSource={gateway.EventSource}>
        <Events />
      </EventUpdateProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(screen.getByText('Gig')).toBeTruthy();

    act(() => void gateway.push(record('event.updated', event('e1', 2, 'Gig (moved)'), { aggregateversion: 2 })));
    expect(screen.getByText('Gig (moved)')).toBeTruthy();
    expect(screen.queryByText('Gig')).toBeNull();
  });
});
