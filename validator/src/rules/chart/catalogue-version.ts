import semver from 'semver';
import { chartRule } from '../define.js';
import { chartYaml } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-CATALOGUE-VERSION',
    title: 'Version already published or not higher than every published version',
    severity: 'error',
    rationale:
      'A published chart version is immutable: re-publishing it changes what users already installed, and a lower version is never offered as an upgrade.',
    fix: 'Raise `version` in nmaas.yaml (and regenerate the chart) above the highest version in the catalogue.',
  },
  (chart) => {
    const c = chartYaml(chart.files);
    const published = chart.publishedVersions;
    if (published === undefined || c === undefined || typeof c.version !== 'string' || semver.valid(c.version) === null)
      return [];
    if (published.includes(c.version))
      return [
        { message: `version ${c.version} is already published in the catalogue`, file: 'Chart.yaml', value: c.version },
      ];
    const highest = published.filter((v) => semver.valid(v) !== null).sort(semver.rcompare)[0];
    if (highest !== undefined && !semver.gt(c.version, highest)) {
      return [
        {
          message: `version ${c.version} is not higher than the published ${highest}`,
          file: 'Chart.yaml',
          value: c.version,
        },
      ];
    }
    return [];
  },
);
