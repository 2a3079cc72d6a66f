import { archiveRule } from '../define.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-MALFORMED',
    title: 'Malformed tar stream (lying header, bad checksum, truncation)',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'Tools disagree on how to read a tar whose headers lie about sizes or fail their checksum; what the reviewer sees may then differ from what helm or Rancher installs. Helm itself rejects short reads.',
    fix: 'Package the chart again with `helm package`.',
  },
  (scan) => [...new Set(scan.malformed)].slice(0, 20).map((m) => ({ message: m, value: m.split(':')[0] })),
);
