// @vitest-environment node
// (Plain JS: it runs in Node, and the client's tsconfig has no Node types.)
// The published shape: the build (tsconfig.build.json, as `npm pack` runs it) emits every entry that
// package.json exports, and the framework-free entry reaches no package at all, React least of all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** The build's output directory. */
let out;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'eventline-client-build-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'pipe' });
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const SPECIFIER = /(?:\bimport|\bexport)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare (package) specifier reachable from `entry` through relative imports. */
function packagesReachedFrom(entry) {
  const packages = new Set();
  const seen = new Set();
  const todo = [join(out, entry)];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, file.endsWith('.d.ts') ? '.d.ts' : '.js')));
      else packages.add(spec);
    }
  }
  return packages;
}

describe('the package', () => {
  it('builds every file its exports name, for types and for import', () => {
    for (const [entry, conditions] of Object.entries(pkg.exports)) {
      if (typeof conditions === 'string') continue;
      expect(Object.keys(conditions), entry).toEqual(expect.arrayContaining(['types', 'import']));
      for (const file of [conditions.types, conditions.import]) {
        expect(existsSync(join(out, file.replace(/^\.\/dist\//, ''))), `${entry} → ${file}`).toBe(true);
      }
    }
  });

  it('is publishable, with React an optional peer', () => {
    expect(pkg.private).toBe(false);
    expect(pkg.version).toMatch(/^0\.\d+\.\d+$/);
    expect(pkg.files).toContain('dist');
    expect(pkg.peerDependenciesMeta?.react?.optional).toBe(true);
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('framework-free entry (code and types) imports no package, React least of all', () => {
    expect([...packagesReachedFrom('index.js')]).toEqual([]);
    expect([...packagesReachedFrom('index.d.ts')]).toEqual([]);
  });

  it('testing entry needs no test runner and no React', () => {
    expect([...packagesReachedFrom('testing.js')]).toEqual([]);
  });

  it('react entry is the one that imports React', () => {
    expect([...packagesReachedFrom('react.js')].sort()).toEqual(['react', 'react/jsx-runtime']);
  });
});
