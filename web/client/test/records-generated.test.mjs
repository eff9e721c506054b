// @vitest-environment node
// (Plain JS: it runs in Node, and the client's tsconfig has no Node types.)
// src/records.generated.ts is generated from the record JSON Schemas: the committed file must be
// exactly what the schemas give, so a hand edit, or a schema change without regenerating, fails.
import { describe, expect, it } from 'vitest';
import { check } from '../scripts/generate-records.mjs';

describe('records.generated.ts', () => {
  it('is what change-record/src/main/resources/schemas generate', async () => {
    expect(await check()).toBeNull();
  }, 30_000);
});
