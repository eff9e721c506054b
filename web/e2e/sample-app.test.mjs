// The packed @eventline/client in an app outside the workspace, against the real gateway: the sample
// (web/client/test/sample-app/, packed and installed by client/test/sample.mjs) type-checks, builds
// and passes its own test; its built dist/, served by `vite preview` with /api and /dev forwarded to
// the gateway, goes live in Chromium and shows a catalog that updates without a reload.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { after, before, test } from 'node:test';
import { installSample, npm } from '../client/test/sample.mjs';
import { BASE, eventBody, launch, persona, shot, since, unique } from './support.mjs';

let sample;
let preview;
let browser;

before(async () => {
  sample = await installSample();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close();
  if (preview && preview.exitCode === null && preview.signalCode === null) {
    const exited = new Promise((resolve) => preview.once('exit', resolve));
    preview.kill('SIGKILL');
    await exited;
  }
  sample?.remove();
});

test('the packed sample type-checks, builds and passes its own test', { timeout: 180_000 }, async () => {
  const timeoutMs = 60_000; // each step takes seconds; bounded well inside BrowserIT's 8 minutes
  await npm(['run', 'typecheck'], sample.app, { timeoutMs });
  await npm(['run', 'build'], sample.app, { timeoutMs });
  const out = await npm(['test'], sample.app, { timeoutMs });
  assert.match(out, /^\S+ pass 1$/m);
  assert.match(out, /^\S+ fail 0$/m);
});

/** A port nobody listens on now (the preview takes it with --strictPort, so a race fails loudly). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `vite preview` of the built sample on `port`, forwarding to `gateway`; resolves once it prints its URL. */
async function startPreview(app, port, gateway) {
  const child = spawn(process.execPath,
    [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    // Vite colours its banner when CI is set (the port in bold, between escape codes), so the child
    // is asked for plain text, and what it prints is read without escape codes either way.
    { cwd: app, env: { ...process.env, EVENTLINE_GATEWAY: gateway, NO_COLOR: '1', FORCE_COLOR: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
  preview = child;
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite preview did not start within 30 s:\n${output}`)), 30_000);
    const done = (err) => { clearTimeout(timer); if (err) reject(err); else resolve(); };
    const hear = (chunk) => {
      output += stripVTControlCharacters(chunk);
      if (output.includes(`http://127.0.0.1:${port}/`)) done();
    };
    child.stdout.setEncoding('utf8').on('data', hear);
    child.stderr.setEncoding('utf8').on('data', hear);
    child.once('error', done);
    child.once('exit', (code, signal) => done(new Error(`vite preview exited (${code ?? signal}):\n${output}`)));
  });
  return `http://127.0.0.1:${port}`;
}

test('the built sample, served against the real gateway, goes live and its list updates without a reload', { timeout: 120_000 }, async () => {
  const url = await startPreview(sample.app, await freePort(), BASE);
  // GET /api/events is the catalog: APPROVED events that have not ended, the same for every role.
  // So the sample's reader is a user, and what the list shows is an admin's approval.
  const reader = await persona(unique('uma'), 'user');
  const partner = await persona(unique('pat'), 'partner');
  const admin = await persona(unique('ada'), 'admin');

  browser = await launch();
  const context = await browser.newContext();
  await context.addInitScript((token) => sessionStorage.setItem('token', token), reader.token);
  const page = await context.newPage();
  await page.goto(url + '/');
  await page.getByTestId('state').filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="events"][data-loaded="true"]').waitFor({ state: 'attached', timeout: 15_000 });
  await page.evaluate(() => { window.__noReload = true; });

  const title = unique('Sample night');
  const created = await partner.call('POST', '/api/events', eventBody(title, { submit: true }));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  const item = page.locator(`[data-testid="events"] li[data-id="${id}"]`);
  const approved = await admin.call('POST', `/api/events/${id}/approve`, undefined, { 'if-match': created.etag });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  const t0 = performance.now();
  await item.filter({ hasText: title }).waitFor({ timeout: 5000 });
  console.log(`the sample listed the approved event ${since(t0)} ms after the approval answered`);
  await shot(page, 'sample-app-live');

  // A change the list shows the other way: the partner cancels it, and it leaves the list.
  const cancelled = await partner.call('POST', `/api/events/${id}/cancel`);
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
  const t1 = performance.now();
  await item.waitFor({ state: 'detached', timeout: 5000 });
  console.log(`the sample dropped the cancelled event ${since(t1)} ms after the cancel answered`);

  assert.equal(await page.evaluate(() => window.__noReload), true, 'the sample was not reloaded');
  assert.equal(await page.getByTestId('state').textContent(), 'live');
  assert.equal(await page.getByRole('alert').count(), 0, 'the sample shows no error');
  await context.close();
});
