import { ManifestError, parseManifest } from '@nmaas/sdk/model';
import { chartRule } from '../define.js';
import { text } from './files.js';

/** Model issues about capability justifications belong to NMAAS-CAP-JUSTIFICATION. */
export const JUSTIFICATION_PATH = /^capabilities\[\d+\]\.justification$/;

export default chartRule(
  {
    id: 'NMAAS-CHART-MANIFEST',
    title: 'nmaas.yaml missing or not a valid app declaration',
    severity: 'error',
    rationale:
      'The chart carries a copy of nmaas.yaml at its root: reviewers, the catalogue and the scheduler read what the app declares (schedule, resources, capabilities) from it.',
    fix: "Ship the app's nmaas.yaml at the chart root (`nmaas chart` copies it) and make `nmaas manifest check` pass.",
  },
  (chart) => {
    const t = text(chart.files, 'nmaas.yaml');
    if (t === undefined) return [{ message: 'nmaas.yaml is missing at the chart root', file: 'nmaas.yaml' }];
    try {
      parseManifest(t, 'nmaas.yaml');
      return [];
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      return error.issues
        .filter((i) => !JUSTIFICATION_PATH.test(i.path))
        .map((i) => ({
          message: `${i.path || '(top level)'}: ${i.message}`,
          file: 'nmaas.yaml',
          ...(i.line !== undefined ? { line: i.line } : {}),
          value: i.path,
        }));
    }
  },
);
