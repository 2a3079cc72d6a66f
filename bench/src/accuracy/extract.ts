/**
 * The figures the bench compares, read from the apps' own /results records (what ctx.result()
 * published, plus the runtime's lateness): nothing is timed by the bench itself.
 */
import type { AppName } from './apps.js';
import type { RunRecordJson } from './session.js';

/** relative: |v − truth| / truth; absolute: |v − truth| in the metric's unit. */
export type ErrorMode = 'relative' | 'absolute';

export interface MetricDef {
  id: string;
  label: string;
  app: AppName;
  unit: string;
  mode: ErrorMode;
  /** The value of one run, or null when the run has none (failed, timed out, not started). */
  read(record: RunRecordJson): number | null;
}

interface WebProbe {
  success: boolean;
  bodyBytes: number;
  phases: { processing: number; transfer: number };
}
interface StreamSession {
  playbackFailed: boolean;
  initialStartupTime: number | null;
  stallCount: number;
  stallDuration: number;
  meanThroughput: number;
}

function probe(record: RunRecordJson): WebProbe | null {
  if (record.outcome !== 'success') return null;
  const p = (record.result as { probes?: WebProbe[] } | undefined)?.probes?.[0];
  return p && p.success ? p : null;
}

function session(record: RunRecordJson): StreamSession | null {
  if (record.outcome !== 'success') return null;
  const s = (record.result as { sessions?: StreamSession[] } | undefined)?.sessions?.[0];
  return s && !s.playbackFailed ? s : null;
}

export const METRICS: MetricDef[] = [
  {
    id: 'web.ttfb',
    label: 'web-qos TTFB',
    app: 'web-qos',
    unit: 's',
    mode: 'relative',
    read: (r) => probe(r)?.phases.processing ?? null,
  },
  {
    id: 'web.transfer',
    label: 'web-qos transfer time',
    app: 'web-qos',
    unit: 's',
    mode: 'relative',
    read: (r) => probe(r)?.phases.transfer ?? null,
  },
  {
    id: 'web.throughput',
    label: 'web-qos throughput',
    app: 'web-qos',
    unit: 'B/s',
    mode: 'relative',
    read: (r) => {
      const p = probe(r);
      return p && p.phases.transfer > 0 ? p.bodyBytes / p.phases.transfer : null;
    },
  },
  {
    id: 'stream.startup',
    label: 'streaming-qos startup time',
    app: 'streaming-qos',
    unit: 's',
    mode: 'relative',
    read: (r) => session(r)?.initialStartupTime ?? null,
  },
  {
    id: 'stream.throughput',
    label: 'streaming-qos segment throughput',
    app: 'streaming-qos',
    unit: 'B/s',
    mode: 'relative',
    read: (r) => session(r)?.meanThroughput ?? null,
  },
  {
    id: 'stream.stalls',
    label: 'streaming-qos stalls',
    app: 'streaming-qos',
    unit: 'stalls',
    mode: 'absolute',
    read: (r) => session(r)?.stallCount ?? null,
  },
  {
    id: 'stream.stallSeconds',
    label: 'streaming-qos stall time',
    app: 'streaming-qos',
    unit: 's',
    mode: 'absolute',
    read: (r) => session(r)?.stallDuration ?? null,
  },
  // Lateness exists for every run the scheduler started, whatever its outcome.
  {
    id: 'web.lateness',
    label: 'web-qos SDK start lateness',
    app: 'web-qos',
    unit: 's',
    mode: 'absolute',
    read: (r) => r.latenessSeconds,
  },
  {
    id: 'stream.lateness',
    label: 'streaming-qos SDK start lateness',
    app: 'streaming-qos',
    unit: 's',
    mode: 'absolute',
    read: (r) => r.latenessSeconds,
  },
];

export interface Samples {
  values: number[];
  /** Runs of the app in the window, and those that gave no value (failed, timed out). */
  runs: number;
  missing: number;
}

export function samples(metric: MetricDef, records: readonly RunRecordJson[]): Samples {
  const values: number[] = [];
  for (const r of records) {
    const v = metric.read(r);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  return { values, runs: records.length, missing: records.length - values.length };
}
