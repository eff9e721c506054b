// Live dashboards: what one person does shows up in the other tabs and for the other people concerned
// within 1 s, pushed by the gateway's stream, with no reload.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventBody, launch, persona, shot, signIn, newTab, since, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const row = (page, title) => page.locator(`[data-testid="event-row"][data-title="${title}"]`);

async function createThroughTheForm(page, title, { submit = false } = {}) {
  await page.getByTestId('create-title').fill(title);
  await page.getByTestId('create-venue').fill('Main hall');
  await page.getByTestId('create-capacity').fill('40');
  if (submit) await page.getByTestId('create-submit-for-approval').check();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/events') && r.request().method() === 'POST');
  await page.getByTestId('create-event-button').click();
  const response = await created;
  assert.equal(response.status(), 201, await response.text());
  return performance.now();
}

test('an event created in one tab appears in the partner\'s other tab within 1 s, without a reload', async () => {
  const partner = { sub: unique('pat'), role: 'partner' };
  const tab1 = await signIn(browser, partner);
  const tab2 = await newTab(tab1, partner);
  await tab2.evaluate(() => { window.__noReload = true; });

  const title = unique('Jazz night');
  const t0 = await createThroughTheForm(tab1, title);
  await row(tab2, title).waitFor({ timeout: 1000 });
  console.log(`tab 2 showed the new event ${since(t0)} ms after the create answered`);
  assert.equal(await tab2.evaluate(() => window.__noReload), true, 'tab 2 was not reloaded');
  await row(tab1, title).and(tab1.locator(':not([data-pending="true"])')).waitFor({ timeout: 1000 });
  await shot(tab2, 'two-tabs-partner-tab-2');
  await tab1.context().close();
});

test('an admin approves in another browser, and the partner\'s tab shows "approved" and a notification within 1 s', async () => {
  const partner = { sub: unique('pat'), role: 'partner' };
  const partnerTab = await signIn(browser, partner);
  const title = unique('Gallery opening');
  await createThroughTheForm(partnerTab, title, { submit: true });
  await row(partnerTab, title).and(partnerTab.locator('[data-status="PENDING_APPROVAL"]')).waitFor({ timeout: 2000 });
  const before = Number(await partnerTab.getByTestId('notification-count').textContent());

  const adminTab = await signIn(browser, { sub: unique('ada'), role: 'admin' });
  const pending = adminTab.locator(`[data-testid="review-row"][data-title="${title}"]`);
  await pending.waitFor({ timeout: 5000 });
  const approved = adminTab.waitForResponse((r) => r.url().endsWith('/approve'));
  await pending.getByTestId('approve-button').click();
  assert.equal((await approved).status(), 200);
  const t0 = performance.now();

  await row(partnerTab, title).and(partnerTab.locator('[data-status="APPROVED"]')).waitFor({ timeout: 1000 });
  assert.match(await row(partnerTab, title).getByTestId('event-status').textContent(), /approved/);
  const statusAfter = since(t0);
  await partnerTab.getByTestId('notification-count').filter({ hasText: String(before + 1) }).waitFor({ timeout: Math.max(1, 1000 - statusAfter) });
  console.log(`approved after ${statusAfter} ms, notification counted after ${since(t0)} ms`);
  await partnerTab.getByTestId('notification-bell').click();
  await partnerTab.locator('[data-testid="notification-item"][data-type="EVENT_APPROVED"]').first().waitFor({ timeout: 2000 });
  await pending.waitFor({ state: 'detached', timeout: 2000 });
  await shot(partnerTab, 'partner-sees-approval');
  await shot(adminTab, 'admin-review-queue');
  await partnerTab.context().close();
  await adminTab.context().close();
});

