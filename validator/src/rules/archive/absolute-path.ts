import { archiveRule } from '../define.js';
import { slashed } from './paths.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-ABSOLUTE-PATH',
    title: 'Archive entry with an absolute path',
    severity: 'error',
    securitySeverity: 9.0,
    rationale:
      "An absolute path (/etc/cron.d/x, \\\\server\\share) makes a naive extractor write anywhere on the reviewer's machine or the catalogue server.",
    fix: 'Package the chart with `helm package <chart-dir>`, which writes relative paths under one top-level folder.',
  },
  (scan) =>
    scan.entries
      .filter((e) => slashed(e.path).startsWith('/'))
      .map((e) => ({ message: `entry ${JSON.stringify(e.path)} has an absolute path`, file: e.path, value: e.path })),
);
