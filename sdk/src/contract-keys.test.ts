/**
 * The contract module is the one speller of `nmaas.io/…` keys: a string literal that is exactly
 * such a key anywhere else in the sources fails here (the JSON schema's apiVersion, docs and
 * messages that mention a key in prose aside). Import the key from `@nmaas/sdk/contract` instead.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The contract itself, and the model's apiVersion (a version of the schema, not a key).
const ALLOWED = new Set(['sdk/src/contract.ts', 'sdk/src/model/schema.ts']);
const KEY_LITERAL = /(['"`])nmaas\.io\/[A-Za-z0-9._-]+\1/g;

function sourceFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return listed
    .split('\n')
    .filter((f) => f !== '' && !f.endsWith('.test.ts') && !f.includes('/dist/') && !f.includes('node_modules/'));
}

describe('contract keys', () => {
  it('are spelt only in the contract module', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles()) {
      if (ALLOWED.has(file)) continue;
      const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        for (const match of line.matchAll(KEY_LITERAL)) offenders.push(`${file}:${i + 1}: ${match[0]}`);
      });
    }
    expect(offenders, 'import these keys from @nmaas/sdk/contract').toEqual([]);
  });

  it('would catch a key written out', () => {
    expect("labels: { 'nmaas.io/pool': 'edge' }".match(KEY_LITERAL)).toEqual(["'nmaas.io/pool'"]);
    expect('see the nmaas.io/pool label'.match(KEY_LITERAL)).toBeNull();
  });
});
