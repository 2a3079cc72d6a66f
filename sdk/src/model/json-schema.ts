/**
 * The JSON Schema of nmaas.yaml, generated from the zod schema (never written by hand) so that
 * editors complete and check nmaas.yaml. `sdk/schema/nmaas.schema.json` is its checked-in copy;
 * a test fails when the copy is stale (regenerate with `npm run schema -w @nmaas/sdk`).
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { appManifestShape } from './schema.js';

export const MANIFEST_SCHEMA_ID = 'https://nmaas.io/schema/nmaas.schema.json';

/** Where the checked-in schema lives, relative to this module in src/ or dist/. */
export const MANIFEST_SCHEMA_FILE = fileURLToPath(new URL('../../schema/nmaas.schema.json', import.meta.url));

export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(appManifestShape, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: MANIFEST_SCHEMA_ID,
    title: 'NMaaS app declaration (nmaas.yaml)',
    description:
      'Declares a containerised measurement app: its image, schedule, resources, placement, capabilities, parameters, metrics and alerts.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
