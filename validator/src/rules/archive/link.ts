import { archiveRule } from '../define.js';

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-LINK',
    title: 'Symbolic link or hard link in the submission',
    severity: 'error',
    securitySeverity: 8.5,
    rationale:
      "Links let a chart read or overwrite files outside itself: Helm's directory loader follows symlinks (2019 symlink advisory), and extractors have been escaped through link targets (node-tar CVE-2021-37701, CVE-2026-26960). A chart needs none.",
    fix: 'Replace each link by a copy of the file it points to (or remove it), then package again.',
  },
  (scan) =>
    scan.entries
      .filter((e) => e.type === 'symlink' || e.type === 'hardlink')
      .map((e) => ({
        message: `${e.type === 'symlink' ? 'symbolic link' : 'hard link'} ${JSON.stringify(e.path)}${e.linkpath ? ` → ${JSON.stringify(e.linkpath)}` : ''}`,
        file: e.path,
        value: e.path,
      })),
);
