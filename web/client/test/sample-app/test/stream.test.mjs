// The sample's own test, in plain Node: the package's ESM runs unbundled, and its fake gateway
// stands in for the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, createApi, isUnknownRecord } from '@eventline/client';
import { createFakeGateway, record } from '@eventline/client/testing';

test('records reach the app live, an unknown type included, and a dropped stream resumes', async () => {
  const gateway = createFakeGateway({ token: 'jwt' }).route('GET', '/api/events', () => ({ items: [], nextCursor: null }));
  const api = createApi({ getToken: async () => 'jwt', fetch: gateway.fetch });
  assert.deepEqual((await api.get('/api/events')).data, { items: [], nextCursor: null });

  const got = [];
  let live;
  const ready = new Promise((resolve) => (live = resolve));
  const stream = connect({
    getToken: async () => 'jwt',
    fetch: gateway.fetch,
    EventSource: gateway.EventSource,
    backoff: { initialMs: 1, maxMs: 1 },
    onReady: (info) => live(info),
    onRecord: (r) => got.push(isUnknownRecord(r) ? `unknown ${r.type}` : `${r.type} ${r.subject}`),
  });
  await ready;
  gateway.push(record('event.created', { id: 'e1' }));
  gateway.push({ ...record('event.created', { id: 'e2' }), type: 'event.archived' });
  assert.deepEqual(got, ['event.created e1']); // under its own name, a newer type is not heard by EventSource
  const unknown = { ...record('event.created', { id: 'e3' }), type: 'event.archived' };
  gateway.open[0].emit('record', unknown, 'cx');
  assert.deepEqual(got, ['event.created e1', 'unknown event.archived']);
  stream.close();
});
