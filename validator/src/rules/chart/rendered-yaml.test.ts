/**
 * Decoder findings name the template and the line inside it (helm's `# Source:` file), not a
 * line of the whole rendered stream nor of the template's rendered output.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../engine.js';
import { buildCase, loadCases, tempDir } from '../../testing/index.js';
import { templateLine } from './files.js';

let work: string;
beforeAll(async () => {
  work = await tempDir();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The 1-based line of the template that holds `text` (once). */
async function lineIn(dir: string, file: string, text: string): Promise<number> {
  const lines = (await readFile(path.join(dir, file), 'utf8')).split('\n');
  const at = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  expect(at).toHaveLength(1);
  return at[0]!;
}

describe('decoder findings point into the template', () => {
  it('names the template line of a duplicate key (after template actions that render no line)', async () => {
    const c = (await loadCases()).find((x) => x.id === 'NMAAS-RENDERED-YAML')!;
    const dir = await buildCase(c, path.join(work, 'dup'));
    const report = await validate(dir, { defaultsOnly: true });
    const f = report.findings.find((x) => x.ruleId === 'NMAAS-RENDERED-YAML')!;
    const line = await lineIn(dir, 'templates/deployment.yaml', 'privileged: true');
    expect(f.file).toBe('templates/deployment.yaml');
    expect(f.line).toBe(line);
    expect(f.message).toContain(`templates/deployment.yaml, line ${line}:`);
  });

  it('names the template line of a security field that is not a boolean', async () => {
    const c = (await loadCases()).find((x) => x.id === 'NMAAS-SECURITY-FIELD-TYPE')!;
    const dir = await buildCase(c, path.join(work, 'type'));
    const report = await validate(dir, { defaultsOnly: true });
    const f = report.findings.find((x) => x.ruleId === 'NMAAS-SECURITY-FIELD-TYPE')!;
    expect(f.file).toBe('templates/deployment.yaml');
    expect(f.line).toBe(await lineIn(dir, 'templates/deployment.yaml', 'privileged: "false"'));
  });
});

describe('templateLine', () => {
  const files = new Map([
    [
      't.yaml',
      Buffer.from(
        '{{- if .Values.a }}\nkind: Pod\nspec:\n  hostPID: {{ .Values.pid }}\n  hostPID: false\n{{- end }}\n',
      ),
    ],
  ]);
  it('finds the same text, else the same key, nearest the rendered line', () => {
    expect(templateLine(files, 't.yaml', 4, '  hostPID: false')).toBe(5);
    expect(templateLine(files, 't.yaml', 3, '  hostPID: true')).toBe(4);
    expect(templateLine(files, 't.yaml', 1, 'nothing: here')).toBeUndefined();
    expect(templateLine(files, 'missing.yaml', 1, 'kind: Pod')).toBeUndefined();
  });
});
