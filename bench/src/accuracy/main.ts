#!/usr/bin/env node
/**
 * `npm run bench:accuracy` (node bench/dist/accuracy/main.js): the accuracy bench.
 * Builds the test bed, asks `nmaas scheduler simulate` for the Kubernetes and the NMaaS phases,
 * runs the real apps in the three set-ups (interleaved in rounds, so that whatever else the
 * machine is doing falls on every set-up alike), and writes bench/results/accuracy.{json,md,svg}.
 * Needs root (network namespaces, tc). Always removes its namespaces and processes.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  benchApps,
  DEFAULT_PLAN,
  instanceFor,
  loadManifests,
  REPO_ROOT,
  type AppName,
  type BenchPlan,
} from './apps.js';
import { benchNode, choosePhases, CLI_MAIN, machineCapacity, overlapSeconds } from './phases.js';
import { computeFigures, SETUPS, type SetupId, type TaggedSession } from './report.js';
import { APP_ENTRY, killAllNow, runSession, type SessionSpec } from './session.js';
import { median } from './stats.js';
import { METRICS, samples } from './extract.js';
import { createTestbed, type Testbed } from './testbed.js';
import { writeReport } from './render.js';
import { runSharedLinkBench } from './shared-link-run.js';
import { UsageError, writeFileAtomic } from '@nmaas/sdk/kit';

interface Options {
  rounds: number;
  periodsPerSession: number;
  rateMbit: number;
  delayMs: number;
  plan: BenchPlan;
  outDir: string;
  keepWork: boolean;
  /** Only re-render accuracy.md/.svg from this accuracy.json. */
  render?: string;
  /** Only run the shared-link set-up (two nodes behind one shaped uplink) and add it to accuracy.json. */
  sharedLink: boolean;
  link: { rateMbit: number; periodSeconds: number; durationSeconds: number };
}

