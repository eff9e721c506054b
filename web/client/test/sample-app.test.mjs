// @vitest-environment node
// Proof that another app can use the package: `npm pack` it, install the tarball into a sample app
// created outside this workspace (test/sample-app/ is its template), and have the sample
// type-check, build with Vite and pass its own test. It installs the sample's dependencies with
// npm (from npm's cache when it has them, else from the registry).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let work;
let app;

// Asynchronous, so that the test worker stays responsive during minutes of npm and tsc.
const run = promisify(execFile);
async function npm(args, cwd) {
  const { stdout } = await run('npm', args, { cwd, env: { ...process.env, npm_config_loglevel: 'error' }, maxBuffer: 16 << 20 });
  return stdout;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'eventline-sample-'));
  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], root));
  const tarball = join(work, packed[0].filename);
  app = join(work, 'app');
  cpSync(join(root, 'test', 'sample-app'), app, { recursive: true });
  const manifest = join(app, 'package.json');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('file:TARBALL', `file:${tarball}`));
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

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
    expect(out).toMatch(/# pass 1/);
    expect(out).toMatch(/# fail 0/);
  }, 120_000);
});
