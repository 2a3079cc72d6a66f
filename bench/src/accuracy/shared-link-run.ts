/**
 * Runs the shared-link set-up on its bed (`npm run bench:accuracy -- --shared-link`, as root): the
 * engine chooses the phases through the real CLI with and without the nodes' link declarations, then
 * the two bandwidth probes run at those phases, the set-ups interleaved in rounds. The result goes into
 * accuracy.json under "sharedLink" (the rest of the file is kept) and accuracy.md/.svg are re-rendered.
 * The bed's namespaces are removed whatever happens.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UsageError, writeFileAtomic } from '@nmaas/sdk/kit';
import { CLI_MAIN } from './phases.js';
import { writeReport } from './render.js';
import { createSharedLinkBed, type SharedLinkBed } from './shared-link-bed.js';
import {
  NODE_NAMES,
  SHARED_LINK_SETUPS,
  sharedLinkFigures,
  sharedLinkInstances,
  sharedLinkNodes,
  type ProbeRun,
  type SharedLinkPlan,
  type SharedLinkResult,
  type SharedLinkSetup,
} from './shared-link.js';

const exec = promisify(execFile);
const PROBE = fileURLToPath(new URL('./bandwidth-probe-main.js', import.meta.url));
const log = (msg: string) => process.stderr.write(`[shared-link ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export interface SharedLinkOptions extends SharedLinkPlan {
  rounds: number;
  periods: number;
  outDir: string;
}

/** The engine's phases for the two probes, through `nmaas scheduler simulate` (and the checker's count). */
async function enginePhases(
  plan: SharedLinkPlan,
  links: boolean,
): Promise<{ phases: Record<string, number>; competing: number; command: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-acl-sim-'));
  try {
    const nodesFile = path.join(dir, 'nodes.json');
    const appsFile = path.join(dir, 'apps.json');
    // The apps file is the same; only what the nodes declare differs.
    await writeFile(nodesFile, JSON.stringify({ nodes: sharedLinkNodes(plan, links) }));
    await writeFile(appsFile, JSON.stringify({ horizon: 3600, instances: sharedLinkInstances(plan) }));
    const args = ['scheduler', 'simulate', '--nodes', nodesFile, '--apps', appsFile, '--format', 'json'];
    const { stdout } = await exec(process.execPath, [CLI_MAIN, ...args], { maxBuffer: 16 * 1024 * 1024 });
    const doc = JSON.parse(stdout) as { placed: { id: string; node: string; phase: number }[] };
    const phases = Object.fromEntries(doc.placed.map((p) => [p.node, p.phase]));
    if (Object.keys(phases).length !== NODE_NAMES.length)
      throw new Error(`the engine did not place both probes: ${stdout}`);
    // The checker, told about the link either way: how much the runs compete on it.
    await writeFile(nodesFile, JSON.stringify({ nodes: sharedLinkNodes(plan, true) }));
    const placement = path.join(dir, 'placement.json');
    await writeFile(placement, stdout);
    const check = await exec(process.execPath, [
      CLI_MAIN,
      'scheduler',
      'check',
      '--nodes',
      nodesFile,
      '--apps',
      appsFile,
      '--placement',
      placement,
      '--format',
      'json',
    ]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '{}' }));
    const report = JSON.parse(check.stdout) as { competingSlotSeconds?: number };
    return {
      phases,
      competing: report.competingSlotSeconds ?? NaN,
      command: `nmaas ${args.join(' ').replace(nodesFile, 'nodes.json').replace(appsFile, 'apps.json')}${links ? '  # nodes declare the uplink' : ''}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One probe in a node's namespace, starting at `at` (epoch ms). */
function probe(bed: SharedLinkBed, namespace: string, at: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        namespace,
        process.execPath,
        PROBE,
        '--url',
        `${bed.baseUrl}/page?size=200000000`,
        '--at',
        String(at),
        '--seconds',
        String(seconds),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bandwidth probe in ${namespace} exited with ${code}`));
      resolve((JSON.parse(out) as { mbps: number }).mbps);
    });
  });
}

