/**
 * The rule catalogue that `--list-rules` prints without loading the checks is the rules' own
 * metadata, and every rule appears, with its peer rules, in both `--list-rules` and the README.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from './index.js';
import { RULE_CATALOGUE } from './catalogue.js';
import { peersText } from './peers.js';
import { listRulesText } from '../output/rules-list.js';
import { FIXTURES } from '../testing/index.js';

describe('rule catalogue', () => {
  it('is the metadata of every rule, in order', () => {
    expect(
      RULE_CATALOGUE,
      'src/rules/catalogue.ts is stale: run `npm run build && npm run rule-catalogue -w @nmaas/validator`',
    ).toEqual(RULES.map((r) => r.meta));
  });

  it('lists every rule in --list-rules and the README, with the same peer rules', async () => {
    const text = listRulesText(RULE_CATALOGUE);
    const readme = await readFile(path.join(FIXTURES, '..', 'README.md'), 'utf8');
    const rows = new Map(
      readme
        .split('\n')
        .filter((l) => l.startsWith('| `NMAAS-'))
        .map((l) => [/^\| `([^`]+)`/.exec(l)![1]!, l.split('|').map((c) => c.trim())] as const),
    );
    for (const meta of RULE_CATALOGUE) {
      expect(text).toContain(`  ${meta.id}  [${meta.severity}`);
      const row = rows.get(meta.id);
      expect(row, `README.md has no table row for ${meta.id}`).toBeDefined();
      // | id | severity | PSS | what | peer rules |
      expect(row!.slice(2, 6), `README row of ${meta.id}`).toEqual([
        meta.severity,
        meta.pss ?? '',
        meta.title,
        peersText(meta.peers),
      ]);
      if (peersText(meta.peers) !== '') expect(text).toContain(`      peers: ${peersText(meta.peers)}`);
    }
    expect([...rows.keys()].filter((id) => !RULE_CATALOGUE.some((m) => m.id === id))).toEqual([]);
  });
});
