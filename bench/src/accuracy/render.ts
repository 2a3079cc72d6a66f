/**
 * The report files from the bench's JSON alone: the bench writes accuracy.json, then renders
 * accuracy.md and accuracy.svg from it, and `main.js --render <json>` does the same again
 * later (after a change of the report's layout) without re-running anything: both come from the
 * same stored figures, never from numbers typed in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderMarkdown, renderSvg, type MetricFigures, type ReportContext } from './report.js';
import {
  renderSharedLink,
  renderSharedLinkPanel,
  SHARED_LINK_PANEL_HEIGHT,
  type SharedLinkResult,
} from './shared-link.js';
import { writeFileAtomic } from '@nmaas/sdk/kit';

/** The parts of accuracy.json the report reads. */
export interface StoredResult {
  date: string;
  machine: {
    cpus: number;
    cpuModel?: string;
    memoryBytes: number;
    node: string;
    platform: string;
    loadAverage?: { start: number[]; end: number[] };
  };
  wallSeconds: number;
  testbed: { rateMbit: number; firstByteDelayMs: number };
  plan: {
    periodSeconds: number;
    webObjectBytes: number;
    sessionSeconds: number;
    burnSeconds: number;
    neighbourMemoryMiB: number;
  };
  apps: { name: string; durationSeconds: number }[];
  phases: { overlap: Record<string, number>; nmaas: Record<string, number>; commands: string[] };
  design: { rounds: number; periodsPerSession: number };
  metrics: MetricFigures[];
  /** The shared-link set-up, when it was run (`--shared-link`). */
  sharedLink?: SharedLinkResult;
}

/** The 1-minute load average at start and end: how much else the machine was doing. */
function load(l: { start: number[]; end: number[] } | undefined): string {
  if (!l || l.start[0] === undefined || l.end[0] === undefined) return '';
  return ` (load average ${l.start[0].toFixed(1)} at the start, ${l.end[0].toFixed(1)} at the end)`;
}

export function reportContext(r: StoredResult): ReportContext {
  const run = (name: string) => r.apps.find((a) => a.name === name)?.durationSeconds ?? NaN;
  const { plan } = r;
  return {
    date: r.date,
    command: 'npm run bench:accuracy',
    machine: `${r.machine.cpus} × ${r.machine.cpuModel ?? 'CPU'}, ${Math.round(r.machine.memoryBytes / 2 ** 30)} GiB, ${r.machine.platform}, Node ${r.machine.node}${load(r.machine.loadAverage)}`,
    testbed: `two network namespaces joined by a veth pair, tc tbf ${r.testbed.rateMbit} Mbit/s on both ends (queue bounded at 200 ms), content server with a ${r.testbed.firstByteDelayMs} ms first-byte delay (1 MB web object; HLS with 800/2000/4000 kbit/s renditions of 2 s segments); the apps run in the client namespace through the SDK's container entry (nmaas-app) with a config file and NMAAS_PHASE_SECONDS`,
    apps: `web-qos (one GET of ${plan.webObjectBytes} bytes, run ${run('web-qos')} s), streaming-qos (one ${plan.sessionSeconds} s HLS session, run ${run('streaming-qos')} s), neighbour (2 threads busy for ${plan.burnSeconds} s over a ${plan.neighbourMemoryMiB} MiB buffer, run ${run('neighbour')} s); every app every ${plan.periodSeconds} s; ${r.design.rounds} rounds × ${r.design.periodsPerSession} periods per set-up, interleaved, after one discarded warm-up period`,
    phases: r.phases,
    wallSeconds: r.wallSeconds,
    svgFile: 'accuracy.svg',
    jsonFile: 'accuracy.json',
  };
}

export function renderReport(r: StoredResult): { markdown: string; svg: string } {
  const runs = r.design.rounds * r.design.periodsPerSession;
  const svg = renderSvg(
    r.metrics,
    `Error against alone runs (${runs} runs per app and set-up, period ${r.plan.periodSeconds} s)`,
  );
  return {
    markdown: renderMarkdown(r.metrics, reportContext(r)) + (r.sharedLink ? `\n${renderSharedLink(r.sharedLink)}` : ''),
    svg: r.sharedLink ? withSharedLinkPanel(svg, r.sharedLink) : svg,
  };
}

/** The main picture with the shared-link panel under it: one SVG, the main one nested unchanged. */
function withSharedLinkPanel(svg: string, shared: SharedLinkResult): string {
  const size = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
  if (!size) throw new Error('accuracy.svg: the main picture has no width and height');
  const width = Number(size[1]);
  const height = Number(size[2]);
  const total = height + SHARED_LINK_PANEL_HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${total}" fill="#fff"/>`,
    svg.trimEnd().replace(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /, '<svg x="0" y="0" '),
    renderSharedLinkPanel(shared, height, width),
    '</svg>',
    '',
  ].join('\n');
}

const writeAtomic = (file: string, content: string): Promise<void> => writeFileAtomic(file, content);

/** Writes accuracy.md and accuracy.svg next to the JSON file. */
export async function writeReport(jsonFile: string): Promise<{ mdFile: string; svgFile: string }> {
  const stored = JSON.parse(await readFile(jsonFile, 'utf8')) as StoredResult;
  const { markdown, svg } = renderReport(stored);
  const dir = path.dirname(jsonFile);
  const mdFile = path.join(dir, 'accuracy.md');
  const svgFile = path.join(dir, 'accuracy.svg');
  await writeAtomic(svgFile, svg);
  await writeAtomic(mdFile, markdown);
  return { mdFile, svgFile };
}
