import { chartRule } from '../define.js';
import { yamlOf, isRecord } from './files.js';
import type { Draft } from '../../types.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-YAML',
    title: 'Chart.yaml missing, unparseable or incomplete',
    severity: 'error',
    rationale:
      'Helm, Rancher and the catalogue identify a chart by Chart.yaml; without a parseable name and version nothing else can be trusted.',
    fix: 'Add Chart.yaml at the chart root with apiVersion: v2, name and version (`nmaas chart` writes it).',
  },
  (chart) => {
    const y = yamlOf(chart.files, 'Chart.yaml');
    if (y === undefined) return [{ message: 'Chart.yaml is missing at the chart root', file: 'Chart.yaml' }];
    if (!y.ok) return [{ message: `Chart.yaml does not parse: ${y.error}`, file: 'Chart.yaml' }];
    if (!isRecord(y.value)) return [{ message: 'Chart.yaml must be a YAML mapping', file: 'Chart.yaml' }];
    const out: Draft[] = [];
    for (const key of ['name', 'version'] as const) {
      if (typeof y.value[key] !== 'string' || y.value[key] === '')
        out.push({ message: `Chart.yaml has no ${key} (a non-empty string)`, file: 'Chart.yaml', value: key });
    }
    return out;
  },
);
