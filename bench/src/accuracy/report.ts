/**
 * From the sessions' run records to the bench's figures (JSON), its Markdown report and the SVG
 * plot of the error per set-up. Pure functions: tested without a test bed.
 */
import type { AppName } from './apps.js';
import { METRICS, samples, type MetricDef } from './extract.js';
import type { SessionOutcome, RunRecordJson } from './session.js';
import { median, summarise, type ErrorSummary } from './stats.js';

export const SETUPS = ['alone', 'overlap', 'nmaas'] as const;
export type SetupId = (typeof SETUPS)[number];

export const SETUP_LABELS: Record<SetupId, string> = {
  alone: 'alone (ground truth)',
  overlap: 'co-located, Kubernetes phases',
  nmaas: 'co-located, NMaaS phases',
};

const SETUP_COLOURS: Record<SetupId, string> = { alone: '#8c8c8c', overlap: '#d6604d', nmaas: '#4393c3' };

/** The relative target of the issue: NMaaS-phased runs within 2 % (median) of the alone runs. */
export const TARGET = 0.02;

export interface SetupFigures extends ErrorSummary {
  /** Runs of the app in this set-up, and those without a value (failed or timed out). */
  appRuns: number;
  missing: number;
}

export interface MetricFigures {
  id: string;
  label: string;
  app: AppName;
  unit: string;
  mode: MetricDef['mode'];
  /** Median of the alone runs. */
  truth: number;
  setups: Record<SetupId, SetupFigures>;
}

export interface TaggedSession extends SessionOutcome {
  setup: SetupId;
}

/** All run records of one app in one set-up, over every session of that set-up. */
export function recordsOf(sessions: readonly TaggedSession[], setup: SetupId, app: AppName): RunRecordJson[] {
  return sessions.filter((s) => s.setup === setup).flatMap((s) => s.records[app] ?? []);
}

export function computeFigures(
  sessions: readonly TaggedSession[],
  metrics: readonly MetricDef[] = METRICS,
): MetricFigures[] {
  return metrics.map((m) => {
    const per = Object.fromEntries(SETUPS.map((s) => [s, samples(m, recordsOf(sessions, s, m.app))])) as Record<
      SetupId,
      ReturnType<typeof samples>
    >;
    const truth = median(per.alone.values);
    const setups = Object.fromEntries(
      SETUPS.map((s) => [
        s,
        { ...summarise(per[s].values, truth, m.mode, per.alone.values), appRuns: per[s].runs, missing: per[s].missing },
      ]),
    ) as Record<SetupId, SetupFigures>;
    return { id: m.id, label: m.label, app: m.app, unit: m.unit, mode: m.mode, truth, setups };
  });
}

export interface Verdict {
  metric: string;
  /** Relative metrics: NMaaS's median per-run error and median shift within the target. */
  nmaasWithinTarget: boolean | null;
  nmaasShiftWithinTarget: boolean | null;
  /** Overlapping runs have a larger median per-run error than NMaaS-phased ones. */
  overlapWorse: boolean;
  /** The 95 % interval of the overlap shift excludes 0: more than n runs of noise can explain. */
  overlapShiftSignificant: boolean;
  /** The 95 % interval of the NMaaS shift includes 0. */
  nmaasShiftWithinNoise: boolean;
  /** The alone runs' own spread (median per-run error against their median). */
  aloneNoise: number;
}

const excludesZero = ([lo, hi]: [number, number]): boolean => lo > 0 || hi < 0;

export function verdicts(figures: readonly MetricFigures[]): Verdict[] {
  return figures.map((f) => {
    const relative = !f.setups.nmaas.absolute;
    return {
      metric: f.id,
      nmaasWithinTarget: relative ? f.setups.nmaas.median <= TARGET : null,
      nmaasShiftWithinTarget: relative ? f.setups.nmaas.medianShift <= TARGET : null,
      overlapWorse: f.setups.overlap.median > f.setups.nmaas.median,
      overlapShiftSignificant: excludesZero(f.setups.overlap.shiftInterval),
      nmaasShiftWithinNoise: !excludesZero(f.setups.nmaas.shiftInterval),
      aloneNoise: f.setups.alone.median,
    };
  });
}

// ---- formatting ----

