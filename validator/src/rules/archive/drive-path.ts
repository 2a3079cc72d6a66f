import { archiveRule } from '../define.js';
import { slashed } from './paths.js';

const DRIVE = /(^|\/)[a-zA-Z]:/;

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-DRIVE-PATH',
    title: 'Archive entry with a Windows drive path',
    severity: 'error',
    securitySeverity: 9.0,
    rationale:
      'A drive-letter path (C:\\Windows\\…, chart/C:/x) is absolute on Windows and escapes the extraction folder there; Helm rejects it as an illegal name.',
    fix: 'Remove entries whose path holds a drive letter; package the chart with `helm package` on a clean checkout.',
  },
  (scan) =>
    scan.entries
      .filter((e) => DRIVE.test(slashed(e.path)))
      .map((e) => ({ message: `entry ${JSON.stringify(e.path)} names a Windows drive`, file: e.path, value: e.path })),
);