test('a partner edits an approved event: the public keeps the approved version until an admin approves the revision with If-Match', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const admin = await persona(unique('ada'), 'admin');
  const title = unique('Harbour concert');
  const created = await partner.call('POST', '/api/events', eventBody(title, { submit: true }));
  assert.equal(created.status, 201);
  const id = created.body.id;
  assert.equal((await admin.call('POST', `/api/events/${id}/approve`, undefined, { 'if-match': created.etag })).status, 200);

  const userTab = await signIn(browser, { sub: unique('uma'), role: 'user' });
  const offer = userTab.locator(`[data-testid="catalog-row"][data-event-id="${id}"]`);
  await offer.and(userTab.locator(`[data-title="${title}"]`)).waitFor({ timeout: 5000 });

  // the partner renames it through the dashboard: the change waits for review
  const partnerTab = await signIn(browser, { sub: partner.sub, role: 'partner' });
  const mine = row(partnerTab, title);
  await mine.getByTestId('edit-button').click();
  const renamed = `${title} (moved indoors)`;
  await mine.getByTestId('edit-title').fill(renamed);
  const put = partnerTab.waitForResponse((r) => r.url().endsWith(`/api/events/${id}`) && r.request().method() === 'PUT');
  await mine.getByTestId('edit-save').click();
  assert.equal((await put).status(), 200);
  await mine.getByTestId('event-revision').and(partnerTab.locator(`[data-revision-status="PENDING"][data-revision-title="${renamed}"]`))
    .waitFor({ timeout: 2000 });

  // the admin sees the pending revision, field by field
  const adminTab = await signIn(browser, { sub: admin.sub, role: 'admin' });
  const review = adminTab.locator(`[data-testid="review-row"][data-event-id="${id}"][data-kind="revision"]`);
  await review.waitFor({ timeout: 5000 });
  assert.match(await review.getByTestId('revision-diff').textContent(), new RegExp(`Title.*${renamed.replace(/[()]/g, '\\$&')}`));
  // meanwhile the public still sees (and can book) only what was approved
  assert.equal(await offer.getAttribute('data-title'), title);
  const stranger = await persona(unique('uma'), 'user');
  const seen = await stranger.call('GET', `/api/events/${id}`);
  assert.equal(seen.body.title, title);
  assert.equal('revision' in seen.body, false, 'the public never receives the revision');

  const version = await review.getAttribute('data-version');
  const approveRequest = adminTab.waitForRequest((r) => r.url().endsWith(`/api/events/${id}/revision/approve`));
  const approved = adminTab.waitForResponse((r) => r.url().endsWith(`/api/events/${id}/revision/approve`));
  await review.getByTestId('approve-button').click();
  assert.equal((await approveRequest).headers()['if-match'], `"${version}"`, 'the admin approves exactly the version shown');
  assert.equal((await approved).status(), 200);
  const t0 = performance.now();

  await offer.and(userTab.locator(`[data-title="${renamed}"]`)).waitFor({ timeout: 1000 });
  console.log(`the catalog showed the approved revision ${since(t0)} ms after the approval answered`);
  await row(partnerTab, renamed).waitFor({ timeout: 1000 });
  assert.equal(await row(partnerTab, renamed).getByTestId('event-revision').count(), 0);
  await review.waitFor({ state: 'detached', timeout: 2000 });
  await shot(partnerTab, 'partner-revision-approved');
  for (const t of [userTab, partnerTab, adminTab]) await t.context().close();
});

test('a user books, and the partner sees the booking count change within 1 s', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const admin = await persona(unique('ada'), 'admin');
  const title = unique('Food market');
  const created = await partner.call('POST', '/api/events', {
    title, venue: 'Square', capacity: 30, submit: true,
    startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    endsAt: new Date(Date.now() + 3 * 86_400_000 + 7_200_000).toISOString(),
  });
  assert.equal(created.status, 201);
  assert.equal((await admin.call('POST', `/api/events/${created.body.id}/approve`)).status, 200);

  const partnerTab = await signIn(browser, { sub: partner.sub, role: 'partner' });
  const seats = row(partnerTab, title).getByTestId('event-seats');
  await seats.and(partnerTab.locator('[data-seats-booked="0"]')).waitFor({ timeout: 5000 });

  const userTab = await signIn(browser, { sub: unique('uma'), role: 'user' });
  const offer = userTab.locator(`[data-testid="catalog-row"][data-title="${title}"]`);
  await offer.waitFor({ timeout: 5000 });
  await offer.getByTestId('book-seats').fill('2');
  const booked = userTab.waitForResponse((r) => r.url().endsWith('/bookings') && r.request().method() === 'POST');
  await offer.getByTestId('book-button').click();
  assert.equal((await booked).status(), 201);
  const t0 = performance.now();

  await seats.and(partnerTab.locator('[data-seats-booked="2"]')).waitFor({ timeout: 1000 });
  console.log(`the partner saw 2 seats booked ${since(t0)} ms after the booking answered`);
  assert.match(await seats.textContent(), /2\s*\/\s*30/);
  await userTab.locator(`[data-testid="booking-row"][data-event-id="${created.body.id}"]`).waitFor({ timeout: 2000 });
  await shot(userTab, 'user-catalog-and-bookings');
  await shot(partnerTab, 'partner-sees-booking');
  await partnerTab.context().close();
  await userTab.context().close();
});

test('a message appears in the recipient\'s tab and updates their unread badge', async () => {
  const recipient = { sub: unique('pat'), role: 'partner' };
  const recipientTab = await signIn(browser, recipient);
  const badge = recipientTab.getByTestId('unread-messages-count');
  assert.equal((await badge.textContent()).trim(), '0');

  const senderTab = await signIn(browser, { sub: unique('uma'), role: 'user' });
  await senderTab.getByTestId('new-conversation-to').fill(recipient.sub);
  await senderTab.getByTestId('new-conversation-body').fill('Is there parking at the venue?');
  const sent = senderTab.waitForResponse((r) => r.url().endsWith('/messages') && r.request().method() === 'POST');
  await senderTab.getByTestId('new-conversation-send').click();
  assert.equal((await sent).status(), 201);
  const t0 = performance.now();

  await badge.filter({ hasText: /^\s*1\s*$/ }).waitFor({ timeout: 1000 });
  console.log(`the recipient's unread badge showed 1 after ${since(t0)} ms`);
  const conversation = recipientTab.getByTestId('conversation-item').first();
  await conversation.waitFor({ timeout: 1000 });
  await conversation.click();
  await recipientTab.getByTestId('message-item').filter({ hasText: 'Is there parking at the venue?' }).waitFor({ timeout: 2000 });
  await badge.filter({ hasText: /^\s*0\s*$/ }).waitFor({ timeout: 2000 });
  await shot(recipientTab, 'recipient-reads-message');
  await recipientTab.context().close();
  await senderTab.context().close();
});
