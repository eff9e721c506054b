#!/usr/bin/env node
// The TypeScript types of the change records' data, generated from their one source: the JSON
// Schemas in change-record/src/main/resources/schemas (with json-schema-to-typescript).
//   node scripts/generate-records.mjs           (re)writes src/records.generated.ts
//   node scripts/generate-records.mjs --check   fails when the committed file is not what the schemas give
// The check runs in the web build (`npm run typecheck`, which web/build.sh runs) and in the client's
// tests (test/records-generated.test.mjs), so a hand edit of the generated file, or a schema change
// without regenerating, fails the build.
//
// The types are the client's view of the schemas: an open enum (anyOf [{enum}, {type: string}])
// becomes the union of the values known at build time, and objects list their known fields only.
// The published schemas stay open; see docs/change-feed.md, "Changing a record type".
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
export const SCHEMAS = join(repo, 'change-record/src/main/resources/schemas');
export const OUTPUT = resolve(here, '../src/records.generated.ts');
const SCRIPT = relative(repo, fileURLToPath(import.meta.url));

/** Every schema file, by name, sorted (so the output does not depend on the directory's order). */
function readSchemas() {
  const files = readdirSync(SCHEMAS).filter((f) => f.endsWith('.json')).sort();
  return new Map(files.map((f) => [f, JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8'))]));
}

/** An open enum: anyOf of one {enum} and one {type}. */
function openEnumValues(node) {
  if (!Array.isArray(node.anyOf) || node.anyOf.length !== 2) return null;
  const closed = node.anyOf.find((a) => Array.isArray(a.enum));
  const any = node.anyOf.find((a) => a.type && !a.enum);
  return closed && any ? closed.enum : null;
}

/** The schema as the client types it: cross-file $refs named by their target's title, open enums as their known values. */
function clientView(file, node, schemas) {
  if (Array.isArray(node)) return node.map((n) => clientView(file, n, schemas));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const [target, pointer = ''] = node.$ref.split('#');
    let referenced = schemas.get(target || file);
    if (!referenced) throw new Error(`${file}: $ref ${node.$ref} names no schema`);
    for (const part of pointer.split('/').filter(Boolean)) referenced = referenced?.[part];
    if (!referenced?.title) throw new Error(`${file}: $ref ${node.$ref} must point at a schema with a title`);
    return { tsType: referenced.title };
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$id' || k === '$schema' || k.startsWith('x-')) continue;
    out[k] = clientView(file, v, schemas);
  }
  const known = openEnumValues(node);
  if (known) {
    delete out.anyOf;
    out.enum = known;
    out.description = 'Known values. The set is open: a newer server may send others.';
  }
  return out;
}

/** The generated module's text. */
export async function generate() {
  const schemas = readSchemas();
  const parts = [
    `// Generated from change-record/src/main/resources/schemas by ${SCRIPT}; do not edit.`,
    '// Regenerate with `npm run generate -w @eventline/client` after changing a schema.',
    '/* eslint-disable */',
    '',
  ];
  const byTitle = [];
  for (const [file, schema] of schemas) {
    const ts = await compile(clientView(file, schema, schemas), schema.title, {
      bannerComment: '',
      additionalProperties: false,
      declareExternallyReferenced: true,
      ignoreMinAndMaxItems: true,
      format: true,
      style: { singleQuote: true, printWidth: 120, trailingComma: 'all' },
    });
    parts.push(`// ---- ${file} (x-version ${schema['x-version']})`, '', ts.trim(), '');
    byTitle.push([schema.title, schema['x-record-types'] ?? []]);
  }
  parts.push(
    "/** The record types whose data each schema describes (their `x-record-types`), by the schema's title. */",
    'export const RECORD_TYPES_BY_SCHEMA = {',
    ...byTitle.flatMap(([title, types]) => [`  ${title}: [`, ...types.map((t) => `    '${t}',`), '  ],']),
    '} as const;',
    '',
    "/** The major version of each schema (its `x-version`): a record's `dataschema` ends in `/v<version>.json`. */",
    'export const SCHEMA_VERSIONS = {',
    ...[...schemas.values()].map((s) => `  ${s.title}: ${s['x-version']},`),
    '} as const;',
    '',
  );
  return parts.join('\n');
}

/** Null when the committed file is what the schemas give, else a message saying where it differs. */
export async function check() {
  const expected = await generate();
  let actual = '';
  try {
    actual = readFileSync(OUTPUT, 'utf8');
  } catch {
    return `${relative(repo, OUTPUT)} is missing: run node ${SCRIPT}`;
  }
  if (actual === expected) return null;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let line = 0;
  while (line < a.length && line < e.length && a[line] === e[line]) line++;
  return (
    `${relative(repo, OUTPUT)} is not what the schemas in ${relative(repo, SCHEMAS)} generate ` +
    `(first difference at line ${line + 1}:\n  committed: ${JSON.stringify(a[line] ?? '<end of file>')}\n` +
    `  generated: ${JSON.stringify(e[line] ?? '<end of file>')}).\n` +
    `It is generated: do not edit it by hand; change the schema and run \`node ${SCRIPT}\`.`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problem = await check();
    if (problem) {
      console.error(problem);
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, await generate());
    console.log(`wrote ${relative(repo, OUTPUT)}`);
  }
}
