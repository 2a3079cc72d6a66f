/**
 * The numbers behind a valid manifest's human quantities: what the scheduler, the chart
 * generator and the runtime compute with.
 */
import type { AppManifest } from './schema.js';
import { parseBandwidth, parseCpu, parseDuration, parseMemory } from './quantities.js';

export interface ResourceAmounts {
  /** millicores */
  cpu: number;
  /** MiB */
  memory: number;
  /** Mbps */
  bandwidth: number;
}

export interface NormalizedSchedule {
  everySeconds: number;
  durationSeconds: number;
  /** Tolerated delay of the first run; defaults to `every` (any phase). */
  startWithinSeconds: number;
}

export interface NormalizedManifest {
  schedule: NormalizedSchedule;
  run: ResourceAmounts;
  idle: Omit<ResourceAmounts, 'bandwidth'>;
}

function must<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`internal: ${what} should have been validated`);
  return value;
}

export function normalizeSchedule(schedule: AppManifest['schedule']): NormalizedSchedule {
  const everySeconds = must(parseDuration(schedule.every), 'schedule.every');
  return {
    everySeconds,
    durationSeconds: must(parseDuration(schedule.duration), 'schedule.duration'),
    startWithinSeconds:
      schedule.startWithin === undefined
        ? everySeconds
        : must(parseDuration(schedule.startWithin), 'schedule.startWithin'),
  };
}

export function normalizeManifest(manifest: AppManifest): NormalizedManifest {
  const { run, idle } = manifest.resources;
  return {
    schedule: normalizeSchedule(manifest.schedule),
    run: {
      cpu: must(parseCpu(run.cpu), 'resources.run.cpu'),
      memory: must(parseMemory(run.memory), 'resources.run.memory'),
      bandwidth: must(parseBandwidth(run.bandwidth), 'resources.run.bandwidth'),
    },
    idle: {
      cpu: must(parseCpu(idle.cpu), 'resources.idle.cpu'),
      memory: must(parseMemory(idle.memory), 'resources.idle.memory'),
    },
  };
}
