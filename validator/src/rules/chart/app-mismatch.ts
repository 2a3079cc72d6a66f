import { chartRule } from '../define.js';
import { chartYaml, isRecord, yamlOf } from './files.js';
import type { Draft } from '../../types.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-APP-MISMATCH',
    title: 'Chart.yaml and nmaas.yaml disagree on name or version',
    severity: 'error',
    rationale:
      'Reviewers approve the app that nmaas.yaml declares; a chart published under another name or version would carry that approval to something else.',
    fix: 'Regenerate the chart with `nmaas chart <app-dir>`, or set Chart.yaml name and version equal to nmaas.yaml.',
  },
  (chart) => {
    const c = chartYaml(chart.files);
    const m = yamlOf(chart.files, 'nmaas.yaml');
    if (c === undefined || !m?.ok || !isRecord(m.value)) return [];
    const out: Draft[] = [];
    for (const key of ['name', 'version'] as const) {
      if (typeof m.value[key] === 'string' && typeof c[key] === 'string' && m.value[key] !== c[key]) {
        out.push({
          message: `Chart.yaml ${key} is ${JSON.stringify(c[key])} but nmaas.yaml says ${JSON.stringify(m.value[key])}`,
          file: 'Chart.yaml',
          value: key,
        });
      }
    }
    return out;
  },
);
