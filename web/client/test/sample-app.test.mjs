// @vitest-environment node
// Proof that another app can use the package, without a running system: the packed tarball in a
// sample app created outside this workspace (test/sample-app/ is its template; sample.mjs packs and
// installs it) type-checks, builds with Vite and passes its own test against the fake gateway.
// e2e/sample-app.test.mjs does the same and then runs the built sample against a real gateway.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, installSample, npm } from './sample.mjs';

const pkg = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8'));
let sample;
let app;

beforeAll(async () => {
  sample = await installSample();
  app = sample.app;
}, 240_000);

afterAll(() => sample?.remove());

describe('the packed package in a sample app outside the workspace', () => {
  it('is installed from the tarball, with its dist and without its tests', () => {
    const installed = join(app, 'node_modules', '@eventline', 'client');
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toBe(pkg.version);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(readdirSync(join(installed, 'src')).filter((f) => f.includes('.test.') || f === 'test-fakes.ts')).toEqual([]);
    expect(existsSync(join(installed, 'CHANGELOG.md'))).toBe(true);
  });

  it('type-checks', async () => {
    await npm(['run', 'typecheck'], app);
  }, 120_000);

  it('builds with Vite', async () => {
    await npm(['run', 'build'], app);
    expect(readdirSync(join(app, 'dist', 'assets')).some((f) => f.endsWith('.js'))).toBe(true);
  }, 120_000);

  it('passes its own test (plain Node, the fake gateway)', async () => {
    const out = await npm(['test'], app);
    expect(out).toMatch(/^\S+ pass 1$/m);
    expect(out).toMatch(/^\S+ fail 0$/m);
  }, 120_000);
});
