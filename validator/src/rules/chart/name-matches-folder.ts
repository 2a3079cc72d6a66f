import { chartRule } from '../define.js';
import { chartYaml, lineOf } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-NAME',
    title: 'Chart name differs from its folder or is not a DNS label',
    severity: 'error',
    rationale:
      'Helm packages `<folder>` and the repository indexes `name`; when they differ, Rancher and helm pull different things under one name.',
    fix: 'Name the chart folder exactly as `name` in Chart.yaml (lower-case letters, digits and -).',
  },
  (chart) => {
    const y = chartYaml(chart.files);
    if (y === undefined || typeof y.name !== 'string' || y.name === '') return [];
    const line = lineOf(chart.files, 'Chart.yaml', /^name:/);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(y.name) || y.name.length > 63) {
      return [
        { message: `name ${JSON.stringify(y.name)} is not a DNS-1123 label`, file: 'Chart.yaml', line, value: y.name },
      ];
    }
    if (y.name !== chart.dirName)
      return [
        {
          message: `Chart.yaml names the chart ${JSON.stringify(y.name)} but its folder is ${JSON.stringify(chart.dirName)}`,
          file: 'Chart.yaml',
          line,
          value: y.name,
        },
      ];
    return [];
  },
);
