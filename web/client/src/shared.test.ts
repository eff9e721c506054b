// The stream shared by the tabs of one user: leader election, failover, isolation, expiry and
// fallbacks, with the fake browser (Web Locks, BroadcastChannel) and the fake gateway.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordType, StreamRecord } from './records';
import { connect, type ConnectOptions } from './shared';
import type { StreamConnection, StreamStatus } from './stream';
import { createFakeBrowser, createFakeGateway, record, type FakeBrowser, type FakeGateway, type FakeTab } from './testing';
import { setVisibility } from './test-fakes';

/** An unsigned JWT with these claims (the client never verifies; the gateway does). */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64({ alg: 'none' })}.${b64(claims)}.sig`;
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const alice = () => jwt({ iss: 'eventline', sub: 'alice', groups: ['user'], exp: inAnHour() });

interface Tab {
  connection: StreamConnection;
  records: StreamRecord[];
  statuses: StreamStatus[];
  resets: string[];
  expired: number;
  runtime: FakeTab;
  token: string | null;
}

let browser: FakeBrowser;
let gateway: FakeGateway;
let tabs: Tab[];

function open(opts: Partial<ConnectOptions> & { token?: string | null; gw?: FakeGateway } = {}): Tab {
  const runtime = browser.tab();
  const gw = opts.gw ?? gateway;
  const tab: Tab = { connection: undefined as never, records: [], statuses: [], resets: [], expired: 0, runtime, token: opts.token === undefined ? alice() : opts.token };
  tab.connection = connect({
    getToken: () => tab.token,
    fetch: gw.fetch,
    EventSource: gw.EventSource,
    sharing: runtime,
    onRecord: (r) => tab.records.push(r),
    onStatusChange: (s) => tab.statuses.push(s),
    onReset: (r) => tab.resets.push(r),
    onSessionExpired: () => tab.expired++,
    ...opts,
  });
  tabs.push(tab);
  return tab;
}

/** Microtasks and zero-delay timers settle: locks, channel messages, tickets, the fake streams. */
async function settle() {
  for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(0);
}

const ids = (t: Tab) => t.records.map((r) => r.id);
const sharing = (t: Tab) => t.connection.status.sharing;

beforeEach(() => {
  vi.useFakeTimers();
  browser = createFakeBrowser();
  gateway = createFakeGateway();
  tabs = [];
});

afterEach(() => {
  for (const t of tabs) t.connection.close();
  setVisibility('visible');
  vi.useRealTimers();
});

describe('one stream per browser, shared by the tabs of one user', () => {
  it('8 tabs hold one connection, all live, and every record reaches each once', async () => {
    const all = Array.from({ length: 8 }, () => open());
    await settle();

    expect(gateway.open).toHaveLength(1);
    expect(all.filter((t) => sharing(t) === 'leader')).toHaveLength(1);
    expect(all.filter((t) => sharing(t) === 'follower')).toHaveLength(7);
    for (const t of all) expect(t.connection.state).toBe('live');

    const a = record('event.created', { id: 'e1' });
    const b = record('booking.confirmed' as RecordType, { id: 'b1' });
    gateway.push(a);
    gateway.push(b);
    await settle();
    for (const t of all) expect(ids(t)).toEqual([a.id, b.id]);
    for (const t of all) expect(t.connection.lastEventId).toBe('c2');
  });

  it('a tab that joins later is told the state and the cursor at once', async () => {
    open();
    await settle();
    gateway.push(record('event.created', { id: 'e1' }));
    await settle();

    const late = open();
    await settle();
    expect(late.connection.status).toMatchObject({ state: 'live', sharing: 'follower' });
    expect(late.connection.lastEventId).toBe('c1');
    expect(late.records).toEqual([]); // what happened before it opened is its list load's business
  });

  it.each(['closes', 'crashes'])(
    'when the leader %s, another tab takes over from the last cursor: each record once, in order',
    async (how) => {
      const [leader, ...rest] = [open(), open(), open(), open()];
      await settle();
      expect(sharing(leader)).toBe('leader');
      const before = record('event.created', { id: 'e1' });
      gateway.push(before);
      await settle();

      if (how === 'closes') leader.connection.close();
      else {
        leader.runtime.crash();
        gateway.open[0].close(); // its connection goes with it
      }
      // Changes go on while nobody holds the stream: the next leader must replay them.
      const during = [record('event.updated', { id: 'e1' }, { aggregateversion: 2 }), record('event.updated', { id: 'e1' }, { aggregateversion: 3 })];
      for (const r of during) gateway.push(r);
      await settle();

      const leaders = rest.filter((t) => sharing(t) === 'leader');
      expect(leaders).toHaveLength(1);
      expect(gateway.open).toHaveLength(1);
      expect(gateway.open[0].url).toContain('lastEventId=c1');
      const after = record('event.updated', { id: 'e1' }, { aggregateversion: 4 });
      gateway.push(after);
      await settle();
      for (const t of rest) {
        expect(ids(t)).toEqual([before.id, ...during.map((r) => r.id), after.id]);
        expect(t.connection.state).toBe('live');
      }
    },
  );

  it('a leader that dies between a record and its broadcast loses nothing: the next one replays it', async () => {
    let dying = false;
    const leaderRuntime = browser.tab();
    const leaderRecords: string[] = [];
    const leader = connect({
      getToken: alice,
      fetch: gateway.fetch,
      EventSource: gateway.EventSource,
      sharing: leaderRuntime,
      onRecord: (r) => {
        leaderRecords.push(r.id);
        if (!dying) return;
        leaderRuntime.crash(); // the tab is gone before it could post the record it just got
        gateway.open[0].close();
      },
    });
    const [a, b] = [open(), open()];
    await settle();
    expect(leader.status.sharing).toBe('leader');
    const first = record('event.created', { id: 'e1' });
    gateway.push(first);
    await settle();

    dying = true;
    const second = record('event.updated', { id: 'e1' }, { aggregateversion: 2 });
    gateway.push(second);
    await settle();
    expect(leaderRecords).toEqual([first.id, second.id]);
    for (const t of [a, b]) expect(ids(t)).toEqual([first.id, second.id]);
  });

  it("another user's tabs in the same browser share a stream of their own and never see the first user's records", async () => {
    const bobGateway = createFakeGateway();
    const aliceTabs = [open(), open()];
    const bob = jwt({ iss: 'eventline', sub: 'bob', groups: ['user'], exp: inAnHour() });
    const bobTabs = [open({ token: bob, gw: bobGateway }), open({ token: bob, gw: bobGateway })];
    // The same sub with another role is another audience too.
    const aliceAdmin = open({ token: jwt({ iss: 'eventline', sub: 'alice', groups: ['admin'], exp: inAnHour() }), gw: createFakeGateway() });
    await settle();
    expect(gateway.open).toHaveLength(1);
    expect(bobGateway.open).toHaveLength(1);
    expect(sharing(aliceAdmin)).toBe('leader');

    const forAlice = record('notification.created', { id: 'n1' });
    gateway.push(forAlice);
    const forBob = record('notification.created', { id: 'n2' });
    bobGateway.push(forBob);
    await settle();
    for (const t of aliceTabs) expect(ids(t)).toEqual([forAlice.id]);
    for (const t of bobTabs) expect(ids(t)).toEqual([forBob.id]);
    expect(aliceAdmin.records).toEqual([]);
  });

  it('a record of a type this client does not know reaches the followers as an unknown record', async () => {
    const [, follower] = [open(), open()];
    await settle();
    gateway.push(record('venue.opened' as RecordType, { id: 'v1' }));
    await settle();
    expect(follower.records).toHaveLength(1);
    expect(follower.records[0]).toMatchObject({ type: 'venue.opened', kind: 'unknown' });
  });

  it('a reset reaches every tab', async () => {
    const all = [open(), open(), open()];
    await settle();
    gateway.reset('retention');
    await settle();
    for (const t of all) expect(t.resets).toEqual(['retention']);
  });
});

describe('bad input', () => {
  it("a follower whose token expired is signed out and gets nothing more, while the leader's goes on", async () => {
    const leader = open();
    const short = jwt({ iss: 'eventline', sub: 'alice', groups: ['user'], exp: Math.floor(Date.now() / 1000) + 60 });
    const follower = open({ token: short });
    await settle();
    expect(sharing(follower)).toBe('follower');

    gateway.push(record('event.created', { id: 'e1' }));
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(follower.expired).toBe(1);
    expect(follower.connection.state).toBe('closed');

    gateway.push(record('event.created', { id: 'e2' }));
    await settle();
    expect(follower.records.map((r) => r.subject)).toEqual(['e1']);
    expect(leader.records.map((r) => r.subject)).toEqual(['e1', 'e2']);
    expect(leader.expired).toBe(0);
  });

  it('a follower whose getToken gives a refreshed token stays', async () => {
    open();
    const follower = open({ token: jwt({ iss: 'eventline', sub: 'alice', groups: ['user'], exp: Math.floor(Date.now() / 1000) + 60 }) });
    await settle();
    follower.token = alice();
    await vi.advanceTimersByTimeAsync(61_000);
    await settle();
    expect(follower.expired).toBe(0);
    expect(follower.connection.state).toBe('live');
  });

  it('garbage on the channel, posted by some other script, is ignored and the tab goes on', async () => {
    const [, follower] = [open(), open()];
    await settle();
    const [name] = browser.channels;
    for (const junk of [
      null,
      'hello',
      42,
      [],
      { protocol: 'eventline.stream/1' },
      { protocol: 'eventline.stream/1', key: 'someone-else', from: 'x', message: { kind: 'record', record: record('event.created', { id: 'x1' }), cursor: null } },
      { protocol: 'other/1', key: '|["eventline","alice",[],["user"]]', from: 'x', message: { kind: 'record', record: record('event.created', { id: 'x2' }), cursor: null } },
      { key: '|["eventline","alice",[],["user"]]', message: { kind: 'record', record: record('event.created', { id: 'x3' }), cursor: null } },
      { protocol: 'eventline.stream/1', key: '|["eventline","alice",[],["user"]]', from: 'x', message: { kind: 'status', state: 'exploded', reason: null, cursor: null, ready: null } },
      { protocol: 'eventline.stream/1', key: '|["eventline","alice",[],["user"]]', from: 'x', message: { kind: 'record', record: { no: 'id' }, cursor: null } },
      { protocol: 'eventline.stream/1', key: '|["eventline","alice",[],["user"]]', from: 'x', message: { kind: 'cursor', cursor: 7 } },
    ]) {
      browser.postForeign(name, junk);
    }
    await settle();
    expect(follower.records).toEqual([]);
    expect(follower.connection.status).toMatchObject({ state: 'live', sharing: 'follower' });
    expect(follower.connection.lastEventId).toBe('c0');

    gateway.push(record('event.created', { id: 'e1' }));
    await settle();
    expect(follower.records.map((r) => r.subject)).toEqual(['e1']);
  });

  it('without Web Locks, with a lock request that fails, or with share: false, each tab has its own stream and says why', async () => {
    const none = connect({ getToken: alice, fetch: gateway.fetch, EventSource: gateway.EventSource });
    const failing = browser.tab();
    const broken = connect({
      getToken: alice,
      fetch: gateway.fetch,
      EventSource: gateway.EventSource,
      sharing: { ...failing, locks: { request: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')), query: failing.locks.query } },
    });
    const optOut = open({ share: false });
    const opaque = open({ token: 'not-a-jwt' });
    await settle();
    expect(none.status).toMatchObject({ state: 'live', sharing: 'solo', soloReason: 'unsupported' });
    expect(broken.status).toMatchObject({ state: 'live', sharing: 'solo', soloReason: 'failed' });
    expect(optOut.connection.status).toMatchObject({ sharing: 'solo', soloReason: 'opted-out' });
    expect(opaque.connection.status).toMatchObject({ sharing: 'solo', soloReason: 'no-identity' });
    expect(gateway.open).toHaveLength(4);
    none.close();
    broken.close();
  });
});

describe('background tabs', () => {
  it('pauses once every tab has been hidden for the grace period, and resumes from the cursor when one is shown', async () => {
    const all = [open({ pauseWhenHiddenMs: 30_000 }), open({ pauseWhenHiddenMs: 30_000 })];
    await settle();
    gateway.push(record('event.created', { id: 'e1' }));
    await settle();

    setVisibility('hidden'); // one document: every tab is hidden at once
    await settle();
    for (let i = 0; i < 3; i++) {
      gateway.open[0]?.emit('heartbeat', {}, 'c1');
      await vi.advanceTimersByTimeAsync(10_000);
    }
    await settle();
    expect(gateway.open).toHaveLength(0);
    for (const t of all) expect(t.connection.state).toBe('paused');

    gateway.push(record('event.updated', { id: 'e1' }, { aggregateversion: 2 }));
    setVisibility('visible');
    await settle();
    expect(gateway.open).toHaveLength(1);
    expect(gateway.open[0].url).toContain('lastEventId=c1');
    for (const t of all) {
      expect(t.connection.state).toBe('live');
      expect(t.records.map((r) => r.aggregateversion)).toEqual([1, 2]);
    }
  });
});
