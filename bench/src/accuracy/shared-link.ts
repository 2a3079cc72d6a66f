/**
 * The shared-link set-up of the accuracy bench: two bandwidth measurements on two nodes behind one
 * shaped uplink, placed by the engine without the link model (it sees two idle nodes: both runs start
 * together) and with it (the nodes declare the uplink: the runs take turns). Pure parts here (the
 * workload, the figures); shared-link-main.ts runs them on the bed.
 */
import type { InstanceSpec, NodeSpec } from '@nmaas/scheduler/engine';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import { median } from './stats.js';

export interface SharedLinkPlan {
  /** The uplink's shaped rate, Mbit/s: what each measurement should find when it runs alone. */
  rateMbit: number;
  periodSeconds: number;
  durationSeconds: number;
}

export const LINK_NAME = 'site-uplink';
export const NODE_NAMES = ['node-a', 'node-b'] as const;

/**
 * The nodes as the engine sees them: each has a 1 Gbps interface of its own; with `links`, both declare
 * the shaped uplink at its rate.
 */
export function sharedLinkNodes(plan: SharedLinkPlan, links: boolean): NodeSpec[] {
  return NODE_NAMES.map((name) => ({
    name,
    labels: { [NODE_POOL_LABEL]: 'site' },
    capacity: { cpu: 2000, memory: 2048, bandwidth: 1000 },
    ...(links ? { links: [{ name: LINK_NAME, capacity: plan.rateMbit }] } : {}),
  }));
}

/** One bandwidth test pinned to each node, declaring 80 % of the uplink: two never fit together. */
export function sharedLinkInstances(plan: SharedLinkPlan): InstanceSpec[] {
  return NODE_NAMES.map((node) => ({
    id: `bandwidth-${node}`,
    app: 'bandwidth',
    every: plan.periodSeconds,
    duration: plan.durationSeconds,
    startWithin: plan.periodSeconds - 1,
    release: 0,
    run: { cpu: 100, memory: 64, bandwidth: Math.ceil(plan.rateMbit * 0.8) },
    idle: { cpu: 0, memory: 0 },
    nodeSelector: {},
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    node,
    spreadGroup: null,
  }));
}

export type SharedLinkSetup = 'without-link-model' | 'with-link-model';
export const SHARED_LINK_SETUPS: readonly SharedLinkSetup[] = ['without-link-model', 'with-link-model'];

export interface ProbeRun {
  setup: SharedLinkSetup;
  node: string;
  period: number;
  mbps: number;
}

export interface SharedLinkFigures {
  setup: SharedLinkSetup;
  runs: number;
  /** Median measured throughput (Mbit/s), per node and over both. */
  medianMbps: number;
  perNode: Record<string, number>;
  /** Relative error of the median against the shaped rate, and the median of each run's |error|. */
  medianError: number;
  medianAbsError: number;
  worstAbsError: number;
}

