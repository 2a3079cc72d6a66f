import { describe, expect, it } from 'vitest';
import { METRICS } from './extract.js';
import {
  computeFigures,
  formatError,
  formatSigned,
  niceMax,
  recordsOf,
  renderMarkdown,
  renderSvg,
  verdicts,
  type TaggedSession,
} from './report.js';
import type { RunRecordJson } from './session.js';
import { renderReport, type StoredResult } from './render.js';

let run = 0;
function webRecord(
  ttfb: number,
  transfer: number,
  lateness = 0.001,
  outcome: RunRecordJson['outcome'] = 'success',
): RunRecordJson {
  run += 1;
  return {
    run,
    scheduledAt: new Date(1_000_000 + run * 12_000).toISOString(),
    startedAt: new Date(1_000_000 + run * 12_000).toISOString(),
    endedAt: new Date(1_000_000 + run * 12_000 + 500).toISOString(),
    outcome,
    durationSeconds: 0.5,
    latenessSeconds: lateness,
    ...(outcome === 'success'
      ? { result: { probes: [{ success: true, bodyBytes: 1_000_000, phases: { processing: ttfb, transfer } }] } }
      : {}),
  };
}
function streamRecord(startup: number, stalls: number, throughput: number): RunRecordJson {
  run += 1;
  return {
    run,
    scheduledAt: new Date(run * 12_000).toISOString(),
    startedAt: new Date(run * 12_000).toISOString(),
    endedAt: new Date(run * 12_000 + 5000).toISOString(),
    outcome: 'success',
    durationSeconds: 5,
    latenessSeconds: 0.002,
    result: {
      sessions: [
        {
          playbackFailed: false,
          initialStartupTime: startup,
          stallCount: stalls,
          stallDuration: stalls * 0.5,
          meanThroughput: throughput,
        },
      ],
    },
  };
}
function session(setup: TaggedSession['setup'], web: RunRecordJson[], stream: RunRecordJson[]): TaggedSession {
  return { setup, label: setup, originMs: 0, phases: {}, records: { 'web-qos': web, 'streaming-qos': stream } };
}

const sessions: TaggedSession[] = [
  session('alone', [webRecord(0.02, 0.3), webRecord(0.02, 0.3)], []),
  session('alone', [], [streamRecord(0.2, 0, 3e6), streamRecord(0.2, 0, 3e6)]),
  session('alone', [webRecord(0.02, 0.3)], [streamRecord(0.2, 0, 3e6)]),
  // Overlap: everything 50 % slower, one stall, one timed-out web run.
  session(
    'overlap',
    [webRecord(0.03, 0.45), webRecord(0.03, 0.45), webRecord(0.03, 0.45, 0.05, 'timeout')],
    [streamRecord(0.3, 1, 2e6), streamRecord(0.3, 1, 2e6), streamRecord(0.3, 1, 2e6)],
  ),
  session(
    'nmaas',
    [webRecord(0.0202, 0.3), webRecord(0.0198, 0.3), webRecord(0.02, 0.303)],
    [streamRecord(0.2, 0, 3e6), streamRecord(0.202, 0, 3e6), streamRecord(0.2, 0, 3e6)],
  ),
];

