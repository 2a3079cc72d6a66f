import { archiveRule } from '../define.js';
import { MAX_TOTAL_BYTES } from '../../limits.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-TOTAL-SIZE',
    title: 'More than 100 MiB decompressed',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'Helm refuses charts over 100 MiB decompressed (MaxDecompressedChartSize); reading such an archive exhausts disk or memory.',
    fix: 'Keep the chart to its templates and small files; a chart is a few hundred KiB.',
  },
  (scan) => {
    const declared = scan.entries.reduce((sum, e) => sum + (e.type === 'file' ? e.size : 0), 0);
    if (scan.stoppedAt?.limit !== 'total-size' && declared <= MAX_TOTAL_BYTES) return [];
    const bytes = Math.max(declared, scan.stoppedAt?.afterBytes ?? 0);
    return [
      {
        message: `the submission decompresses to more than ${MAX_TOTAL_BYTES / 1048576} MiB (${(bytes / 1048576).toFixed(1)} MiB seen${scan.stoppedAt ? ' when reading stopped' : ''})`,
      },
    ];
  },
);
