// Offline and back: the gateway the tab is connected to is killed (kill -9) while the partner's
// events change through another instance; once it is back, the tab shows every change without a
// reload, and its indicator went through "reconnecting".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OTHER, eventBody, gateway, launch, live, persona, recordIndicator, shot, signIn, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a tab whose gateway is killed and restarted catches up on every change made meanwhile, without a reload', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const admin = await persona(unique('ada'), 'admin');
  const tab = await signIn(browser, { sub: partner.sub, role: 'partner' });
  const seen = await partner.call('POST', '/api/events', eventBody(unique('Before the outage')), {}, OTHER);
  assert.equal(seen.status, 201);
  await tab.locator(`[data-testid="event-row"][data-event-id="${seen.body.id}"]`).waitFor({ timeout: 2000 });
  await tab.evaluate(() => { window.__noReload = true; });
  await recordIndicator(tab);
  // The changes come from the resumed stream; the polling fallback (while the indicator says
  // "degraded") may also have fetched the list once the gateway was back, which is its job.
  const listFetches = [];
  tab.on('response', (r) => { if (r.url().includes('/api/events/mine') && r.ok()) listFetches.push(r.url()); });

  await gateway('kill');
  await tab.locator('[data-testid="connection-indicator"][data-state="reconnecting"]').waitFor({ timeout: 5000 });
  await shot(tab, 'offline-reconnecting');

  // Changes while the tab's gateway is down, through the other instance.
  const titles = [unique('During the outage 1'), unique('During the outage 2'), unique('During the outage 3')];
  const ids = [];
  for (const title of titles) {
    const r = await partner.call('POST', '/api/events', eventBody(title, { submit: true }), {}, OTHER);
    assert.equal(r.status, 201);
    ids.push(r.body.id);
  }
  assert.equal((await admin.call('POST', `/api/events/${ids[0]}/approve`, undefined, {}, OTHER)).status, 200);
  assert.equal((await partner.call('POST', `/api/events/${seen.body.id}/submit`, undefined, {}, OTHER)).status, 200);

  await gateway('start');
  await live(tab, 30_000);
  assert.equal(await tab.getByTestId('connection-indicator').getAttribute('data-resumed'), 'true',
    'the new stream continued from the tab\'s cursor');
  for (const [i, id] of ids.entries()) {
    await tab.locator(`[data-testid="event-row"][data-event-id="${id}"]`).waitFor({ timeout: 5000 });
    const status = await tab.locator(`[data-testid="event-row"][data-event-id="${id}"]`).getAttribute('data-status');
    assert.equal(status, i === 0 ? 'APPROVED' : 'PENDING_APPROVAL', titles[i]);
  }
  await tab.locator(`[data-testid="event-row"][data-event-id="${seen.body.id}"][data-status="PENDING_APPROVAL"]`)
    .waitFor({ timeout: 5000 });
  assert.equal(await tab.evaluate(() => window.__noReload), true, 'the tab was not reloaded');
  console.log(`list fetches after the kill (polling fallback): ${listFetches.length}`);
  const states = await tab.evaluate(() => window.__indicatorStates);
  console.log(`indicator: ${states.join(' → ')}`);
  assert.ok(states.includes('reconnecting'), `the indicator went through reconnecting: ${states}`);
  assert.equal(states.at(-1), 'live');
  await shot(tab, 'offline-caught-up');
  await tab.context().close();
});
