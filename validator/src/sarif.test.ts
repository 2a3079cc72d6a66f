/* eslint-disable @typescript-eslint/no-explicit-any -- these tests walk the SARIF document as untyped JSON */
/** SARIF output validates against the official SARIF 2.1.0 schema and carries what GitHub code scanning reads. */
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

// Both are CommonJS modules whose class/function is also their `default` property.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from './engine.js';
import { toSarif } from './output/sarif.js';
import { RULES } from './rules/index.js';
import { buildCase, FIXTURES, loadCases, tempDir } from './testing/index.js';
import type { ValidationReport } from './types.js';

let validateSarif: (data: unknown) => boolean;
let errors: () => unknown;
let bad: ValidationReport;
let caseDir: string;
let work: string | undefined;

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

beforeAll(async () => {
  const schema = JSON.parse(await readFile(path.join(FIXTURES, 'sarif', 'sarif-2.1.0-rtm.5.json'), 'utf8'));
  // The official schema has one pattern that is not valid as a Unicode regex (`language`): compile patterns as plain regexes.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const v = ajv.compile(schema);
  validateSarif = (d) => v(d) as boolean;
  errors = () => v.errors;
  const cases = await loadCases();
  work = await tempDir();
  // A submission with several findings of each kind: privileged + hostPath + self-exemption.
  const c = cases.find((x) => x.id === 'NMAAS-SELF-EXEMPTION')!;
  const dir = await buildCase(
    {
      ...c,
      edits: [
        ...(c.edits ?? []),
        { file: 'templates/deployment.yaml', replace: 'hostNetwork: false', with: 'hostNetwork: true' },
      ],
    },
    work,
  );
  caseDir = dir;
  bad = await validate(dir, { defaultsOnly: true });
});

describe('SARIF output', () => {
  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const sarif = toSarif(bad, '0.1.0');
    expect(validateSarif(sarif), JSON.stringify(errors(), null, 2)).toBe(true);
  });

  it('validates for a clean report too', () => {
    const clean: ValidationReport = { ...bad, findings: [], exempted: [], summary: { error: 0, warning: 0, info: 0 } };
    expect(validateSarif(toSarif(clean, '0.1.0'))).toBe(true);
  });

  it('carries rule ids, descriptions, help, messages, locations, fingerprints and security-severity', () => {
    const sarif = toSarif(bad, '0.1.0') as any;
    const run = sarif.runs[0];
    expect(sarif.version).toBe('2.1.0');
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    for (const r of run.tool.driver.rules) {
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text.length).toBeLessThanOrEqual(1024);
      expect(r.help.text.length).toBeGreaterThan(0);
      const sev = Number(r.properties['security-severity']);
      expect(sev).toBeGreaterThanOrEqual(0.1);
      expect(sev).toBeLessThanOrEqual(10);
    }
    expect(run.results.length).toBe(bad.findings.length);
    const ids = new Set(run.results.map((r: any) => r.ruleId));
    expect(ids).toContain('NMAAS-PSS-PRIVILEGED');
    expect(ids).toContain('NMAAS-PSS-HOST-NAMESPACES');
    expect(ids).toContain('NMAAS-SELF-EXEMPTION');
    for (const r of run.results) {
      expect(r.message.text).not.toBe('');
      expect(r.locations).toHaveLength(1);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^[^/]/);
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(r.partialFingerprints)[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    }
    const privileged = run.results.find((r: any) => r.ruleId === 'NMAAS-PSS-PRIVILEGED');
    expect(privileged.locations[0].physicalLocation.artifactLocation.uri).toBe('templates/deployment.yaml');
    // It points at the template line that wrote the value, not just the file.
    const template = readFileSync(path.join(caseDir, 'templates', 'deployment.yaml'), 'utf8').split('\n');
    expect(template[privileged.locations[0].physicalLocation.region.startLine - 1]).toMatch(/privileged: true/);
    // Fingerprints are stable across runs and distinct across findings.
    const again = toSarif(bad, '0.1.0') as any;
    expect(again.runs[0].results.map((r: any) => r.partialFingerprints)).toEqual(
      run.results.map((r: any) => r.partialFingerprints),
    );
    expect(new Set(run.results.map((r: any) => Object.values(r.partialFingerprints)[0])).size).toBe(run.results.length);
  });
});