const USAGE = `usage: node bench/dist/accuracy/main.js [options]   (as root)
  --rounds <n>      rounds of the four sessions (alone web-qos, alone streaming-qos, overlap, nmaas) (3)
  --periods <n>     periods per session: runs per app per session (4)
  --period <s>      schedule.every of every app, seconds (${DEFAULT_PLAN.periodSeconds})
  --rate <mbit>     bottleneck rate of the bed = the node's bandwidth capacity (25)
  --delay-ms <ms>   server first-byte delay (20)
  --out <dir>       where accuracy.{json,md,svg} go (bench/results)
  --keep-work       keep the work folder (configs and app logs)
  --render <json>   only re-render accuracy.md and accuracy.svg from an accuracy.json (no root needed)
  --shared-link     only the shared-link set-up: two nodes behind one shaped uplink, two bandwidth tests placed
                    without and with the link model; added to accuracy.json under "sharedLink"
  --link-rate <mbit>, --link-period <s>, --link-duration <s>   its uplink rate (100), period (20), run length (5)
`;

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    rounds: 3,
    periodsPerSession: 4,
    rateMbit: 25,
    delayMs: 20,
    plan: { ...DEFAULT_PLAN },
    outDir: path.join(REPO_ROOT, 'bench', 'results'),
    keepWork: false,
    sharedLink: false,
    link: { rateMbit: 100, periodSeconds: 20, durationSeconds: 5 },
  };
  const int = (name: string, v: string | undefined, min: number): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min)
      throw new UsageError(`${name} needs a whole number ≥ ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--rounds') o.rounds = int(a, argv[++i], 1);
    else if (a === '--periods') o.periodsPerSession = int(a, argv[++i], 1);
    else if (a === '--period') o.plan.periodSeconds = int(a, argv[++i], 1);
    else if (a === '--rate') o.rateMbit = int(a, argv[++i], 1);
    else if (a === '--delay-ms') o.delayMs = int(a, argv[++i], 0);
    else if (a === '--out') o.outDir = path.resolve(argv[++i] ?? '.');
    else if (a === '--keep-work') o.keepWork = true;
    else if (a === '--shared-link') o.sharedLink = true;
    else if (a === '--link-rate') o.link.rateMbit = int(a, argv[++i], 1);
    else if (a === '--link-period') o.link.periodSeconds = int(a, argv[++i], 2);
    else if (a === '--link-duration') o.link.durationSeconds = int(a, argv[++i], 1);
    else if (a === '--render') o.render = path.resolve(argv[++i] ?? 'bench/results/accuracy.json');
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  if (o.link.durationSeconds * 2 > o.link.periodSeconds)
    throw new UsageError('--link-duration must be at most half of --link-period, so the two runs can take turns');
  if (o.periodsPerSession > 20)
    throw new UsageError('--periods must be at most 20 (the SDK keeps the last 20 runs on /results)');
  return o;
}

/** The order of the four sessions in round r: rotated so no set-up always follows the same one. */
export function roundOrder(round: number): ('alone-web' | 'alone-stream' | 'overlap' | 'nmaas')[] {
  const base = ['alone-web', 'alone-stream', 'overlap', 'nmaas'] as const;
  return base.map((_, i) => base[(i + round) % base.length]!);
}

const writeAtomic = (file: string, content: string): Promise<void> => writeFileAtomic(file, content);

const log = (msg: string) => process.stderr.write(`[accuracy ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.render) {
    const { mdFile, svgFile } = await writeReport(opts.render);
    log(
      `rendered ${path.relative(process.cwd(), mdFile)} and ${path.relative(process.cwd(), svgFile)} from ${path.relative(process.cwd(), opts.render)}`,
    );
    return;
  }
  if (opts.sharedLink) {
    await runSharedLinkBench({
      ...opts.link,
      rounds: opts.rounds,
      periods: opts.periodsPerSession,
      outDir: opts.outDir,
    });
    return;
  }
  if (process.getuid?.() !== 0)
    throw new UsageError('the accuracy bench creates network namespaces and tc qdiscs: run it as root');
  for (const file of [
    APP_ENTRY,
    CLI_MAIN,
    path.join(REPO_ROOT, 'examples', 'web-qos', 'dist', 'index.js'),
    path.join(REPO_ROOT, 'examples', 'streaming-qos', 'dist', 'index.js'),
  ]) {
    if (!existsSync(file)) throw new UsageError(`${file} is missing: build first (npm run build)`);
  }
  const started = Date.now();
  const loadAtStart = os.loadavg();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-accuracy-'));
  let bed: Testbed | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      killAllNow();
      await bed?.close();
      if (!opts.keepWork) await rm(workDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: removing the test bed and stopping the apps`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    bed = await createTestbed({ rateMbit: opts.rateMbit, firstByteDelayMs: opts.delayMs });
    log(
      `test bed up: ${bed.clientNamespace} ⇄ ${bed.serverNamespace}, ${opts.rateMbit} Mbit/s tbf, server ${bed.baseUrl}`,
    );
    const plan = opts.plan;
    const apps = benchApps(bed.baseUrl, plan);
    const manifests = await loadManifests(apps);
    const instances = apps.map((a) => instanceFor(a, manifests.get(a.name)!, plan));
    const node = benchNode(machineCapacity(opts.rateMbit));
    const horizon = 3600;
    if (horizon % plan.periodSeconds !== 0) throw new UsageError(`--period must divide ${horizon} s`);
    const kube = await choosePhases(node, instances, horizon, 'kube');
    const nmaas = await choosePhases(node, instances, horizon, 'nmaas');
    log(`phases: kube ${JSON.stringify(kube.phases)}, nmaas ${JSON.stringify(nmaas.phases)}`);
    const byName = (n: AppName) => apps.find((a) => a.name === n)!;
    const specs: Record<
      ReturnType<typeof roundOrder>[number],
      Omit<SessionSpec, 'label' | 'periods'> & { setup: SetupId }
    > = {
      'alone-web': { setup: 'alone', apps: [byName('web-qos')], phases: { 'web-qos': 0 } },
      'alone-stream': { setup: 'alone', apps: [byName('streaming-qos')], phases: { 'streaming-qos': 0 } },
      overlap: { setup: 'overlap', apps, phases: kube.phases },
      nmaas: { setup: 'nmaas', apps, phases: nmaas.phases },
    };
    const ctx = { clientNamespace: bed.clientNamespace, plan, workDir };
    // One discarded period first: loads the apps' code into the page cache and warms the bed.
    log('warm-up session (not counted)');
    await runSession(ctx, { label: 'warm-up', apps, phases: nmaas.phases, periods: 1 });
    const sessions: TaggedSession[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      for (const kind of roundOrder(round)) {
        const { setup, ...spec } = specs[kind];
        const label = `r${round + 1}-${kind}`;
        log(
          `session ${label}: ${spec.apps.map((a) => a.name).join(', ')} for ${opts.periodsPerSession} × ${plan.periodSeconds} s`,
        );
        const outcome = await runSession(ctx, { ...spec, label, periods: opts.periodsPerSession });
        sessions.push({ ...outcome, setup });
      }
    }
    const figures = computeFigures(sessions);
    const wallSeconds = (Date.now() - started) / 1000;
    const neighbourRuns = (setup: SetupId) =>
      sessions.filter((s) => s.setup === setup).flatMap((s) => s.records.neighbour ?? []);
    const result = {
      name: 'accuracy',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryBytes: os.totalmem(),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        // Other work on the machine moves every figure; this says how busy it was.
        loadAverage: { start: loadAtStart, end: os.loadavg() },
      },
      wallSeconds,
      testbed: {
        rateMbit: opts.rateMbit,
        firstByteDelayMs: opts.delayMs,
        tbf: 'both directions of a veth pair between two network namespaces',
        server: bed.baseUrl,
      },
      plan,
      apps: apps.map((a) => ({
        name: a.name,
        durationSeconds: a.durationSeconds,
        parameters: a.parameters,
        declared: instances.find((i) => i.id === a.name)!.run,
      })),
      node,
      phases: {
        overlap: kube.phases,
        nmaas: nmaas.phases,
        commands: [kube.command, nmaas.command],
        competingSlotSeconds: { overlap: kube.competingSlotSeconds, nmaas: nmaas.competingSlotSeconds },
        overlapSecondsPerPeriod: {
          overlap: overlapSeconds(
            plan.periodSeconds,
            { phase: kube.phases['web-qos']!, duration: byName('web-qos').durationSeconds },
            { phase: kube.phases['streaming-qos']!, duration: byName('streaming-qos').durationSeconds },
          ),
          nmaas: overlapSeconds(
            plan.periodSeconds,
            { phase: nmaas.phases['web-qos']!, duration: byName('web-qos').durationSeconds },
            { phase: nmaas.phases['streaming-qos']!, duration: byName('streaming-qos').durationSeconds },
          ),
        },
      },
      design: { rounds: opts.rounds, periodsPerSession: opts.periodsPerSession, sessionsPerRound: 4, warmUpPeriods: 1 },
      sessions: sessions.map((s) => ({
        label: s.label,
        setup: s.setup,
        origin: new Date(s.originMs).toISOString(),
        phases: s.phases,
        outcomes: Object.fromEntries(Object.entries(s.records).map(([app, rs]) => [app, rs!.map((r) => r.outcome)])),
      })),
      neighbour: Object.fromEntries(
        (['overlap', 'nmaas'] as const).map((s) => {
          const rs = neighbourRuns(s);
          const burns = rs
            .map((r) => (r.result as { burnSeconds?: number } | undefined)?.burnSeconds)
            .filter((x): x is number => typeof x === 'number');
          const passes = rs
            .map((r) => (r.result as { passes?: number } | undefined)?.passes)
            .filter((x): x is number => typeof x === 'number');
          return [s, { runs: rs.length, medianBurnSeconds: median(burns), medianBufferPasses: median(passes) }];
        }),
      ),
      metrics: figures,
      values: Object.fromEntries(
        METRICS.map((m) => [
          m.id,
          Object.fromEntries(
            SETUPS.map((s) => [
              s,
              samples(
                m,
                sessions.filter((x) => x.setup === s).flatMap((x) => x.records[m.app] ?? []),
              ).values,
            ]),
          ),
        ]),
      ),
    };
    await mkdir(opts.outDir, { recursive: true });
    const jsonFile = path.join(opts.outDir, 'accuracy.json');
    await writeAtomic(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
    const { mdFile, svgFile } = await writeReport(jsonFile);
    log(
      `wrote ${path.relative(process.cwd(), mdFile)}, ${path.relative(process.cwd(), jsonFile)}, ${path.relative(process.cwd(), svgFile)} in ${Math.round(wallSeconds)} s`,
    );
    if (opts.keepWork) log(`work folder kept: ${workDir}`);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

// Run only as the entry point, so tests can import parseArgs/roundOrder.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `bench:accuracy: ${error instanceof UsageError ? error.message : ((error as Error)?.stack ?? String(error))}\n`,
    );
    killAllNow();
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
