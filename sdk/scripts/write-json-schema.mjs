// Regenerates sdk/schema/nmaas.schema.json from the zod schema (run after `tsc -b`); with --check it
// only says whether the checked-in file is fresh (exit 1 when it is not).
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../dist/kit/index.js';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchemaText } from '../dist/model/index.js';

const text = manifestJsonSchemaText();
if (process.argv.includes('--check')) {
  const fresh = (await readFile(MANIFEST_SCHEMA_FILE, 'utf8').catch(() => '')) === text;
  console.log(
    fresh ? `${MANIFEST_SCHEMA_FILE} is fresh` : `${MANIFEST_SCHEMA_FILE} is stale: npm run schema -w @nmaas/sdk`,
  );
  process.exitCode = fresh ? 0 : 1;
} else {
  await writeFileAtomic(MANIFEST_SCHEMA_FILE, text);
  console.log(`wrote ${MANIFEST_SCHEMA_FILE}`);
}
