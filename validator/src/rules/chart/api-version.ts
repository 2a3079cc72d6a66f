import { chartRule } from '../define.js';
import { chartYaml, lineOf } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-API-VERSION',
    title: 'Chart.yaml apiVersion is not v2',
    severity: 'error',
    rationale:
      'apiVersion v2 is the Helm 3+ chart format that Rancher and the catalogue read; v1 charts use requirements.yaml and other semantics.',
    fix: 'Set `apiVersion: v2` in Chart.yaml.',
  },
  (chart) => {
    const y = chartYaml(chart.files);
    if (y === undefined || y.apiVersion === 'v2') return [];
    return [
      {
        message: `apiVersion is ${JSON.stringify(y.apiVersion ?? null)}, expected "v2"`,
        file: 'Chart.yaml',
        line: lineOf(chart.files, 'Chart.yaml', /^apiVersion:/),
        value: String(y.apiVersion),
      },
    ];
  },
);
