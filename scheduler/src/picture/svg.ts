/**
 * The plan as a picture, read top-left first: title, then the legend (apps and what the marks mean)
 * and the time axis above the first node. Below, one band per node: a lane per instance with a bar
 * for every run over the horizon (coloured by app, exclusive runs outlined), then the node's
 * capacity use over the period (cpu, memory and bandwidth strips) and a row marking the seconds
 * where runs overlap (amber within capacity, red where they compete). Self-contained SVG, no script.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { formatSlot } from '../engine/index.js';
import {
  CAPACITY_STRIPS_HEIGHT,
  COMPETING_COLOR,
  loadProfile,
  OVERLAP_COLOR,
  renderCapacityStrips,
} from './load-strip.js';

const escape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const LEFT = 280;
const WIDTH = 1200;
const LANE = 12;
const GAP = 14;
const LEGEND_ROW = 18;
const LEGEND_ITEM_WIDTH = 190;

export interface TimelineOptions {
  title?: string;
  /** At most this many nodes are drawn (default 200); the rest are named in a note at the top. */
  maxNodes?: number;
  /** A line shown under the title, e.g. why the picture is partial. */
  note?: string;
}

export function renderTimeline(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  placed: { id: string; node: string; phase: number }[],
  options: TimelineOptions = {},
): string {
  const H = apps.horizon;
  const specs = new Map(apps.instances.map((s) => [s.id, s]));
  const byNode = new Map<string, { spec: InstanceSpec; phase: number }[]>();
  for (const p of placed) {
    const spec = specs.get(p.id);
    if (!spec) continue;
    let l = byNode.get(p.node);
    if (!l) byNode.set(p.node, (l = []));
    l.push({ spec, phase: p.phase });
  }
  // Distinct hues for the apps present (golden-angle steps), stable for a given set of apps; kept
  // within 60°–330° so that no app is drawn in the red and amber of the competing and overlap marks.
  const appNames = [
    ...new Set(placed.map((p) => specs.get(p.id)?.app).filter((a): a is string => a !== undefined)),
  ].sort();
  const hues = new Map(appNames.map((a, k) => [a, 60 + Math.round((k * 137.508) % 270)]));
  const color = (app: string): string => `hsl(${hues.get(app) ?? 60},65%,50%)`;
  const maxNodes = options.maxNodes ?? 200;
  const shown = nodes.filter((n) => byNode.has(n.name));
  const drawn = shown.slice(0, maxNodes);
  const x = (t: number): number => LEFT + (t / H) * WIDTH;

  // Header: title, notes, legend, axis labels — everything a reader needs before the first node.
  const header: string[] = [];
  const title =
    options.title ?? `NMaaS schedule: ${placed.length} instances on ${shown.length} nodes over ${formatSlot(H)}`;
  header.push(`<text x="10" y="22" font-size="14" font-weight="bold">${escape(title)}</text>`);
  let y = 40;
  const notes = [
    ...(options.note !== undefined ? [options.note] : []),
    ...(shown.length > drawn.length
      ? [`${shown.length - drawn.length} more nodes with runs not drawn (first ${drawn.length} shown)`]
      : []),
  ];
  for (const note of notes) {
    header.push(`<text class="note" x="10" y="${y}" fill="#a00">${escape(note)}</text>`);
    y += 16;
  }
  const legend: string[] = [];
  const marks: [string, string][] = [
    ['#fff" stroke="#000" stroke-width="1.2', 'exclusive run (outlined)'],
    ['#aaa', 'cpu / memory / bandwidth in use, full height = declared capacity'],
    [OVERLAP_COLOR, 'runs overlap within capacity'],
    [COMPETING_COLOR, 'runs compete (over capacity, or exclusive not alone)'],
  ];
  let mx = 10;
  for (const [fill, text] of marks) {
    legend.push(
      `<rect x="${mx}" y="${y}" width="12" height="12" fill="${fill}"/><text x="${mx + 16}" y="${y + 10}">${escape(text)}</text>`,
    );
    mx += 16 + text.length * 6 + 24;
  }
  y += LEGEND_ROW;
  const perRow = Math.max(1, Math.floor((LEFT + WIDTH - 10) / LEGEND_ITEM_WIDTH));
  appNames.forEach((a, k) => {
    const lx = 10 + (k % perRow) * LEGEND_ITEM_WIDTH;
    const ly = y + Math.floor(k / perRow) * LEGEND_ROW;
    legend.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${color(a)}"/><text x="${lx + 16}" y="${ly + 10}">${escape(a)}</text>`,
    );
  });
  y += Math.ceil(appNames.length / perRow) * LEGEND_ROW + 16;
  header.push(`<g class="legend">${legend.join('')}</g>`);
  const axisY = y;
  y += 8;

  const parts: string[] = [];
  const top = y;
  for (const node of drawn) {
    const list = byNode.get(node.name)!.sort((a, b) => a.phase - b.phase || (a.spec.id < b.spec.id ? -1 : 1));
    const bandHeight = list.length * LANE;
    parts.push(`<g class="node">`);
    parts.push(`<rect x="${LEFT}" y="${y}" width="${WIDTH}" height="${bandHeight}" fill="#f6f6f6" stroke="#ccc"/>`);
    parts.push(`<text x="10" y="${y + 11}" font-weight="bold">${escape(node.name)}</text>`);
    list.forEach(({ spec, phase }, k) => {
      const ly = y + k * LANE;
      parts.push(
        `<text x="${LEFT - 8}" y="${ly + 10}" text-anchor="end" font-size="9" fill="#555">${escape(spec.id)}</text>`,
      );
      const bars: string[] = [];
      const bar = (from: number, to: number) =>
        `<rect x="${x(from).toFixed(2)}" y="${ly + 1}" width="${Math.max(0.6, x(to) - x(from)).toFixed(2)}" height="${LANE - 2}"/>`;
      for (let start = phase; start < H; start += spec.every) {
        const end = start + spec.duration;
        bars.push(bar(start, Math.min(end, H)));
        if (end > H) bars.push(bar(0, end - H));
      }
      const about = `${spec.id} (${spec.app}) every ${spec.every} s for ${spec.duration} s, phase ${phase}${spec.exclusive ? ', exclusive' : ''}`;
      parts.push(
        `<g class="run" fill="${color(spec.app)}"${spec.exclusive ? ' stroke="#000" stroke-width="0.8"' : ''}><title>${escape(about)}</title>${bars.join('')}</g>`,
      );
    });
    parts.push(renderCapacityStrips(loadProfile(node, H, list), x, y + bandHeight + 2, LEFT - 8));
    parts.push('</g>');
    y += bandHeight + 2 + CAPACITY_STRIPS_HEIGHT + GAP;
  }
  const bottom = Math.max(y - GAP, top);

  // The time axis, labelled above the first node; its grid runs down through every band.
  const ticks: string[] = [];
  const step = [60, 300, 600, 900, 1800, 3600, 7200, 21600, 43200].find((s) => H / s <= 12) ?? Math.ceil(H / 12);
  const tickStep = H <= 240 ? Math.max(1, Math.ceil(H / 12)) : step;
  for (let t = 0; t <= H; t += tickStep) {
    ticks.push(
      `<line x1="${x(t)}" y1="${axisY + 2}" x2="${x(t)}" y2="${bottom}" stroke="#ddd"/><text x="${x(t)}" y="${axisY}" text-anchor="middle" font-size="10">${formatSlot(t)}</text>`,
    );
  }
  const height = bottom + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT + WIDTH + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...header,
    `<g class="axis"><text x="${LEFT - 20}" y="${axisY}" text-anchor="end" font-size="10" fill="#555">time in the period</text>${ticks.join('')}</g>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
