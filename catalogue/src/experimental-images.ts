/**
 * Apps whose image is not pinned to a built image (no digest, a placeholder digest) are refused
 * by the validator. `--experimental-images` lets such an app in anyway, but only marked
 * `catalog.cattle.io/experimental: "true"` (Rancher shows the mark), with the image findings
 * kept as warnings so the build report still says what is missing.
 */
import { yaml } from './lazy-yaml.js';
import type { LoadedChart } from './chart-source.js';
import type { Finding } from './inputs.js';

/** The validator rules that say the chart's image is not a built, pinned image. */
export const UNPINNED_IMAGE_RULES = new Set(['NMAAS-IMAGE-DIGEST', 'NMAAS-IMAGE-PLACEHOLDER', 'NMAAS-IMAGE-MISMATCH']);

export const EXPERIMENTAL_ANNOTATION = 'catalog.cattle.io/experimental';

/** Splits the image findings off as warnings; returns null when there is none to waive. */
export function waiveUnpinnedImages(findings: readonly Finding[]): Finding[] | null {
  if (!findings.some((f) => f.severity === 'error' && UNPINNED_IMAGE_RULES.has(f.ruleId))) return null;
  return findings.map((f) =>
    f.severity === 'error' && UNPINNED_IMAGE_RULES.has(f.ruleId)
      ? {
          ...f,
          severity: 'warning',
          message: `${f.message} (accepted by --experimental-images: the chart is marked experimental)`,
        }
      : f,
  );
}

/** The same chart with `catalog.cattle.io/experimental: "true"` in Chart.yaml's annotations. */
export function markExperimental(chart: LoadedChart): LoadedChart {
  const files = chart.files.map((file) => {
    if (file.name !== 'Chart.yaml') return file;
    const doc = yaml().parseDocument(file.data.toString('utf8'));
    doc.setIn(['annotations', EXPERIMENTAL_ANNOTATION], 'true');
    return { ...file, data: Buffer.from(doc.toString()) };
  });
  return {
    ...chart,
    files,
    metadata: { ...chart.metadata, annotations: { ...chart.metadata.annotations, [EXPERIMENTAL_ANNOTATION]: 'true' } },
  };
}
