// Bad input and lost sessions, as a person sees them: the server's problem is shown and the
// optimistic row rolled back; a stale edit says "changed elsewhere"; an expired session goes back
// to the persona picker instead of leaving a stale page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventBody, launch, persona, shot, signIn, unique } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a create the server refuses shows its problem and rolls the optimistic row back', async () => {
  const tab = await signIn(browser, { sub: unique('pat'), role: 'partner' });
  const title = unique('Yesterday\'s concert');
  await tab.getByTestId('create-title').fill(title);
  await tab.getByTestId('create-venue').fill('Old hall');
  // A start in the past: only the server knows "now" for sure, so only it refuses this.
  await tab.getByTestId('create-starts-at').fill('2020-01-01T19:00');
  await tab.getByTestId('create-ends-at').fill('2020-01-01T22:00');
  const answered = tab.waitForResponse((r) => r.url().endsWith('/api/events') && r.request().method() === 'POST');
  await tab.getByTestId('create-event-button').click();
  const response = await answered;
  assert.equal(response.status(), 400);
  assert.match(response.headers()['content-type'], /application\/problem\+json/);
  const problem = await response.json();

  const error = tab.getByTestId('form-error');
  await error.waitFor({ timeout: 2000 });
  const shown = await error.textContent();
  assert.ok(problem.errors?.length > 0, JSON.stringify(problem));
  for (const e of problem.errors) assert.ok(shown.includes(e.message), `"${shown}" names "${e.message}"`);
  await tab.locator(`[data-testid="event-row"][data-title="${title}"]`).waitFor({ state: 'detached', timeout: 2000 });
  await shot(tab, 'create-refused');
  await tab.context().close();
});

test('saving an edit of an event changed elsewhere says so and reloads it', async () => {
  const partner = await persona(unique('pat'), 'partner');
  const created = await partner.call('POST', '/api/events', eventBody(unique('Poetry slam')));
  assert.equal(created.status, 201);
  const tab = await signIn(browser, { sub: partner.sub, role: 'partner' });
  const row = tab.locator(`[data-testid="event-row"][data-event-id="${created.body.id}"]`);
  await row.waitFor({ timeout: 5000 });
  await row.getByTestId('edit-button').click();
  await row.getByTestId('edit-title').fill('My new title');

  // Meanwhile, the same event is changed somewhere else (another device of the partner).
  const elsewhere = { ...eventBody('Changed elsewhere'), startsAt: created.body.startsAt, endsAt: created.body.endsAt };
  delete elsewhere.submit;
  const put = await partner.call('PUT', `/api/events/${created.body.id}`, elsewhere, { 'if-match': created.etag });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  const saved = tab.waitForResponse((r) => r.url().endsWith(`/api/events/${created.body.id}`) && r.request().method() === 'PUT');
  await row.getByTestId('edit-save').click();
  assert.equal((await saved).status(), 412);
  await tab.getByTestId('toast').filter({ hasText: 'changed elsewhere' }).waitFor({ timeout: 2000 });
  await row.getByTestId('event-title').filter({ hasText: 'Changed elsewhere' }).waitFor({ timeout: 2000 });
  await shot(tab, 'edit-changed-elsewhere');
  await tab.context().close();
});

test('an expired session goes back to the persona picker', async () => {
  const tab = await signIn(browser, { sub: unique('uma'), role: 'user', ttlSeconds: 6 });
  await tab.getByTestId('persona-picker').waitFor({ timeout: 20_000 });
  assert.match(await tab.locator('body').textContent(), /session expired/i);
  await shot(tab, 'session-expired');
  await tab.context().close();
});