/** `periods` periods of both probes at the given phases, from the next whole second plus a margin. */
async function session(
  bed: SharedLinkBed,
  plan: SharedLinkPlan,
  setup: SharedLinkSetup,
  phases: Record<string, number>,
  periods: number,
): Promise<ProbeRun[]> {
  const origin = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  const runs: Promise<ProbeRun>[] = [];
  for (let period = 0; period < periods; period++)
    for (const node of bed.nodes) {
      const at = origin + (period * plan.periodSeconds + phases[node.name]!) * 1000;
      // Spawned a second ahead of its start: the probe waits for the instant itself.
      const launch = new Promise<void>((r) => setTimeout(r, Math.max(0, at - 1000 - Date.now())));
      runs.push(
        launch
          .then(() => probe(bed, node.namespace, at, plan.durationSeconds))
          .then((mbps) => ({ setup, node: node.name, period, mbps })),
      );
    }
  return Promise.all(runs);
}

export async function runSharedLinkBench(opts: SharedLinkOptions): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new UsageError('the shared-link set-up creates network namespaces and tc qdiscs: run it as root');
  if (!existsSync(CLI_MAIN)) throw new UsageError(`${CLI_MAIN} is missing: build first (npm run build)`);
  const jsonFile = path.join(opts.outDir, 'accuracy.json');
  if (!existsSync(jsonFile))
    throw new UsageError(`${jsonFile} is missing: run the main accuracy bench first; this set-up adds to its report`);
  const plan: SharedLinkPlan = {
    rateMbit: opts.rateMbit,
    periodSeconds: opts.periodSeconds,
    durationSeconds: opts.durationSeconds,
  };
  const started = Date.now();
  const loadStart = os.loadavg();
  const without = await enginePhases(plan, false);
  const withLinks = await enginePhases(plan, true);
  log(`phases without the link model ${JSON.stringify(without.phases)}, with it ${JSON.stringify(withLinks.phases)}`);
  const phases: Record<SharedLinkSetup, Record<string, number>> = {
    'without-link-model': without.phases,
    'with-link-model': withLinks.phases,
  };
  let bed: SharedLinkBed | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: removing the bed`);
    void (bed?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const runs: ProbeRun[] = [];
  try {
    bed = await createSharedLinkBed({ rateMbit: opts.rateMbit });
    log(`bed up: 2 nodes behind ${opts.rateMbit} Mbit/s to ${bed.baseUrl}`);
    await session(bed, plan, 'with-link-model', phases['with-link-model'], 1); // warm-up, not counted
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? SHARED_LINK_SETUPS : [...SHARED_LINK_SETUPS].reverse();
      for (const setup of order) {
        log(`round ${round + 1}: ${setup}, ${opts.periods} × ${plan.periodSeconds} s`);
        runs.push(...(await session(bed, plan, setup, phases[setup], opts.periods)));
      }
    }
  } finally {
    await bed?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const result: SharedLinkResult = {
    date: new Date().toISOString(),
    wallSeconds: (Date.now() - started) / 1000,
    bed: `four network namespaces: node-a and node-b, each with its own unshaped veth to a router, whose uplink veth to the server namespace is shaped by tc tbf at ${opts.rateMbit} Mbit/s on both ends`,
    plan: { ...plan, periods: opts.periods, rounds: opts.rounds },
    declaredMbps: sharedLinkInstances(plan)[0]!.run.bandwidth,
    phases,
    competingSlotSeconds: { 'without-link-model': without.competing, 'with-link-model': withLinks.competing },
    commands: [without.command, withLinks.command],
    loadAverage: { start: loadStart, end: os.loadavg() },
    figures: sharedLinkFigures(runs, opts.rateMbit),
    runs,
  };
  const stored = JSON.parse(await readFile(jsonFile, 'utf8')) as Record<string, unknown>;
  await writeFileAtomic(jsonFile, `${JSON.stringify({ ...stored, sharedLink: result }, null, 2)}\n`);
  await writeReport(jsonFile);
  for (const f of result.figures)
    log(`${f.setup}: median ${f.medianMbps} Mbit/s, median error ${(f.medianError * 100).toFixed(1)} %`);
}
