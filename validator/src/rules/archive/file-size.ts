import { archiveRule } from '../define.js';
import { MAX_FILE_BYTES } from '../../limits.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-FILE-SIZE',
    title: 'File larger than 5 MiB',
    severity: 'error',
    securitySeverity: 5.5,
    rationale:
      'Helm refuses chart files over 5 MiB (MaxDecompressedFileSize); a chart that large hides a payload or exhausts memory when Rancher or the catalogue reads it.',
    fix: 'Remove the large file (images are pulled from a registry, not shipped in the chart) or shrink it below 5 MiB.',
  },
  (scan) =>
    scan.oversized.map((p) => {
      const size = scan.entries.find((e) => e.path === p)?.size ?? 0;
      return {
        message: `${JSON.stringify(p)} is ${(size / 1048576).toFixed(1)} MiB, over the ${MAX_FILE_BYTES / 1048576} MiB per-file limit`,
        file: p,
        value: p,
      };
    }),
);
