import { archiveRule } from '../define.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-SPECIAL-FILE',
    title: 'Device, FIFO or unknown entry type in the submission',
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'Character/block devices and FIFOs extracted as root give access to hardware or hang readers; unknown entry types are read differently by different tools. A chart holds only files and folders.',
    fix: 'Remove the entry; a chart holds only regular files and folders.',
  },
  (scan) =>
    scan.entries
      .filter(
        (e) => e.type === 'character-device' || e.type === 'block-device' || e.type === 'fifo' || e.type === 'other',
      )
      .map((e) => ({
        message: `${e.type === 'other' ? 'unsupported entry type' : e.type} ${JSON.stringify(e.path)}`,
        file: e.path,
        value: e.path,
      })),
);
