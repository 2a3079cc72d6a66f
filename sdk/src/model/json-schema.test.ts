import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchema, manifestJsonSchemaText } from './json-schema.js';

describe('the generated JSON Schema of nmaas.yaml', () => {
  it('is fresh: the checked-in file equals what the zod schema generates (npm run schema -w @nmaas/sdk)', async () => {
    expect(await readFile(MANIFEST_SCHEMA_FILE, 'utf8')).toBe(manifestJsonSchemaText());
  });

  it('is what the regeneration script (built sdk) finds fresh', async () => {
    const script = new URL('../../scripts/write-json-schema.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [script.pathname, '--check']);
    expect(stdout).toMatch(/is fresh/);
  });

  it('accepts the full fixture and rejects a wrong field type', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(manifestJsonSchema());
    const full = parse(await readFile(new URL('../../fixtures/apps/full/nmaas.yaml', import.meta.url), 'utf8'));
    expect(validate(full), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...full, schedule: { every: 5, duration: '1s' } })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/schedule/every');
  });
});
