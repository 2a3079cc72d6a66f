import { archiveRule } from '../define.js';
import type { Draft } from '../../types.js';
import { segments, slashed } from './paths.js';

/** Paths the path rules already reject: counting them as top-level folders would report one mistake twice. */
function unsafe(p: string): boolean {
  const s = slashed(p);
  return s.startsWith('/') || segments(s).includes('..') || /(^|\/)[a-zA-Z]:/.test(s);
}

export default archiveRule(
  {
    id: 'NMAAS-ARCHIVE-TOP-LEVEL',
    title: 'Archive does not hold exactly one top-level folder named after the chart',
    severity: 'error',
    securitySeverity: 6.0,
    rationale:
      'Helm and Rancher read a chart from the first path component of the archive (Rancher only looks at files directly under it). A second folder, a loose file or a folder named unlike the chart hides content from reviewers or shadows another chart.',
    fix: 'Package the chart with `helm package <chart-dir>` where the folder name equals `name` in Chart.yaml.',
  },
  (scan) => {
    if (scan.source !== 'archive') return [];
    const out: Draft[] = [];
    const tops = new Set<string>();
    for (const e of scan.entries) {
      if (unsafe(e.path)) continue;
      const segs = segments(e.path);
      if (segs.length === 0) continue;
      if (segs.length === 1 && e.type !== 'directory') {
        out.push({
          message: `file ${JSON.stringify(e.path)} sits at the archive root, outside the chart folder`,
          file: e.path,
          value: e.path,
        });
      }
      tops.add(segs[0]!);
    }
    if (tops.size > 1) {
      out.push({
        message: `the archive has ${tops.size} top-level folders (${[...tops].sort().join(', ')}); a chart archive has exactly one`,
        value: [...tops].sort().join(','),
      });
    }
    const expected = scan.chartName ?? scan.expectedTopLevel;
    if (tops.size === 1 && expected !== undefined && !tops.has(expected)) {
      out.push({
        message: `the top-level folder is ${JSON.stringify([...tops][0])} but the chart is named ${JSON.stringify(expected)}`,
        value: [...tops][0]!,
      });
    }
    return out;
  },
);
