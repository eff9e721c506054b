// The sample's own test, in plain Node: the package's ESM runs unbundled, and its fake gateway
// stands in for the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, createApi, isUnknownRecord } from '@eventline/client';
import { createFakeGateway, record } from '@eventline/client/testing';

test('records reach the app live, a type newer than the client included, and a dropped stream resumes', { timeout: 10_000 }, async (t) => {
  const gateway = createFakeGateway({ token: 'jwt' }).route('GET', '/api/events', () => ({ items: [], nextCursor: null }));
  const api = createApi({ getToken: async () => 'jwt', fetch: gateway.fetch });
  assert.deepEqual((await api.get('/api/events')).data, { items: [], nextCursor: null });

  const got = [];
  const readies = [];
  let onReady;
  const nextReady = () => new Promise((resolve) => (onReady = resolve));
  let ready = nextReady();
  const stream = connect({
    getToken: async () => 'jwt',
    fetch: gateway.fetch,
    EventSource: gateway.EventSource,
    backoff: { initialMs: 1, maxMs: 1 },
    onReady: (info) => { readies.push(info); onReady(info); },
    onRecord: (r) => got.push(isUnknownRecord(r) ? `unknown ${r.type}` : `${r.type} ${r.subject}`),
  });
  t.after(() => stream.close()); // also when an assertion fails: no timer keeps the process alive
  await ready;

  gateway.push(record('event.created', { id: 'e1' }));
  gateway.push({ ...record('event.created', { id: 'e2' }), type: 'event.archived' }); // added to the server later
  assert.deepEqual(got, ['event.created e1', 'unknown event.archived']);

  ready = nextReady();
  gateway.drop(); // as a gateway restart does
  gateway.push(record('event.created', { id: 'e3' })); // while the stream is down
  assert.equal((await ready).resumed, true);
  assert.deepEqual(got, ['event.created e1', 'unknown event.archived', 'event.created e3']);
  assert.equal(readies.length, 2);
});
