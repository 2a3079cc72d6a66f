/**
 * Renders many value sets of one chart in ONE `helm template` process. Each helm process loads
 * and parses the chart anew, and start-up is most of a small chart's render time, so the value
 * sets of the review context are rendered together: a wrapper chart holds one plain holder chart
 * per value set, each holding the chart itself under its own name, and the wrapper's values give
 * each copy that set's overrides. Helm coalesces and schema-checks each copy on its own, exactly
 * as for a standalone install, and `.Chart.Name` is the chart's own.
 *
 * What still differs inside the wrapper: `.Template` paths sit under the wrapper, and a subchart
 * receives a `global` block. The caller therefore uses the batch only when its copy of the defaults
 * renders what the chart renders alone (the upgrade context under its own names, or else the
 * defaults rendered alone); a value set that sets `global` is never batched.
 * A template that branches on its own `.Template` path only for a non-default value is the
 * remaining blind spot, and the admission policies still judge what is installed.
 */
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { HelmVersion } from '@nmaas/charts-gen';
import type { ValueSet } from './bounds.js';
import { decodeRendered, documentStarts, type DecodeCache, type ReleaseNames } from './decode.js';
import { materialize } from '../input/materialize.js';
import { helmTemplate, type InstallContext, type RenderResult } from './render.js';

/** The wrapper chart's name (its holders are `set-<i>`): every rendered document names its copy in its path. */
const WRAPPER = 'nmaas-value-set-batch';

export interface BatchInput {
  /** The chart's checked files, already written out for helm: each copy is a link to this folder. */
  chartDir: string;
  chartName: string;
  /** The defaults first (its copy is compared with the standalone render), then the sets to batch. */
  sets: ValueSet[];
  workDir: string;
  helmVersion?: HelmVersion;
  context: InstallContext;
  cache?: DecodeCache;
}

/** Whether a value set may be rendered inside the wrapper (a `global` block reaches every chart there). */
export function batchable(set: ValueSet): boolean {
  return !('global' in set.values);
}

/**
 * Each set's render, by set name, or an error when the batch as a whole could not render (a set
 * the chart refuses fails every set in the same process: the caller then renders them one by one).
 */
export async function renderBatch(
  input: BatchInput,
): Promise<Map<string, RenderResult> | { error: string; failed?: number }> {
  const { chartName, sets } = input;
  const holders = sets.map((_, i) => `set-${i}`);
  const dir = path.join(await mkdtemp(path.join(input.workDir, 'batch-')), WRAPPER);
  const chart = (name: string) => stringify({ apiVersion: 'v2', name, version: '0.0.0' });
  await materialize(new Map([['Chart.yaml', Buffer.from(chart(WRAPPER))]]), dir);
  const values: Record<string, unknown> = {};
  // Helm's loader follows a link to a chart folder (and says so on stderr): one copy on disk for every set.
  await Promise.all(
    holders.map(async (holder, i) => {
      const at = path.join(dir, 'charts', holder);
      await materialize(new Map([['Chart.yaml', Buffer.from(chart(holder))]]), at);
      await mkdir(path.join(at, 'charts'), { recursive: true });
      await symlink(path.resolve(input.chartDir), path.join(at, 'charts', chartName), 'dir');
      values[holder] = { [chartName]: sets[i]!.values };
    }),
  );
  const out = await helmTemplate(dir, values, 'batch-values', input.workDir, input.helmVersion, input.context);
  if ('error' in out) {
    // A template's own `fail` names the file it ran in, and so the copy: its message as the chart alone gives it.
    const m = new RegExp(`${WRAPPER}/charts/set-(\\d+)/charts/`).exec(out.error);
    if (!m) return { error: out.error };
    return { error: out.error.split(m[0]).join(''), failed: Number(m[1]) };
  }
  // Each copy's documents, with the `# Source:` line helm writes for the chart alone, decoded as that set's render.
  const texts: string[][] = sets.map(() => []);
  const starts = documentStarts(out.stdout);
  const source = new RegExp(
    `# Source: ${WRAPPER}/charts/(set-\\d+)/charts/${chartName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`,
  );
  for (let i = 0; i < starts.length; i++) {
    const chunk = out.stdout.slice(starts[i], starts[i + 1] ?? out.stdout.length);
    if (chunk.replace(/^---[ \t]*$/m, '').trim() === '') continue;
    const m = source.exec(chunk);
    const index = m ? holders.indexOf(m[1]!) : -1;
    // A document of no copy (the wrapper and holders have no templates) means the batch is not what it seems.
    if (index < 0) return { error: 'the batch rendered a document that belongs to no value set' };
    texts[index]!.push(chunk.replace(m![0], `# Source: ${chartName}/`));
  }
  const results = new Map<string, RenderResult>();
  sets.forEach((set, i) =>
    results.set(set.name, decodeRendered(texts[i]!.join(''), chartName, input.cache, input.context)),
  );
  return results;
}

/**
 * Whether two renders produced the same objects and decoder problems, each render's own release
 * and namespace (when given) counted as the same placeholders, and so the digests made from them.
 */
export function sameRender(a: RenderResult, b: RenderResult, namesA?: ReleaseNames, namesB?: ReleaseNames): boolean {
  const key = (r: RenderResult, names: ReleaseNames | undefined) => {
    const text = JSON.stringify({
      objects: r.objects.map((o) => [o.source ?? '', o.object]),
      problems: r.problems.map((p) => [p.kind, p.source ?? '', p.line ?? 0]),
      error: r.error ?? '',
    });
    if (names === undefined) return text;
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A digest of the names (a dashboard uid) differs with them: long hex runs count as one placeholder.
    return text
      .replace(new RegExp(`${escape(names.release)}|${escape(names.namespace)}`, 'g'), (m) =>
        m === names.release ? '\u0000release' : '\u0000namespace',
      )
      .replace(/[0-9a-f]{32,}/g, '\u0000digest');
  };
  return key(a, namesA) === key(b, namesB);
}
