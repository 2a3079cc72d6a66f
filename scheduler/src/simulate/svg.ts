/**
 * The plan as a picture: one band per node, one lane per instance, a bar for every active window over
 * the horizon, coloured by app. Exclusive instances are outlined. Self-contained SVG, no script.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { formatSlot } from '../engine/index.js';
import { LOAD_STRIP_HEIGHT, loadProfile, renderLoadStrip } from './load-strip.js';
import { linkProfiles } from './link-strip.js';

const escape = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderTimeline(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  placed: { id: string; node: string; phase: number }[],
  options: { title?: string; maxNodes?: number } = {},
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
  // Distinct hues for the apps present (golden-angle steps), stable for a given set of apps.
  const appNames = [
    ...new Set(placed.map((p) => specs.get(p.id)?.app).filter((a): a is string => a !== undefined)),
  ].sort();
  const hues = new Map(appNames.map((a, k) => [a, Math.round((k * 137.508) % 360)]));
  const hue = (app: string): number => hues.get(app) ?? 0;
  const maxNodes = options.maxNodes ?? 200;
  const shown = nodes.filter((n) => byNode.has(n.name));
  const drawn = shown.slice(0, maxNodes);
  const left = 280;
  const width = 1200;
  const lane = 12;
  const gap = 10;
  const top = 60;
  const x = (t: number): number => left + (t / H) * width;
  const parts: string[] = [];
  let y = top;
  for (const node of drawn) {
    const list = byNode.get(node.name)!.sort((a, b) => a.phase - b.phase || (a.spec.id < b.spec.id ? -1 : 1));
    const bandHeight = list.length * lane;
    parts.push(`<rect x="${left}" y="${y}" width="${width}" height="${bandHeight}" fill="#f6f6f6" stroke="#ccc"/>`);
    parts.push(`<text x="10" y="${y + 11}" font-weight="bold">${escape(node.name)}</text>`);
    list.forEach(({ spec, phase }, k) => {
      const ly = y + k * lane;
      const color = `hsl(${hue(spec.app)},65%,50%)`;
      parts.push(
        `<text x="${left - 8}" y="${ly + 10}" text-anchor="end" font-size="9" fill="#555">${escape(spec.id)}</text>`,
      );
      const bars: string[] = [];
      for (let start = phase; start < H; start += spec.every) {
        const end = start + spec.duration;
        bars.push(
          `<rect x="${x(start).toFixed(2)}" y="${ly + 1}" width="${Math.max(0.6, x(Math.min(end, H)) - x(start)).toFixed(2)}" height="${lane - 2}"/>`,
        );
        if (end > H)
          bars.push(
            `<rect x="${x(0).toFixed(2)}" y="${ly + 1}" width="${Math.max(0.6, x(end - H) - x(0)).toFixed(2)}" height="${lane - 2}"/>`,
          );
      }
      parts.push(
        `<g fill="${color}"${spec.exclusive ? ' stroke="#000" stroke-width="0.8"' : ''}><title>${escape(`${spec.id} (${spec.app}) every ${spec.every} s for ${spec.duration} s, phase ${phase}${spec.exclusive ? ', exclusive' : ''}`)}</title>${bars.join('')}</g>`,
      );
    });
    // Under the lanes: the node's summed load against its declared capacity, competition in red.
    parts.push(
      `<text x="${left - 8}" y="${y + bandHeight + 12}" text-anchor="end" font-size="9" fill="#555">load / capacity</text>`,
    );
    parts.push(renderLoadStrip(loadProfile(node, H, list), x, y + bandHeight + 2));
    y += bandHeight + LOAD_STRIP_HEIGHT + gap;
  }
  // Shared links: the runs of all nodes behind each, against its capacity.
  for (const link of linkProfiles(nodes, H, byNode)) {
    parts.push(
      `<text x="${left - 8}" y="${y + 12}" text-anchor="end" font-size="9" fill="#555">link ${escape(link.name)} / ${link.capacity} Mbps</text>`,
    );
    parts.push(renderLoadStrip(link.profile, x, y + 2));
    y += LOAD_STRIP_HEIGHT + gap;
  }
  // Time axis.
  const ticks: string[] = [];
  const step = [60, 300, 600, 900, 1800, 3600, 7200].find((s) => H / s <= 12) ?? Math.ceil(H / 12);
  const tickStep = H <= 240 ? Math.max(1, Math.ceil(H / 12)) : step;
  for (let t = 0; t <= H; t += tickStep) {
    ticks.push(
      `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${y}" stroke="#ddd"/><text x="${x(t)}" y="${top - 10}" text-anchor="middle" font-size="10">${formatSlot(t)}</text>`,
    );
  }
  const legend = appNames
    .map(
      (a, k) =>
        `<rect x="${left + k * 190}" y="${y + 8}" width="12" height="12" fill="hsl(${hue(a)},65%,50%)"/><text x="${left + k * 190 + 16}" y="${y + 18}">${escape(a)}</text>`,
    )
    .join('');
  const note =
    shown.length > drawn.length
      ? `<text x="${left}" y="${y + 40}" fill="#a00">${shown.length - drawn.length} more nodes not drawn</text>`
      : '';
  const meaning =
    `<text x="${left}" y="${y + 58}" font-size="10" fill="#555">Grey strip: a node's summed load (idle footprints + active runs), full height = its declared ` +
    'measurement capacity. Red: seconds where runs compete (over capacity, or an exclusive run not alone).</text>';
  const height = y + 70;
  const title = escape(
    options.title ?? `NMaaS schedule: ${placed.length} instances on ${shown.length} nodes over ${formatSlot(H)}`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${title}</text>`,
    ...ticks,
    ...parts,
    legend,
    note,
    meaning,
    '</svg>',
    '',
  ].join('\n');
}
