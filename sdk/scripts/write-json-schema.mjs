// Regenerates sdk/schema/nmaas.schema.json from the zod schema (run after `tsc -b`).
import { writeFile, rename } from 'node:fs/promises';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchemaText } from '../dist/index.js';

const tmp = `${MANIFEST_SCHEMA_FILE}.${process.pid}.tmp`;
await writeFile(tmp, manifestJsonSchemaText());
await rename(tmp, MANIFEST_SCHEMA_FILE);
console.log(`wrote ${MANIFEST_SCHEMA_FILE}`);
