/**
 * SARIF 2.1.0 for GitHub code scanning: every rule in `tool.driver.rules` (id, descriptions,
 * help, default level, security-severity), every active finding as a result with one physical
 * location and a stable partial fingerprint. Exempted findings are left out: GitHub ingests
 * SARIF `suppressions` as open alerts (github/codeql-action#1230).
 */
import { createHash } from 'node:crypto';
import type { Finding, Rule, Severity, ValidationReport } from '../types.js';
import { RULES } from '../rules/index.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function ruleDescriptor(rule: Rule) {
  const m = rule.meta;
  const pss = m.pss ? ` (Pod Security Standards: ${m.pss})` : '';
  return {
    id: m.id,
    name: m.id
      .replace(/^NMAAS-/, '')
      .toLowerCase()
      .replace(/(^|-)([a-z])/g, (_x, _d, ch: string) => ch.toUpperCase()),
    shortDescription: { text: m.title.slice(0, 1024) },
    fullDescription: { text: `${m.rationale}${pss}`.slice(0, 1024) },
    help: { text: m.fix, markdown: `**Fix:** ${m.fix}\n\n**Why:** ${m.rationale}` },
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: {
      tags: ['security', 'kubernetes', ...(m.pss ? [`pss-${m.pss}`] : [])],
      precision: 'high',
      'security-severity': m.securitySeverity.toFixed(1),
    },
  };
}

/** Artifact path for a finding, relative to the submission (a tgz path keeps its folder). */
function artifactUri(f: Finding, report: ValidationReport): string {
  if (report.kind === 'app') return 'nmaas.yaml';
  const file = f.file ?? 'Chart.yaml';
  return file.replace(/^\/+/, '').replace(/\\/g, '/') || 'Chart.yaml';
}

export function fingerprint(f: Finding): string {
  return createHash('sha256')
    .update([f.ruleId, f.app ?? '', f.object ?? '', f.container ?? '', f.value ?? '', f.file ?? ''].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export function toSarif(report: ValidationReport, version: string, rules: readonly Rule[] = RULES): object {
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nmaas-validate',
            informationUri: 'https://github.com/nmaas/nmaas',
            semanticVersion: version,
            version,
            rules: rules.map(ruleDescriptor),
          },
        },
        automationDetails: { id: `nmaas-validate/${report.chart?.name ?? 'submission'}/` },
        results: report.findings.map((f) => {
          const object = f.object ? `${f.object}${f.container ? ` container ${f.container}` : ''}: ` : '';
          return {
            ruleId: f.ruleId,
            ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
            level: LEVEL[f.severity],
            message: { text: `${object}${f.message}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(f, report) },
                  region: { startLine: Math.max(1, f.line ?? 1), startColumn: 1 },
                },
                ...(f.object
                  ? {
                      logicalLocations: [
                        { fullyQualifiedName: f.object + (f.container ? `/${f.container}` : ''), kind: 'resource' },
                      ],
                    }
                  : {}),
              },
            ],
            partialFingerprints: { 'nmaasFinding/v1': fingerprint(f) },
            properties: { ...(f.valueSets ? { valueSets: f.valueSets } : {}), ...(f.app ? { app: f.app } : {}) },
          };
        }),
      },
    ],
  };
}
