// Shared by the browser tests: Chromium, personas, the API, screenshots and the gateway's control.
// Run through system-tests' BrowserIT (./mvnw verify), which starts the system and sets:
//   EVENTLINE_URL        the gateway the browser uses (the test's own, which it may kill)
//   EVENTLINE_OTHER_URL  another gateway instance, for changes made while the first is down
//   EVENTLINE_MANAGEMENT_URL  the first gateway's management port (/q/metrics)
//   EVENTLINE_CONTROL    POST /gateway/kill and /gateway/start for the first gateway
//   CHROMIUM             Debian's Chromium;  EVENTLINE_RESULTS  where screenshots go
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.EVENTLINE_URL ?? 'http://localhost:8080';
export const OTHER = process.env.EVENTLINE_OTHER_URL ?? BASE;
export const MANAGEMENT = process.env.EVENTLINE_MANAGEMENT_URL ?? 'http://127.0.0.1:9080';
const CONTROL = process.env.EVENTLINE_CONTROL;
const RESULTS = process.env.EVENTLINE_RESULTS ?? path.resolve('test-results');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh persona name, so that tests sharing one database do not see each other's rows. */
export function unique(prefix) {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A new browser context signed in through the persona picker's custom form. Returns its first page. */
export async function signIn(browser, { sub, role, name = sub, ttlSeconds }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await openSignedIn(page, { sub, role, name, ttlSeconds });
  return page;
}

export async function openSignedIn(page, { sub, role, name = sub, ttlSeconds }) {
  await page.goto(BASE + '/');
  await page.getByTestId('persona-picker').waitFor();
  await page.getByTestId('custom-sub').fill(sub);
  await page.getByTestId('custom-role').selectOption(role);
  await page.getByTestId('custom-name').fill(name);
  if (ttlSeconds) await page.getByTestId('custom-ttl').fill(String(ttlSeconds));
  await page.getByTestId('custom-signin').click();
  await live(page);
}

/** Another tab of the same context (same session storage is not shared between tabs: sign in again). */
export async function newTab(page, persona) {
  const tab = await page.context().newPage();
  await openSignedIn(tab, persona);
  return tab;
}

export async function live(page, timeout = 15_000) {
  await page.locator('[data-testid="connection-indicator"][data-state="live"]').waitFor({ timeout });
}

/** Records every state the connection indicator shows, from now on, into window.__indicatorStates. */
export async function recordIndicator(page) {
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid="connection-indicator"]');
    window.__indicatorStates = [el.getAttribute('data-state')];
    new MutationObserver(() => {
      const s = el.getAttribute('data-state');
      if (window.__indicatorStates.at(-1) !== s) window.__indicatorStates.push(s);
    }).observe(el, { attributes: true, attributeFilter: ['data-state'] });
  });
}

export async function shot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
}

/** A token from the gateway's dev sign-in, and an API caller with it (real HTTP, through a gateway). */
export async function persona(sub, role, base = BASE) {
  const r = await fetch(base + '/dev/token', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub, role, name: sub }),
  });
  if (!r.ok) throw new Error(`POST /dev/token: ${r.status} ${await r.text()}`);
  const { token } = await r.json();
  const call = async (method, p, body, headers = {}, via = base) => {
    const res = await fetch(via + p, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : null };
  };
  return { sub, role, token, call };
}

export function eventBody(title, { submit = false, startsInDays = 7 } = {}) {
  const start = new Date(Date.now() + startsInDays * 86_400_000);
  return {
    title, venue: 'Hall 1', description: 'browser test', capacity: 50, submit,
    startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3_600_000).toISOString(),
  };
}

export async function gateway(action) {
  if (!CONTROL) throw new Error('EVENTLINE_CONTROL is not set: run the browser tests through BrowserIT');
  const r = await fetch(`${CONTROL}/gateway/${action}`, { method: 'POST' });
  if (r.status !== 204) throw new Error(`gateway ${action}: ${r.status}`);
}

/** Milliseconds since `t0` (performance.now()). */
export const since = (t0) => Math.round(performance.now() - t0);