/** An error in the report's words: percent for relative metrics, the unit (ms for seconds) otherwise. */
export function formatError(value: number, figures: Pick<MetricFigures, 'unit'> & { absolute: boolean }): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (!figures.absolute) return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;
  if (figures.unit === 's') return `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} ms`;
  return `${Number(value.toFixed(2))} ${figures.unit}`;
}

/** A signed shift: "+2.2 %" or "−0.4 ms". */
export function formatSigned(value: number, figures: Pick<MetricFigures, 'unit'> & { absolute: boolean }): string {
  if (!Number.isFinite(value)) return 'n/a';
  const text = formatError(Math.abs(value), figures);
  return value === 0 || text.startsWith('0.0 ') || text.startsWith('0 ')
    ? `±${text}`
    : `${value > 0 ? '+' : '−'}${text}`;
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 's') return value < 1 ? `${(value * 1000).toFixed(1)} ms` : `${value.toFixed(2)} s`;
  if (unit === 'B/s') return `${((value * 8) / 1e6).toFixed(2)} Mbit/s`;
  return `${Number(value.toFixed(2))} ${unit}`;
}

export interface ReportContext {
  date: string;
  command: string;
  machine: string;
  testbed: string;
  apps: string;
  phases: { overlap: Record<string, number>; nmaas: Record<string, number>; commands: string[] };
  wallSeconds: number;
  svgFile: string;
  jsonFile: string;
}

/** formatError for one set-up of a metric. */
const err = (value: number, f: MetricFigures, s: SetupId): string =>
  formatError(value, { unit: f.unit, absolute: f.setups[s].absolute });

function cell(s: SetupFigures, unit: string): string {
  const n = s.missing > 0 ? `n=${s.runs}, ${s.missing} without value` : `n=${s.runs}`;
  return `${formatError(s.median, { unit, absolute: s.absolute })} / ${formatError(s.p95, { unit, absolute: s.absolute })} (${n})`;
}

function shiftCell(f: MetricFigures, s: SetupId): string {
  const fig = f.setups[s];
  const fmt = (x: number) => formatSigned(x, { unit: f.unit, absolute: fig.absolute });
  const [lo, hi] = fig.shiftInterval;
  const interval = s === 'alone' ? '' : `, 95 % CI ${fmt(lo)} … ${fmt(hi)}`;
  return `${formatValue(fig.medianValue, f.unit)} (${fmt(fig.signedShift)}${interval})`;
}

