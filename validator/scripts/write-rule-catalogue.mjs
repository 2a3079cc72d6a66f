/**
 * Writes src/rules/catalogue.ts: every rule's metadata as plain data, so that `nmaas validate
 * --list-rules` prints the rules without loading their checks (which pull in the SDK and
 * charts-gen). Run after adding or changing a rule: `npm run rule-catalogue -w @nmaas/validator`
 * (it reads the built rules, so build first). src/rules/catalogue.test.ts fails while the file is stale.
 */
import { rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const { RULES } = await import('../dist/rules/index.js');
const target = fileURLToPath(new URL('../src/rules/catalogue.ts', import.meta.url));
const source = [
  '/**',
  " * Every rule's metadata, written by scripts/write-rule-catalogue.mjs from the rule modules (do not",
  ' * edit by hand). `--list-rules` reads this instead of loading every check; catalogue.test.ts keeps',
  ' * it equal to the rules.',
  ' */',
  "import type { RuleMeta } from '../types.js';",
  '',
  `export const RULE_CATALOGUE: readonly RuleMeta[] = ${JSON.stringify(
    RULES.map((r) => r.meta),
    null,
    2,
  )};`,
  '',
].join('\n');
const options = (await prettier.resolveConfig(target)) ?? {};
const formatted = await prettier.format(source, { ...options, filepath: target });
await writeFile(`${target}.tmp`, formatted);
await rename(`${target}.tmp`, target);
console.log(`wrote ${RULES.length} rules to ${target}`);
