// The one home of the sample app's setup: `npm pack` the client, copy the template in sample-app/
// to a temporary directory outside the workspace, point its dependency at the tarball and install
// (npm's cache when it has the packages, else the registry). Used by test/sample-app.test.mjs
// (vitest, `npm run test:pack`: the fake gateway only) and by e2e/sample-app.test.mjs (the same
// checks, then the built sample served by `vite preview` against a real gateway, in Chromium).
// Plain JS: it runs in Node, and the client's tsconfig has no Node types.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** web/client, the package that is packed. */
export const CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Asynchronous, so that a test worker stays responsive during minutes of npm and tsc.
const run = promisify(execFile);

/** `npm <args>` in `cwd`; its stdout. Fails (with npm's stderr in the error) on a non-zero exit or after `timeoutMs`. */
export async function npm(args, cwd, { env = {}, timeoutMs = 240_000 } = {}) {
  // Without NODE_TEST_CONTEXT: under `node --test` it would make the sample's own `node --test`
  // report to this process's runner instead of printing its results.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const { stdout } = await run('npm', args, {
    cwd, env: { ...inherited, npm_config_loglevel: 'error', ...env }, maxBuffer: 16 << 20, timeout: timeoutMs, killSignal: 'SIGKILL',
  });
  return stdout;
}

/**
 * Packs the client and installs the tarball into a fresh copy of the sample app.
 * Returns `{ work, app, tarball, remove }`: `app` is the sample's directory; `remove()` deletes `work`.
 */
export async function installSample() {
  const work = mkdtempSync(join(tmpdir(), 'eventline-sample-'));
  const remove = () => rmSync(work, { recursive: true, force: true });
  try {
    const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], CLIENT));
    const tarball = join(work, packed[0].filename);
    const app = join(work, 'app');
    cpSync(join(CLIENT, 'test', 'sample-app'), app, { recursive: true });
    const manifest = join(app, 'package.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('file:TARBALL', `file:${tarball}`));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    return { work, app, tarball, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
