// One stream per browser: the tabs of one user share one connection (@eventline/client's leader
// tab, Web Locks + BroadcastChannel), over the gateway's plain HTTP/1.1, in Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE, MANAGEMENT, eventBody, launch, openSignedIn, persona, shot, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const indicator = (page) => page.locator('[data-testid="connection-indicator"]');

/** A context whose pages record every record their stream delivers (the app's test hook). */
async function tracedContext() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await context.addInitScript(() => { window.__eventlineTrace = []; });
  return context;
}

async function openTabs(context, who, n) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    await openSignedIn(page, who); // waits for live
    pages.push(page);
  }
  return pages;
}

const trace = (page) => page.evaluate(() => window.__eventlineTrace.map((r) => ({ ...r })));

/** The gateway's open-stream gauge (Prometheus text, on its management port). */
async function openStreams() {
  const text = await (await fetch(`${MANAGEMENT}/q/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('eventline_stream_open '));
  assert.ok(line, 'eventline_stream_open is exported');
  return Number(line.split(' ')[1]);
}

/** Polls `probe` until `ok(value)`, for at most `ms`; returns the last value. */
async function until(probe, ok, ms = 10_000) {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

/**
 * Waits until the earlier tests' closed tabs have let go of their streams (a closed page's stream
 * ends a moment later on the gateway, at the latest when a heartbeat finds its socket gone), so
 * that the gauge counts this test's streams only. Returns the baseline: 0. A stream still open
 * 30 s after its tab closed fails the test: it would be a leak, and a moving baseline made the
 * counts below flaky.
 */
async function quiet() {
  const left = await until(openStreams, (n) => n === 0, 30_000);
  assert.equal(left, 0, `streams of earlier tests still open after 30 s: ${left}`);
  return left;
}

async function sharingOf(pages) {
  return Promise.all(pages.map((p) => indicator(p).getAttribute('data-sharing')));
}

/** The records of `subject` a tab got, as versions in arrival order. */
async function versionsOf(page, subject) {
  return (await trace(page)).filter((r) => r.subject === subject).map((r) => r.version);
}

test('8 tabs of one user on HTTP/1.1 are all live on one stream, and a change appears in all 8', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const baseline = await quiet();
  const context = await tracedContext();
  const tabs = await openTabs(context, { sub: partner.sub, role: 'partner' }, 8);

  for (const tab of tabs) await indicator(tab).and(tab.locator('[data-state="live"]')).waitFor({ timeout: 5000 });
  const roles = await sharingOf(tabs);
  assert.deepEqual(roles.filter((r) => r === 'leader').length, 1, `one leader: ${roles}`);
  assert.deepEqual(roles.filter((r) => r === 'follower').length, 7, `seven followers: ${roles}`);
  // The other tests' streams are closed by now; this user's 8 tabs add exactly one.
  const streams = await until(openStreams, (n) => n === baseline + 1);
  assert.equal(streams, baseline + 1, `open streams: ${baseline} before, ${streams} with 8 tabs`);

  const title = unique('Shared stream');
  const created = await partner.call('POST', '/api/events', eventBody(title));
  assert.equal(created.status, 201);
  for (const tab of tabs) {
    await tab.locator(`[data-testid="event-row"][data-title="${title}"]`).waitFor({ timeout: 2000 });
    assert.deepEqual(await versionsOf(tab, created.body.id), [1]);
  }
  await shot(tabs[7], 'shared-stream-8th-tab');
  await context.close();
});

test('the leader tab closes while changes are made: every other tab gets each change once, in order', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const context = await tracedContext();
  const tabs = await openTabs(context, { sub: partner.sub, role: 'partner' }, 4);
  const created = await partner.call('POST', '/api/events', eventBody(unique('Failover')));
  assert.equal(created.status, 201);
  const id = created.body.id;
  let etag = created.etag;
  const edit = async (n) => {
    const body = { ...eventBody(`Failover edit ${n}`), startsAt: created.body.startsAt, endsAt: created.body.endsAt };
    delete body.submit;
    const put = await partner.call('PUT', `/api/events/${id}`, body, { 'if-match': etag });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    etag = put.etag;
    return put.body.version;
  };

  const roles = await sharingOf(tabs);
  const leader = tabs[roles.indexOf('leader')];
  assert.ok(leader, `a leader among ${roles}`);
  const rest = tabs.filter((t) => t !== leader);
  const versions = [1];
  let made = 0;
  const editing = (async () => {
    for (let n = 1; n <= 15; n++, made++) versions.push(await edit(n));
  })();
  await until(() => made, (m) => m >= 4, 10_000);
  const closedAt = performance.now();
  await leader.close(); // while the edits go on
  const takenOver = Promise.any(rest.map((t) =>
    t.locator('[data-testid="connection-indicator"][data-sharing="leader"][data-state="live"]').waitFor({ timeout: 5000 })));
  await takenOver;
  const takeover = Math.round(performance.now() - closedAt);
  console.log(`a follower led a live stream ${takeover} ms after the leader tab closed`);
  assert.ok(takeover < 1000, `taken over within a second (${takeover} ms)`);
  await editing;

  for (const tab of rest) {
    const got = await until(() => versionsOf(tab, id), (v) => v.length >= versions.length);
    assert.deepEqual(got, versions, 'each change once, in order');
  }
  const after = await sharingOf(rest);
  assert.equal(after.filter((r) => r === 'leader').length, 1, `a new leader: ${after}`);
  await context.close();
});

test("two users in one browser, and two browser contexts: nobody gets another user's records", async () => {
  const alice = await persona(unique('pat'), 'partner');
  const bob = await persona(unique('pat'), 'partner');
  const context = await tracedContext();
  const [aliceTab] = await openTabs(context, { sub: alice.sub, role: 'partner' }, 1);
  const [bobTab] = await openTabs(context, { sub: bob.sub, role: 'partner' }, 1);
  const other = await tracedContext();
  const [aliceElsewhere, bobElsewhere] = [...(await openTabs(other, { sub: alice.sub, role: 'partner' }, 1)), ...(await openTabs(other, { sub: bob.sub, role: 'partner' }, 1))];
  // Each user leads a stream of their own in each context.
  assert.deepEqual(await sharingOf([aliceTab, bobTab, aliceElsewhere, bobElsewhere]), ['leader', 'leader', 'leader', 'leader']);

  const a = await alice.call('POST', '/api/events', eventBody(unique('Alice only')));
  const b = await bob.call('POST', '/api/events', eventBody(unique('Bob only')));
  for (const [tab, mine, theirs] of [[aliceTab, a, b], [aliceElsewhere, a, b], [bobTab, b, a], [bobElsewhere, b, a]]) {
    await until(() => versionsOf(tab, mine.body.id), (v) => v.length === 1);
    assert.deepEqual(await versionsOf(tab, mine.body.id), [1]);
    assert.deepEqual(await versionsOf(tab, theirs.body.id), [], "never another user's record");
  }
  await context.close();
  await other.close();
});

test('bad input: a follower whose token expired is signed out and gets nothing more; garbage on the channel is ignored', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const context = await tracedContext();
  const [leader] = await openTabs(context, { sub: partner.sub, role: 'partner' }, 1);
  const [shortLived] = await openTabs(context, { sub: partner.sub, role: 'partner', ttlSeconds: 8 }, 1);
  const [follower] = await openTabs(context, { sub: partner.sub, role: 'partner' }, 1);
  assert.deepEqual(await sharingOf([leader, shortLived, follower]), ['leader', 'follower', 'follower']);

  // Another script of the origin posts garbage on every channel name the client could use.
  await follower.evaluate(() => {
    const token = sessionStorage.getItem('eventline.token');
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const list = (v) => (Array.isArray(v) ? v.map(String).sort() : v === undefined ? [] : [String(v)]);
    const key = `|${JSON.stringify([claims.iss ?? null, claims.sub, list(claims.aud), list(claims.groups)])}`;
    const channel = new BroadcastChannel(`eventline:stream:${key}`);
    const bogus = { specversion: '1.0', id: 'bogus-1', type: 'event.created', subject: 'bogus', aggregateversion: 1, data: { id: 'bogus' } };
    for (const junk of [null, 'garbage', 42, [1, 2], { protocol: 'eventline.stream/1' },
      { protocol: 'eventline.stream/1', key, from: 'x', message: { kind: 'status', state: 'exploded', reason: null, cursor: null, ready: null } },
      { protocol: 'eventline.stream/2', key, from: 'x', message: { kind: 'record', record: bogus, cursor: null } },
      { protocol: 'eventline.stream/1', key: 'another-user', from: 'x', message: { kind: 'record', record: bogus, cursor: null } }]) {
      channel.postMessage(junk);
    }
    channel.close();
  });

  await shortLived.getByText(/session expired/i).waitFor({ timeout: 15_000 });
  const created = await partner.call('POST', '/api/events', eventBody(unique('After expiry')));
  assert.equal(created.status, 201);
  for (const tab of [leader, follower]) {
    await until(() => versionsOf(tab, created.body.id), (v) => v.length === 1);
    assert.deepEqual(await versionsOf(tab, created.body.id), [1]);
    assert.deepEqual(await versionsOf(tab, 'bogus'), []);
    assert.equal(await indicator(tab).getAttribute('data-state'), 'live');
  }
  assert.deepEqual(await versionsOf(shortLived, created.body.id), [], 'the signed-out tab gets nothing more');
  await context.close();
});

test('bad input: without Web Locks, or when the lock request fails, each tab has its own stream and says why', async () => {
  const partner = await persona(unique('pat'), 'partner');
  for (const [setup, reason] of [
    [() => { Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }); }, 'unsupported'],
    [() => { LockManager.prototype.request = () => Promise.reject(new DOMException('quota exceeded', 'QuotaExceededError')); }, 'failed'],
  ]) {
    const context = await tracedContext();
    await context.addInitScript(setup);
    const tabs = await openTabs(context, { sub: partner.sub, role: 'partner' }, 2);
    for (const tab of tabs) {
      assert.equal(await indicator(tab).getAttribute('data-sharing'), 'solo');
      assert.equal(await indicator(tab).getAttribute('data-solo-reason'), reason);
    }
    const created = await partner.call('POST', '/api/events', eventBody(unique(`Solo ${reason}`)));
    for (const tab of tabs) {
      await until(() => versionsOf(tab, created.body.id), (v) => v.length === 1);
      assert.deepEqual(await versionsOf(tab, created.body.id), [1]);
    }
    await context.close();
  }
});

test('every tab hidden past the grace period: the stream pauses (no connection), and resumes exactly when a tab is shown', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const baseline = await quiet();
  const context = await tracedContext();
  await context.clock.install(); // time runs as usual, and the test may jump it forward
  const tabs = await openTabs(context, { sub: partner.sub, role: 'partner' }, 2);
  assert.equal(await until(openStreams, (n) => n === baseline + 1), baseline + 1);
  const created = await partner.call('POST', '/api/events', eventBody(unique('Paused')));
  for (const tab of tabs) await until(() => versionsOf(tab, created.body.id), (v) => v.length === 1);

  const setVisible = (tab, visible) => tab.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !v });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
  for (const tab of tabs) await setVisible(tab, false);
  await context.clock.fastForward('05:30'); // past the default grace of 5 minutes
  for (const tab of tabs) await indicator(tab).and(tab.locator('[data-state="paused"]')).waitFor({ timeout: 10_000 });
  assert.equal(await until(openStreams, (n) => n === baseline), baseline, 'a paused stream holds no connection');

  // Changes while paused are replayed on resume, from the cursor: nothing lost, nothing twice.
  let etag = created.etag;
  for (let n = 1; n <= 3; n++) {
    const body = { ...eventBody(`Paused edit ${n}`), startsAt: created.body.startsAt, endsAt: created.body.endsAt };
    delete body.submit;
    const put = await partner.call('PUT', `/api/events/${created.body.id}`, body, { 'if-match': etag });
    assert.equal(put.status, 200);
    etag = put.etag;
  }
  await setVisible(tabs[1], true);
  for (const tab of tabs) {
    await indicator(tab).and(tab.locator('[data-state="live"]')).waitFor({ timeout: 10_000 });
    assert.deepEqual(await until(() => versionsOf(tab, created.body.id), (v) => v.length >= 4), [1, 2, 3, 4]);
  }
  await context.close();
});