function phaseText(p: Record<string, number>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k} at ${v} s`)
    .join(', ');
}

export function renderMarkdown(figures: readonly MetricFigures[], ctx: ReportContext): string {
  const v = verdicts(figures);
  const relative = figures.filter((f) => !f.setups.nmaas.absolute);
  const lines: string[] = [
    '# Accuracy of co-located measurements: alone vs Kubernetes phases vs NMaaS phases',
    '',
    `Run ${ctx.date} on ${ctx.machine} with \`${ctx.command}\` (${Math.round(ctx.wallSeconds)} s). Figures: [${ctx.jsonFile}](${ctx.jsonFile}).`,
    '',
    '## Set-up',
    '',
    `- Test bed: ${ctx.testbed}`,
    `- Apps: ${ctx.apps}`,
    `- alone: each measurement app by itself (its own session, no other app started); the ground truth of a metric is the median of these runs.`,
    `- overlap: all three apps together with the phases Kubernetes gives them (\`--strategy kube\`: ${phaseText(ctx.phases.overlap)}).`,
    `- nmaas: all three apps together with the phases NMaaS chose (\`--strategy nmaas\`: ${phaseText(ctx.phases.nmaas)}).`,
    `- Phases from: ${ctx.phases.commands.map((c) => `\`${c}\``).join('; ')}.`,
    '',
    '## Error against the ground truth',
    '',
    'Per-run error = |value − truth| / truth for times and throughputs, |value − truth| in the unit for stalls and start lateness. Each cell: median / p95 of the per-run errors (n = runs with a value). The alone column is the noise floor: the alone runs against their own median.',
    '',
    `| metric | truth (alone median) | ${SETUPS.map((s) => SETUP_LABELS[s]).join(' | ')} |`,
    `|---|---|${SETUPS.map(() => '---').join('|')}|`,
    ...figures.map(
      (f) =>
        `| ${f.label} | ${formatValue(f.truth, f.unit)} | ${SETUPS.map((s) => cell(f.setups[s], f.unit)).join(' | ')} |`,
    ),
    '',
    "Shift of the typical run: each set-up's median value, its signed shift against the truth and the 95 % bootstrap interval of that shift (resampling the set-up's and the alone runs): an interval that contains 0 means the shift is within what run-to-run noise of this many runs produces.",
    '',
    `| metric | ${SETUPS.map((s) => SETUP_LABELS[s]).join(' | ')} |`,
    `|---|${SETUPS.map(() => '---').join('|')}|`,
    ...figures.map((f) => `| ${f.label} | ${SETUPS.map((s) => shiftCell(f, s)).join(' | ')} |`),
    '',
    `![Error per set-up](${ctx.svgFile})`,
    '',
    '## Against the target',
    '',
    `Target: NMaaS-phased runs within ${TARGET * 100} % (median) of the alone runs, overlapping runs measurably worse.`,
    '',
  ];
  for (const f of relative) {
    const x = v.find((y) => y.metric === f.id)!;
    lines.push(
      `- ${f.label}: NMaaS median per-run error ${err(f.setups.nmaas.median, f, 'nmaas')} (${x.nmaasWithinTarget ? 'within' : 'outside'} the target; typical-run shift ${err(f.setups.nmaas.medianShift, f, 'nmaas')}, ${x.nmaasShiftWithinTarget ? 'within' : 'outside'} it, ${x.nmaasShiftWithinNoise ? 'within' : 'beyond'} the noise of ${f.setups.nmaas.runs} runs), overlap ${err(f.setups.overlap.median, f, 'overlap')} (${x.overlapWorse ? 'worse' : 'not worse'}; shift ${x.overlapShiftSignificant ? 'beyond' : 'within'} the noise); the alone runs themselves spread by ${err(x.aloneNoise, f, 'alone')}.`,
    );
  }
  for (const f of figures.filter((g) => g.setups.nmaas.absolute)) {
    lines.push(
      `- ${f.label} (absolute): alone ${err(f.setups.alone.median, f, 'alone')}, overlap ${err(f.setups.overlap.median, f, 'overlap')} (p95 ${err(f.setups.overlap.p95, f, 'overlap')}), NMaaS ${err(f.setups.nmaas.median, f, 'nmaas')} (p95 ${err(f.setups.nmaas.p95, f, 'nmaas')}).`,
    );
  }
  const within = relative.filter((f) => v.find((y) => y.metric === f.id)!.nmaasWithinTarget).length;
  const shiftWithin = relative.filter((f) => v.find((y) => y.metric === f.id)!.nmaasShiftWithinTarget).length;
  const worse = relative.filter((f) => v.find((y) => y.metric === f.id)!.overlapWorse).length;
  const significant = relative.filter((f) => v.find((y) => y.metric === f.id)!.overlapShiftSignificant).length;
  const nmaasNoise = relative.filter((f) => v.find((y) => y.metric === f.id)!.nmaasShiftWithinNoise).length;
  const noisy = relative.filter((f) => f.setups.alone.median > TARGET);
  lines.push(
    '',
    `In short: NMaaS-phased per-run errors are within ${TARGET * 100} % for ${within} of ${relative.length} relative metrics (typical-run shift within it for ${shiftWithin}); overlapping runs are worse than NMaaS-phased ones for ${worse} of ${relative.length} (their shift beyond run-to-run noise for ${significant}); the NMaaS shift is within run-to-run noise for ${nmaasNoise} of ${relative.length}.`,
  );
  if (noisy.length > 0) {
    lines.push(
      `The alone runs of ${noisy.map((f) => f.label).join(', ')} already spread by more than ${TARGET * 100} % around their own median, so no set-up can have a median per-run error below that spread on this machine; for those, compare the NMaaS column with the alone column (and the shift table) rather than with ${TARGET * 100} %.`,
    );
  }
  const better = relative.filter((f) => {
    const [lo, hi] = f.setups.nmaas.shiftInterval;
    // "Better" = faster for times, higher for throughputs.
    return f.unit === 'B/s' ? lo > 0 : hi < 0;
  });
  if (better.length > 0) {
    lines.push(
      `NMaaS-phased runs of ${better.map((f) => `${f.label} (${formatSigned(f.setups.nmaas.signedShift, { unit: f.unit, absolute: false })})`).join(', ')} are *better* than the alone runs by more than run-to-run noise. Competition for resources can only make a measurement worse, so this difference comes from something else that differs between the alone and the co-located sessions (what ran on the bed just before the run, for instance); see bench/accuracy/README.md.`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

// ---- SVG ----

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A "nice" axis maximum (1, 2, 2.5, 5 × 10^k) at or above `x`. */
export function niceMax(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const k = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * k >= x) return m * k;
  return 10 * k;
}

/** Small multiples: one panel per metric, a bar per set-up (median per-run error) with its p95 whisker. */
export function renderSvg(figures: readonly MetricFigures[], title: string): string {
  const cols = 3;
  const pw = 240;
  const ph = 190;
  const top = 70;
  const rows = Math.ceil(figures.length / cols);
  const width = cols * pw + 20;
  const height = top + rows * ph + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  SETUPS.forEach((s, i) => {
    const x = 10 + i * 230;
    out.push(
      `<rect x="${x}" y="32" width="12" height="12" fill="${SETUP_COLOURS[s]}"/><text x="${x + 16}" y="42">${esc(SETUP_LABELS[s])}</text>`,
    );
  });
  out.push(
    `<text x="${width - 10}" y="58" text-anchor="end" fill="#555">bar: median per-run error; whisker: p95; n = runs; dashed: the ${TARGET * 100} % target</text>`,
  );
  figures.forEach((f, k) => {
    const x0 = 10 + (k % cols) * pw;
    const y0 = top + Math.floor(k / cols) * ph;
    const absolute = f.setups.nmaas.absolute;
    const scale = absolute && f.unit === 's' ? 1000 : absolute ? 1 : 100;
    const unit = absolute ? (f.unit === 's' ? 'ms' : f.unit) : '%';
    const max = niceMax(
      Math.max(...SETUPS.map((s) => (Number.isFinite(f.setups[s].p95) ? f.setups[s].p95 * scale : 0))),
    );
    const plotX = x0 + 45;
    const plotW = pw - 60;
    const plotY = y0 + 25;
    const plotH = ph - 65;
    out.push(`<text x="${x0 + pw / 2}" y="${y0 + 14}" text-anchor="middle" font-weight="bold">${esc(f.label)}</text>`);
    for (const t of [0, 0.5, 1]) {
      const y = plotY + plotH - t * plotH;
      out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
      out.push(
        `<text x="${plotX - 4}" y="${y + 4}" text-anchor="end" fill="#555">${Number((t * max).toPrecision(3))}${t === 1 ? ` ${unit}` : ''}</text>`,
      );
    }
    if (!absolute && TARGET * 100 <= max) {
      const y = plotY + plotH - ((TARGET * 100) / max) * plotH;
      out.push(
        `<line x1="${plotX}" x2="${plotX + plotW}" y1="${y}" y2="${y}" stroke="#1a9850" stroke-dasharray="4 3"/>`,
      );
    }
    const bw = plotW / SETUPS.length;
    SETUPS.forEach((s, i) => {
      const fig = f.setups[s];
      const med = Number.isFinite(fig.median) ? fig.median * scale : 0;
      const p95 = Number.isFinite(fig.p95) ? fig.p95 * scale : 0;
      const bx = plotX + i * bw + bw * 0.2;
      const h = (med / max) * plotH;
      out.push(
        `<rect x="${bx}" y="${plotY + plotH - h}" width="${bw * 0.6}" height="${h}" fill="${SETUP_COLOURS[s]}"><title>${esc(`${SETUP_LABELS[s]}: median ${med.toPrecision(3)} ${unit}, p95 ${p95.toPrecision(3)} ${unit}, n=${fig.runs}`)}</title></rect>`,
      );
      const wy = plotY + plotH - (p95 / max) * plotH;
      const cx = bx + bw * 0.3;
      out.push(
        `<line x1="${cx}" x2="${cx}" y1="${plotY + plotH - h}" y2="${wy}" stroke="#222"/><line x1="${cx - 5}" x2="${cx + 5}" y1="${wy}" y2="${wy}" stroke="#222"/>`,
      );
      out.push(`<text x="${cx}" y="${plotY + plotH + 13}" text-anchor="middle" fill="#555">n=${fig.runs}</text>`);
    });
    out.push(`<line x1="${plotX}" x2="${plotX + plotW}" y1="${plotY + plotH}" y2="${plotY + plotH}" stroke="#333"/>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
