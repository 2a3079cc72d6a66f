import { archiveRule } from '../define.js';
import { MAX_COMPRESSION_RATIO } from '../../limits.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-COMPRESSION-RATIO',
    title: 'Extreme compression ratio (decompression bomb)',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A few KiB of gzip can expand to GiB of zeros; reading stops as soon as the output outgrows the input by more than the ratio a text chart can reach.',
    fix: 'Remove padding or generated filler; a chart of text compresses 3–20×.',
  },
  (scan) =>
    scan.stoppedAt?.limit === 'ratio'
      ? [
          {
            message: `the archive expanded ${(scan.stoppedAt.afterBytes / Math.max(1, scan.compressedBytes)).toFixed(0)}× (${(scan.stoppedAt.afterBytes / 1048576).toFixed(1)} MiB from ${(scan.compressedBytes / 1024).toFixed(0)} KiB), over the ${MAX_COMPRESSION_RATIO}× limit; reading stopped`,
          },
        ]
      : [],
);
