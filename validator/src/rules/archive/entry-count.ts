import { archiveRule } from '../define.js';
import { MAX_ENTRIES } from '../../limits.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-ENTRY-COUNT',
    title: 'More than 10,000 entries',
    severity: 'error',
    securitySeverity: 6.0,
    rationale:
      'Tens of thousands of tiny entries exhaust inodes and time in every tool that reads the chart, without tripping any size limit.',
    fix: 'A chart holds a few dozen files; remove generated or vendored trees.',
  },
  (scan) =>
    scan.stoppedAt?.limit === 'entries'
      ? [
          {
            message: `the submission has more than ${MAX_ENTRIES} entries; reading stopped at entry ${scan.stoppedAt.afterEntries}`,
          },
        ]
      : [],
);
