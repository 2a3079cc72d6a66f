/**
 * No crash and no false alarm on published charts: the charts of ../shared/corpus/real-charts
 * (Bitnami, Grafana, prometheus-community) are validated as a reviewer would, at the defaults, the
 * form bounds and the install contexts. They are not NMaaS apps, so they have real findings; what
 * must not happen is a crash, an exit-2 error, or one of the known false positives.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validate } from './engine.js';
import type { ValidationReport } from './types.js';
import { REPO } from './testing/index.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/real-charts');
const charts = readdirSync(CORPUS)
  .flatMap((org) => readdirSync(path.join(CORPUS, org)).map((c) => `${org}/${c}`))
  .sort();
const reports = new Map<string, ValidationReport>();
const crashes: string[] = [];

beforeAll(async () => {
  // Two charts at a time: each validation already runs its helm renders in parallel.
  const queue = [...charts];
  const worker = async () => {
    for (let chart = queue.shift(); chart !== undefined; chart = queue.shift()) {
      try {
        reports.set(chart, await validate(path.join(CORPUS, chart)));
      } catch (error) {
        crashes.push(`${chart}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
}, 240_000);

const findings = (chart: string, ruleId: string) =>
  (reports.get(chart)?.findings ?? []).filter((f) => f.ruleId === ruleId);

describe('published charts', () => {
  it('validates every chart without a crash or an unreadable-input error', () => {
    expect(charts.length).toBeGreaterThanOrEqual(28);
    expect(crashes).toEqual([]);
    expect(reports.size).toBe(charts.length);
  });

  it('finds what is really there (so that the quiet checks below mean something)', () => {
    expect(
      findings('prometheus-community/prometheus-node-exporter', 'NMAAS-PSS-HOST-NAMESPACES').length,
    ).toBeGreaterThan(0);
    expect(
      findings('prometheus-community/prometheus-conntrack-stats-exporter', 'NMAAS-PSS-PRIVILEGED').length,
    ).toBeGreaterThan(0);
    expect(findings('grafana/agent-operator', 'NMAAS-CLUSTER-SCOPED').length).toBeGreaterThan(0);
    expect(findings('bitnami/nginx', 'NMAAS-SERVICE-EXPOSED').map((f) => f.value)).toEqual(['LoadBalancer']);
  });

  it('takes no flag for a secret ("yes"/"no" env values)', () => {
    const flagged = charts.flatMap((c) =>
      findings(c, 'NMAAS-SECRET-LITERAL')
        .filter((f) => /ALLOW_EMPTY_PASSWORD/.test(f.message))
        .map((f) => `${c}: ${f.message}`),
    );
    expect(flagged).toEqual([]);
  });

  it('takes no ExternalName Service for exposure', () => {
    expect(
      charts.flatMap((c) =>
        findings(c, 'NMAAS-SERVICE-EXPOSED')
          .filter((f) => f.value === 'ExternalName')
          .map(() => c),
      ),
    ).toEqual([]);
  });

  it('reads registry.hub.docker.com as docker.io', () => {
    expect(findings('prometheus-community/prometheus-ipmi-exporter', 'NMAAS-IMAGE-REGISTRY')).toEqual([]);
  });

  it('raises none of the decoder or install-context findings that no published chart deserves', () => {
    const wrong = charts.flatMap((c) =>
      (reports.get(c)?.findings ?? [])
        .filter(
          (f) =>
            f.ruleId === 'NMAAS-RENDERED-YAML' ||
            f.ruleId === 'NMAAS-SECURITY-FIELD-TYPE' ||
            (f.ruleId === 'NMAAS-RENDER-DIVERGENCE' && f.severity === 'error'),
        )
        .map((f) => `${c}: ${f.ruleId} ${f.message}`),
    );
    expect(wrong).toEqual([]);
  });

  it('says plainly when a chart that needs a value rendered nothing', () => {
    for (const chart of [
      'grafana/loki-canary',
      'grafana/pdc-agent',
      'prometheus-community/prometheus-postgres-exporter',
      'bitnami/common',
    ]) {
      expect(
        findings(chart, 'NMAAS-CHART-RENDER').some(
          (f) => f.severity === 'error' && /no object of this chart was checked/.test(f.message),
        ),
        chart,
      ).toBe(true);
    }
  });
});
