import semver from 'semver';
import { chartRule } from '../define.js';
import { chartYaml, lineOf } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-VERSION',
    title: 'Chart version is not a semantic version',
    severity: 'error',
    rationale:
      'Helm repositories sort and upgrade by SemVer 2; a version that does not parse cannot be ordered against published ones.',
    fix: 'Set `version` in Chart.yaml (and nmaas.yaml) to a SemVer 2 version such as 1.2.0.',
  },
  (chart) => {
    const y = chartYaml(chart.files);
    if (y === undefined || typeof y.version !== 'string' || y.version === '') return [];
    if (semver.valid(y.version) !== null) return [];
    return [
      {
        message: `version ${JSON.stringify(y.version)} is not SemVer 2 (e.g. 1.2.0)`,
        file: 'Chart.yaml',
        line: lineOf(chart.files, 'Chart.yaml', /^version:/),
        value: y.version,
      },
    ];
  },
);
