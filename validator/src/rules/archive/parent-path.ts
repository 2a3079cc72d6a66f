import { archiveRule } from '../define.js';
import { segments } from './paths.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-PARENT-PATH',
    title: 'Archive entry path climbs out with `..`',
    severity: 'error',
    securitySeverity: 9.0,
    rationale: 'A `..` segment (zip-slip) writes outside the extraction folder: chart/../../home/user/.bashrc.',
    fix: 'Remove entries whose path contains `..`; package the chart with `helm package`.',
  },
  (scan) =>
    scan.entries
      .filter((e) => segments(e.path).includes('..'))
      .map((e) => ({
        message: `entry ${JSON.stringify(e.path)} contains a '..' segment`,
        file: e.path,
        value: e.path,
      })),
);