/** Each set-up's error against the shaped rate: (measured − rate) / rate. */
export function sharedLinkFigures(runs: readonly ProbeRun[], rateMbit: number): SharedLinkFigures[] {
  return SHARED_LINK_SETUPS.map((setup) => {
    const mine = runs.filter((r) => r.setup === setup);
    const all = mine.map((r) => r.mbps);
    const absolute = all.map((m) => Math.abs(m - rateMbit) / rateMbit);
    const perNode = Object.fromEntries(
      NODE_NAMES.map((n) => [n, round(median(mine.filter((r) => r.node === n).map((r) => r.mbps)))]),
    );
    const med = median(all);
    return {
      setup,
      runs: mine.length,
      medianMbps: round(med),
      perNode,
      medianError: round((med - rateMbit) / rateMbit),
      medianAbsError: round(median(absolute)),
      worstAbsError: round(absolute.length ? Math.max(...absolute) : NaN),
    };
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The part of accuracy.json this set-up writes (under "sharedLink"). */
export interface SharedLinkResult {
  date: string;
  wallSeconds: number;
  bed: string;
  plan: SharedLinkPlan & { periods: number; rounds: number };
  declaredMbps: number;
  phases: Record<SharedLinkSetup, Record<string, number>>;
  competingSlotSeconds: Record<SharedLinkSetup, number>;
  commands: string[];
  loadAverage: { start: number[]; end: number[] };
  figures: SharedLinkFigures[];
  runs: ProbeRun[];
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const abs = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** The Markdown section of accuracy.md for this set-up. */
export function renderSharedLink(r: SharedLinkResult): string {
  const lines = [
    '## Shared link: two nodes behind one shaped uplink',
    '',
    `Measured ${r.date.slice(0, 10)} with \`npm run bench:accuracy -- --shared-link\` in ${Math.round(r.wallSeconds)} s (load average ${r.loadAverage.start[0]?.toFixed(1)} at the start, ${r.loadAverage.end[0]?.toFixed(1)} at the end).`,
    '',
    `- **Bed:** ${r.bed}.`,
    `- **Measurements:** one bandwidth test per node (a ${r.plan.durationSeconds} s download from the server), every ${r.plan.periodSeconds} s, each declaring ${r.declaredMbps} Mbps; ${r.plan.rounds} rounds × ${r.plan.periods} periods per set-up, interleaved.`,
    `- **Without the link model** the engine sees two idle nodes and starts both runs at once (phases ${JSON.stringify(r.phases['without-link-model'])}; the checker, told about the link, counts ${r.competingSlotSeconds['without-link-model']} competing slot-seconds over the hour).`,
    `- **With the link model** both nodes declare the ${r.plan.rateMbit} Mbps uplink and the engine staggers the runs (phases ${JSON.stringify(r.phases['with-link-model'])}; ${r.competingSlotSeconds['with-link-model']} competing slot-seconds).`,
    '',
    `Error of each measurement against the shaped rate (${r.plan.rateMbit} Mbit/s):`,
    '',
    '| set-up | runs | median Mbit/s | node-a | node-b | median error | median abs error | worst abs error |',
    '|---|---|---|---|---|---|---|---|',
    ...r.figures.map(
      (f) =>
        `| ${f.setup} | ${f.runs} | ${f.medianMbps} | ${f.perNode['node-a']} | ${f.perNode['node-b']} | ${pct(f.medianError)} | ${abs(f.medianAbsError)} | ${abs(f.worstAbsError)} |`,
    ),
    '',
    'The engine chose the phases through `nmaas scheduler simulate` (commands in accuracy.json). A tbf-shaped link',
    'delivers a little less than its rate as TCP goodput, so even a run alone reads a few per cent low.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Height of the shared-link panel under the main picture, in pixels. */
export const SHARED_LINK_PANEL_HEIGHT = 150;

/**
 * The shared-link panel of accuracy.svg: per set-up, each run's throughput as a dot and the median as a
 * bar, against the shaped rate (dashed). Drawn at vertical offset `y`, `width` wide.
 */
export function renderSharedLinkPanel(r: SharedLinkResult, y: number, width: number): string {
  const left = 170;
  const right = width - 20;
  const max = Math.max(r.plan.rateMbit * 1.1, ...r.runs.map((x) => x.mbps));
  const x = (mbps: number) => left + (mbps / max) * (right - left);
  const parts = [
    `<text x="10" y="${y + 20}" font-size="14" font-weight="bold">Shared link: two bandwidth tests behind one ${r.plan.rateMbit} Mbit/s uplink (${r.figures[0]?.runs ?? 0} runs per set-up)</text>`,
  ];
  r.figures.forEach((f, k) => {
    const rowY = y + 40 + k * 40;
    const label = f.setup === 'with-link-model' ? 'with the link model' : 'without the link model';
    const color = f.setup === 'with-link-model' ? '#2a7' : '#d33';
    parts.push(`<text x="10" y="${rowY + 14}">${label}</text>`);
    parts.push(
      `<rect x="${left}" y="${rowY + 4}" width="${(x(f.medianMbps) - left).toFixed(1)}" height="14" fill="${color}" opacity="0.35"><title>median ${f.medianMbps} Mbit/s, error ${(f.medianError * 100).toFixed(1)} %</title></rect>`,
    );
    for (const run of r.runs.filter((x) => x.setup === f.setup))
      parts.push(`<circle cx="${x(run.mbps).toFixed(1)}" cy="${rowY + 11}" r="2.5" fill="${color}"/>`);
    parts.push(
      `<text x="${left}" y="${rowY + 30}" font-size="10" fill="#333">median ${f.medianMbps.toFixed(1)} Mbit/s (${(f.medianError * 100).toFixed(1)} %)</text>`,
    );
  });
  const rx = x(r.plan.rateMbit).toFixed(1);
  parts.push(
    `<line x1="${rx}" y1="${y + 34}" x2="${rx}" y2="${y + 124}" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${rx}" y="${y + 138}" text-anchor="middle" font-size="10">shaped rate ${r.plan.rateMbit} Mbit/s</text>`,
  );
  return parts.join('\n');
}