describe('accuracy figures', () => {
  const figures = computeFigures(sessions);
  const byId = (id: string) => figures.find((f) => f.id === id)!;

  it('pools the runs of a set-up over its sessions and takes the alone median as the truth', () => {
    expect(recordsOf(sessions, 'alone', 'web-qos')).toHaveLength(3);
    expect(byId('web.ttfb').truth).toBeCloseTo(0.02);
    expect(byId('web.ttfb').setups.alone).toMatchObject({ runs: 3, median: 0, missing: 0 });
  });

  it('measures overlap errors against the truth and counts runs without a value', () => {
    const ttfb = byId('web.ttfb').setups.overlap;
    expect(ttfb.median).toBeCloseTo(0.5);
    expect(ttfb).toMatchObject({ runs: 2, appRuns: 3, missing: 1 });
    expect(byId('web.throughput').setups.overlap.median).toBeCloseTo(1 / 3);
    expect(byId('stream.stalls').setups.overlap).toMatchObject({ median: 1, absolute: true });
    // The timed-out run still has a lateness: 3 values, 50 ms off for one.
    expect(byId('web.lateness').setups.overlap.runs).toBe(3);
    expect(byId('web.lateness').setups.overlap.p95).toBeCloseTo(0.049 * 0.9 + 0, 2);
  });

  it('judges the target per relative metric, from the numbers', () => {
    const v = verdicts(figures);
    const ttfb = v.find((x) => x.metric === 'web.ttfb')!;
    expect(ttfb).toMatchObject({
      nmaasWithinTarget: true,
      overlapWorse: true,
      overlapShiftSignificant: true,
      nmaasShiftWithinNoise: true,
    });
    expect(v.find((x) => x.metric === 'stream.stalls')!.nmaasWithinTarget).toBeNull();
    // A set-up whose runs are 10 % off fails the target even if its median is right.
    const spread = computeFigures([
      session('alone', [webRecord(0.02, 0.3)], []),
      session(
        'nmaas',
        [
          webRecord(0.018, 0.3),
          webRecord(0.02, 0.3),
          webRecord(0.022, 0.3),
          webRecord(0.018, 0.3),
          webRecord(0.022, 0.3),
        ],
        [],
      ),
      session('overlap', [webRecord(0.02, 0.3)], []),
    ]);
    const w = verdicts(spread).find((x) => x.metric === 'web.ttfb')!;
    expect(w.nmaasWithinTarget).toBe(false);
    expect(w.nmaasShiftWithinTarget).toBe(true);
    expect(w.overlapWorse).toBe(false);
  });

  it('formats relative errors as percent and absolute ones in their unit', () => {
    expect(formatError(0.0123, { unit: 's', absolute: false })).toBe('1.2 %');
    expect(formatError(0.5, { unit: 's', absolute: false })).toBe('50 %');
    expect(formatError(0.0042, { unit: 's', absolute: true })).toBe('4.2 ms');
    expect(formatError(1, { unit: 'stalls', absolute: true })).toBe('1 stalls');
    expect(formatError(NaN, { unit: 's', absolute: false })).toBe('n/a');
    expect(formatSigned(-0.083, { unit: 's', absolute: false })).toBe('−8.3 %');
    expect(formatSigned(0.0046, { unit: 's', absolute: true })).toBe('+4.6 ms');
    expect(formatSigned(0, { unit: 's', absolute: false })).toBe('±0.0 %');
  });

  it('renders a Markdown report with every metric, the run counts and the verdict', () => {
    const md = renderMarkdown(figures, {
      date: '2026-01-01T00:00:00Z',
      command: 'npm run bench:accuracy',
      machine: 'test machine',
      testbed: 'bed',
      apps: 'apps',
      phases: {
        overlap: { 'web-qos': 0 },
        nmaas: { 'web-qos': 0, neighbour: 8 },
        commands: ['nmaas scheduler simulate --strategy kube'],
      },
      wallSeconds: 600,
      svgFile: 'accuracy.svg',
      jsonFile: 'accuracy.json',
    });
    for (const m of METRICS) expect(md).toContain(`| ${m.label} |`);
    expect(md).toContain('50 % / 50 % (n=2, 1 without value)');
    expect(md).toContain('![Error per set-up](accuracy.svg)');
    expect(md).toContain('neighbour at 8 s');
    expect(md).toMatch(
      /overlapping runs are worse than NMaaS-phased ones for \d of 5 \(their shift beyond run-to-run noise for \d\)/,
    );
    expect(md).toMatch(/\| web-qos TTFB \| 20\.0 ms \(±0\.0 %\) \| 30\.0 ms \(\+50 %, 95 % CI \+50 % … \+50 %\)/);
  });

  it('draws one panel per metric with a bar and a whisker per set-up', () => {
    const svg = renderSvg(figures, 'Error <per> set-up');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Error &lt;per&gt; set-up');
    expect(svg.match(/<title>/g)).toHaveLength(METRICS.length * 3);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('picks readable axis maxima', () => {
    expect(niceMax(0.7)).toBe(1);
    expect(niceMax(13)).toBe(20);
    expect(niceMax(240)).toBe(250);
    expect(niceMax(0)).toBe(1);
  });

  it('renders the report files from the stored JSON alone', () => {
    const stored: StoredResult = JSON.parse(
      JSON.stringify({
        date: '2026-01-01T00:00:00Z',
        machine: {
          cpus: 2,
          cpuModel: 'Test CPU',
          memoryBytes: 24 * 2 ** 30,
          node: 'v20.0.0',
          platform: 'linux 6',
          loadAverage: { start: [7.48, 6, 8], end: [3, 2, 1] },
        },
        wallSeconds: 650,
        testbed: { rateMbit: 25, firstByteDelayMs: 20 },
        plan: {
          periodSeconds: 12,
          webObjectBytes: 1_000_000,
          sessionSeconds: 5,
          burnSeconds: 2,
          neighbourMemoryMiB: 512,
        },
        apps: [
          { name: 'web-qos', durationSeconds: 2 },
          { name: 'streaming-qos', durationSeconds: 6 },
          { name: 'neighbour', durationSeconds: 3 },
        ],
        phases: {
          overlap: { 'web-qos': 0 },
          nmaas: { 'web-qos': 0, 'streaming-qos': 2 },
          commands: ['nmaas scheduler simulate --strategy nmaas'],
        },
        design: { rounds: 3, periodsPerSession: 4 },
        metrics: figures,
      }),
    );
    const { markdown, svg } = renderReport(stored);
    expect(markdown).toContain(
      '2 × Test CPU, 24 GiB, linux 6, Node v20.0.0 (load average 7.5 at the start, 3.0 at the end)',
    );
    expect(markdown).toContain('3 rounds × 4 periods per set-up');
    expect(markdown).toContain('streaming-qos at 2 s');
    expect(svg).toContain('12 runs per app and set-up, period 12 s');
  });
});
