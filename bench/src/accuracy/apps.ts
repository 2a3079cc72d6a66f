/**
 * The apps the accuracy bench runs and how each is configured for the test bed: the two real
 * example apps (web-qos, streaming-qos) and the bench's CPU/memory neighbour. Everything here is
 * plain data derived from the apps' own nmaas.yaml, so it is tested without root.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractFromManifest } from '@nmaas/sdk/contract';
import { loadApp, type AppManifest } from '@nmaas/sdk/model';
import { instanceFromContract, type InstanceSpec } from '@nmaas/scheduler';

/** The monorepo root (this file is bench/src/accuracy/apps.ts or bench/dist/accuracy/apps.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export type AppName = 'web-qos' | 'streaming-qos' | 'neighbour';
export const MEASURED_APPS = ['web-qos', 'streaming-qos'] as const satisfies readonly AppName[];

export interface BenchApp {
  name: AppName;
  dir: string;
  /** Run length (schedule.duration) the bench gives the app, seconds. */
  durationSeconds: number;
  /** Parameter values written to the app's config file. */
  parameters: Record<string, unknown>;
}

export interface BenchPlan {
  /** schedule.every of every app, seconds (must divide the SDK's horizon). */
  periodSeconds: number;
  /** Size of the web object web-qos downloads, bytes. */
  webObjectBytes: number;
  /** Length of each streaming session, seconds (≥ 5, streaming-qos's minimum). */
  sessionSeconds: number;
  /** How long the neighbour burns per run, seconds. */
  burnSeconds: number;
  /** The neighbour's buffer, MiB. */
  neighbourMemoryMiB: number;
}

export const DEFAULT_PLAN: BenchPlan = {
  periodSeconds: 12,
  webObjectBytes: 1_000_000,
  sessionSeconds: 5,
  burnSeconds: 2,
  neighbourMemoryMiB: 512,
};

/**
 * The three apps with the bed's URLs. Durations leave each app room to finish inside its window
 * (web: one probe of ≤ 1 s alone; streaming: the session plus start-up; neighbour: the burn plus
 * worker start), and together fit one period, so a schedule without overlap exists.
 */
export function benchApps(baseUrl: string, plan: BenchPlan = DEFAULT_PLAN): BenchApp[] {
  const apps: BenchApp[] = [
    {
      name: 'web-qos',
      dir: path.join(REPO_ROOT, 'examples', 'web-qos'),
      durationSeconds: 2,
      parameters: { targets: [`${baseUrl}/page?size=${plan.webObjectBytes}`], method: 'GET', timeout: '10s' },
    },
    {
      name: 'streaming-qos',
      dir: path.join(REPO_ROOT, 'examples', 'streaming-qos'),
      durationSeconds: plan.sessionSeconds + 1,
      parameters: { streams: [`${baseUrl}/hls/master.m3u8`], sessionDuration: `${plan.sessionSeconds}s` },
    },
    {
      name: 'neighbour',
      dir: path.join(REPO_ROOT, 'bench', 'accuracy', 'apps', 'neighbour'),
      durationSeconds: plan.burnSeconds + 1,
      parameters: { burnSeconds: `${plan.burnSeconds}s`, threads: 2, memoryMiB: plan.neighbourMemoryMiB },
    },
  ];
  const total = apps.reduce((s, a) => s + a.durationSeconds, 0);
  if (total > plan.periodSeconds) {
    throw new RangeError(
      `the apps' runs (${total} s together) do not fit one period of ${plan.periodSeconds} s; lengthen the period or shorten the runs`,
    );
  }
  return apps;
}

/** The config file (`NMAAS_CONFIG`) of one app: its parameters and the bench's schedule. */
export function appConfig(
  app: BenchApp,
  plan: BenchPlan,
): { parameters: Record<string, unknown>; schedule: { every: string; duration: string; startWithin: string } } {
  return {
    parameters: app.parameters,
    schedule: {
      every: `${plan.periodSeconds}s`,
      duration: `${app.durationSeconds}s`,
      startWithin: `${plan.periodSeconds}s`,
    },
  };
}

/**
 * The instance the scheduler places for an app, built as the webhook builds it: the pod contract
 * from the app's own nmaas.yaml (its declared run/idle resources), with the bench's schedule.
 */
export function instanceFor(app: BenchApp, manifest: AppManifest, plan: BenchPlan): InstanceSpec {
  const schedule = appConfig(app, plan).schedule;
  const contract = contractFromManifest({ ...manifest, schedule });
  return instanceFromContract(app.name, contract);
}

export async function loadManifests(apps: readonly BenchApp[]): Promise<Map<AppName, AppManifest>> {
  const out = new Map<AppName, AppManifest>();
  for (const app of apps) out.set(app.name, (await loadApp(app.dir)).manifest);
  return out;
}
