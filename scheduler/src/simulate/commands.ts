/** `nmaas scheduler simulate` and `nmaas scheduler check`. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkPlacement, formatSlot } from '../engine/index.js';
import { action, ensureDir, formatOption, UsageError, writeFileAtomic, writeFilesAtomic } from '@nmaas/sdk/kit';
import { readApps, readNodes, readPlacement } from './io.js';
import { simulate, type SimulationResult, type SimulationStrategy } from './run.js';
import { DEFAULT_REPLAN_LOOP } from './replan-loop.js';
import { STRATEGIES, STRATEGY_NAMES } from './strategies/index.js';
import { renderTimeline } from '../picture/svg.js';
import { ExactTooLargeError } from './exact.js';
import { generateWorkload } from './workload.js';
import { family, FAMILY_NAMES } from './families.js';
import { schedulerGroup } from '../cli/command-group.js';
import { registerReplanCommand } from './replan/command.js';
import path from 'node:path';

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return Number(value);
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return Number(value);
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

function ratio(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

/** The largest workload generate writes: 10× the nodes and 2× the instances of the scale benchmark. */
export const GENERATE_LIMITS = { nodes: 100_000, instances: 200_000, capacityFactor: 1000 } as const;

/** A whole number from `min` to `max`, for an option that sizes what is built in memory. */
function countUpTo(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max.toLocaleString('en')}`);
    return Number(value);
  };
}

function capacityFactor(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > GENERATE_LIMITS.capacityFactor)
    throw new InvalidArgumentError(`must be a number > 0 and at most ${GENERATE_LIMITS.capacityFactor}`);
  return n;
}

/**
 * first-fit keeps four arrays of horizon length per node (32 bytes a slot), allocated up front: at
 * most 10,000 nodes over one hour (about 1.2 GB), the scale benchmark's size.
 */
export const FIRST_FIT_MAX_NODE_SLOTS = 10_000 * 3600;

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

/** What the report says about shared links, when some node declares one. */
function linkNote(r: SimulationResult): string {
  const over = `${r.metrics.linkSlotSeconds} of them over a shared link's capacity`;
  if (r.strategy === 'kube')
    return `${over}: kube is blind to time, bandwidth and shared links on purpose (it models kube-scheduler); the checker counts what it over-books`;
  return `${over} (${r.strategy} honours shared links; the checker counts any over-booking)`;
}

/** Late pods named in the text report; the JSON lists them all. */
const LATE_SHOWN = 5;

function textReport(r: SimulationResult, horizon: number, linked: boolean): string {
  const m = r.metrics;
  const lines = [
    `strategy ${r.strategy}: ${m.placed} placed, ${m.rejected} rejected, ${r.migrations.length} migration(s) over a ${formatSlot(horizon)} horizon`,
    `competing slot-seconds: ${m.competingSlotSeconds}   violations: ${m.violations}`,
    ...(linked ? [linkNote(r)] : []),
    `decision time (µs): p50 ${m.decisionMicros.p50}  p99 ${m.decisionMicros.p99}  max ${m.decisionMicros.max}`,
  ];
  if (r.retry) lines.push(`retry: ${r.retry.offers} offers, ${r.retry.placedOnRetry} placed on a retry`);
  if (r.controllerRetries) {
    const c = r.controllerRetries;
    lines.push(
      `controller re-creations over ${c.untilSeconds} s: ${c.offers} offers, ${c.late.length} placed by a re-created pod` +
        (c.late.length > 0
          ? ` (${c.late
              .slice(0, LATE_SHOWN)
              .map((l) => `${l.id} created ${l.delaySeconds} s later`)
              .join(
                ', ',
              )}${c.late.length > LATE_SHOWN ? `, and ${c.late.length - LATE_SHOWN} more` : ''}), each judged in its own window`
          : ''),
    );
  }
  if (r.replanLoop) {
    const l = r.replanLoop;
    lines.push(
      `re-plan loop (every ${l.policy.interval} arrival steps, at most ${l.policy.maxMigrations} moves per run): ` +
        `${l.runs} runs, ${l.migrations} pods moved (${l.movedForOverlap} only to lower overlap), ${l.reserved} slots reserved for refused pods (${l.claimed} taken by their retry); ` +
        `every applied plan checked: ${l.competingSlotSeconds} competing slot-seconds, ${l.violations} violations` +
        (l.timeLimited > 0
          ? `; ${l.timeLimited} runs stopped on the time limit (their plan depends on the machine)`
          : ''),
    );
  }
  if (r.solver)
    lines.push(
      `ILP: ${r.solver.status}, ${r.solver.variables} variables, ${r.solver.constraints} constraints, ${r.solver.solveMillis} ms`,
    );
  if (r.rejected.length) {
    lines.push('', 'rejected:');
    for (const x of r.rejected) lines.push(`  ${x.id}: ${x.reason}`);
  }
  if (r.migrations.length) {
    lines.push('', 'migrations:');
    for (const x of r.migrations)
      lines.push(`  ${x.id}: ${x.from.node}@${x.from.phase}s → ${x.to.node}@${x.to.phase}s`);
  }
  lines.push('', 'placed:');
  for (const p of r.placed) lines.push(`  ${p.id} → ${p.node} at ${p.phase}s`);
  return lines.join('\n') + '\n';
}

export function registerEngineCommands(program: Command): void {
  const group = schedulerGroup(program);
  group
    .command('simulate')
    .description(
      'place every instance of apps.json on nodes.json, one at a time in file order, and report the plan and its quality',
    )
    .requiredOption(
      '--nodes <file>',
      'nodes.json: {"nodes":[{"name","labels","capacity":{"cpu","memory","bandwidth"}}]}',
    )
    .requiredOption(
      '--apps <file>',
      'apps.json: {"horizon":3600,"instances":[{"id","app","every","duration","run",...}]}',
    )
    .addOption(
      new Option(
        '--strategy <name>',
        'nmaas (ours), ffd, kube, first-fit (time-aware, arrival order) or exact (ILP, small inputs)',
      )
        .choices([...STRATEGY_NAMES, 'first-fit', 'exact'])
        .default('nmaas'),
    )
    .option(
      '--migrations <K>',
      'readapt: an instance that does not fit may move up to K placed instances (nmaas only)',
      nonNegativeInt,
      0,
    )
    .option('--exact-time-limit <seconds>', 'time limit of the exact ILP solve', positiveNumber, 60)
    .option(
      '--retry',
      'retry model: re-offer a refused instance after later arrivals, with back-off doubling from 1 to 32 arrival steps, 6 offers at most (nmaas, ffd, kube); combines with --migrations',
    )
    .option(
      '--controller-retries <seconds>',
      "re-create each refused pod as its controller does (client-go back-off: 5 ms doubling, at most 1,000 s apart) for <seconds>; each new pod's start window opens at its own creation, so a pod may be placed later than its first window (nmaas only; not with --retry or --replan-interval)",
      nonNegativeInt,
    )
    .option(
      '--replan-interval <steps>',
      'model the in-cluster re-plan loop (chart value replan.interval): every <steps> arrival steps, and after the last arrival while refused pods are pending, re-plan the pool and reserve slots for pending pods, which their retry takes (nmaas only; implies --retry)',
      positiveInt,
    )
    .option(
      '--replan-migrations <M>',
      `most placed instances one re-plan run may move (replan.maxMigrations; default ${DEFAULT_REPLAN_LOOP.maxMigrations}; needs --replan-interval)`,
      nonNegativeInt,
    )
    .option(
      '--replan-seed <n>',
      `the re-planner's seed (default ${DEFAULT_REPLAN_LOOP.seed}; same seed, same plan)`,
      nonNegativeInt,
    )
    .addOption(formatOption())
    .option('--svg <file>', "also draw each node's timeline over the horizon as SVG")
    .addHelpText(
      'after',
      '\nExit codes: 0 every instance placed without competition or violation; 1 some rejected, competing or violating; 2 bad arguments or unreadable input.',
    )
    .action(
      action(
        async (opts: {
          nodes: string;
          apps: string;
          strategy: SimulationStrategy;
          migrations: number;
          exactTimeLimit: number;
          retry?: boolean;
          controllerRetries?: number;
          replanInterval?: number;
          replanMigrations?: number;
          replanSeed?: number;
          format: string;
          svg?: string;
        }) => {
          const nodes = await readNodes(opts.nodes);
          const apps = await readApps(opts.apps);
          if (opts.strategy === 'first-fit' && nodes.length * apps.horizon > FIRST_FIT_MAX_NODE_SLOTS)
            throw new UsageError(
              `--strategy first-fit keeps a slot array per node over the horizon: ${nodes.length} nodes (${opts.nodes}) × ${apps.horizon} s ("horizon" of ${opts.apps}) is more than its limit of ${FIRST_FIT_MAX_NODE_SLOTS.toLocaleString('en')} node-seconds; use fewer nodes, a shorter horizon or another strategy`,
            );
          const engineStrategy = opts.strategy === 'exact' || opts.strategy === 'first-fit' ? null : opts.strategy;
          if (opts.migrations > 0 && (engineStrategy === null || !STRATEGIES[engineStrategy].migrates))
            throw new UsageError(`--migrations applies to the nmaas strategy only (got --strategy ${opts.strategy})`);
          if (opts.retry && engineStrategy === null)
            throw new UsageError(`--retry applies to the engine's strategies only (got --strategy ${opts.strategy})`);
          const loop = opts.replanInterval !== undefined;
          if (opts.controllerRetries !== undefined && (opts.strategy !== 'nmaas' || opts.retry || loop))
            throw new UsageError(
              `--controller-retries models the nmaas webhook's refusals on the clock: use it with --strategy nmaas, without --retry or --replan-interval (got --strategy ${opts.strategy}${opts.retry ? ' --retry' : ''}${loop ? ' --replan-interval' : ''})`,
            );
          if (!loop && (opts.replanMigrations !== undefined || opts.replanSeed !== undefined))
            throw new UsageError(
              '--replan-migrations and --replan-seed set up the re-plan loop: add --replan-interval <steps>',
            );
          if (loop && (engineStrategy === null || !STRATEGIES[engineStrategy].migrates))
            throw new UsageError(
              `--replan-interval models the nmaas scheduler's re-plan loop: it applies to --strategy nmaas only (got --strategy ${opts.strategy})`,
            );
          let result: SimulationResult;
          try {
            result = await simulate(nodes, apps, {
              strategy: opts.strategy,
              migrations: opts.migrations,
              exactTimeLimitSeconds: opts.exactTimeLimit,
              retry: opts.retry === true,
              ...(opts.controllerRetries !== undefined ? { controllerRetries: opts.controllerRetries } : {}),
              ...(loop
                ? {
                    replanLoop: {
                      interval: opts.replanInterval!,
                      ...(opts.replanMigrations !== undefined ? { maxMigrations: opts.replanMigrations } : {}),
                      ...(opts.replanSeed !== undefined ? { seed: opts.replanSeed } : {}),
                    },
                  }
                : {}),
            });
          } catch (e) {
            if (e instanceof ExactTooLargeError) throw new UsageError(e.message);
            throw e;
          }
          if (opts.svg)
            await writeFileAtomic(
              opts.svg,
              renderTimeline(nodes, apps, result.placed, {
                title: `NMaaS ${result.strategy}: ${result.metrics.placed} placed, ${result.metrics.rejected} rejected, ${result.metrics.competingSlotSeconds} competing slot-seconds`,
              }),
            );
          process.stdout.write(
            opts.format === 'json'
              ? JSON.stringify(result, null, 2) + '\n'
              : textReport(
                  result,
                  apps.horizon,
                  nodes.some((n) => (n.links ?? []).length > 0),
                ),
          );
          const m = result.metrics;
          if (m.rejected > 0 || m.competingSlotSeconds > 0 || m.violations > 0) process.exitCode = 1;
        },
      ),
    );

  group
    .command('generate')
    .description(
      'write a seeded workload (nodes.json and apps.json): a realistic mix of the five example apps over edge/core/lab pools',
    )
    .requiredOption('-o, --out <dir>', 'folder to write nodes.json and apps.json into (created if missing)')
    .option('--seed <n>', 'random seed (same seed, same files)', nonNegativeInt, 1)
    .option(
      '--nodes <n>',
      `number of nodes (1 to ${GENERATE_LIMITS.nodes.toLocaleString('en')})`,
      countUpTo(1, GENERATE_LIMITS.nodes),
      50,
    )
    .option(
      '--instances <n>',
      `number of instances (0 to ${GENERATE_LIMITS.instances.toLocaleString('en')}; apps.json takes about 520 bytes each)`,
      countUpTo(0, GENERATE_LIMITS.instances),
      500,
    )
    .addOption(
      new Option('--scale <scale>', 'full: 1-hour horizon, real periods; small: 120-s horizon for the exact ILP')
        .choices(['full', 'small'])
        .default('full'),
    )
    .option(
      '--capacity-factor <x>',
      `multiply node capacities (below 1 makes the cluster tighter; at most ${GENERATE_LIMITS.capacityFactor})`,
      capacityFactor,
    )
    .option('--narrow-start <share>', 'share of instances with a narrow start window', ratio, 0.1)
    .option('--pinned <share>', 'share of instances pinned to a node', ratio, 0)
    .option('--site-size <n>', 'nodes per site sharing one uplink (declared as a link; 0: no links)', nonNegativeInt, 0)
    .option('--uplink <mbps>', "capacity of each site's uplink, Mbps", positive, 1000)
    .addOption(
      new Option(
        '--family <name>',
        'a workload family built apart from the default mix (see scheduler/README.md); planted-* have a known optimum',
      ).choices(FAMILY_NAMES),
    )
    .action(
      action(
        async (opts: {
          out: string;
          seed: number;
          nodes: number;
          instances: number;
          scale: 'full' | 'small';
          capacityFactor?: number;
          narrowStart: number;
          pinned: number;
          siteSize: number;
          uplink: number;
          family?: string;
        }) => {
          if (opts.family && opts.siteSize > 0)
            throw new UsageError('--site-size applies to the default mix, not to --family workloads');
          const { nodes, apps, knownOptimum } = opts.family
            ? family(opts.family).generate({ seed: opts.seed, nodes: opts.nodes, instances: opts.instances })
            : {
                ...generateWorkload({
                  seed: opts.seed,
                  nodes: opts.nodes,
                  instances: opts.instances,
                  scale: opts.scale,
                  narrowStartShare: opts.narrowStart,
                  pinnedShare: opts.pinned,
                  siteSize: opts.siteSize,
                  uplinkMbps: opts.uplink,
                  ...(opts.capacityFactor !== undefined ? { capacityFactor: opts.capacityFactor } : {}),
                }),
                knownOptimum: undefined,
              };
          await ensureDir(opts.out);
          const files = [
            { target: path.join(opts.out, 'nodes.json'), data: JSON.stringify({ nodes }, null, 2) + '\n' },
            { target: path.join(opts.out, 'apps.json'), data: JSON.stringify(apps, null, 2) + '\n' },
          ];
          // Both files or neither (a folder in the way of either is found before anything is written).
          await writeFilesAtomic(files);
          process.stdout.write(
            `wrote ${nodes.length} nodes and ${apps.instances.length} instances (horizon ${apps.horizon} s) to ${opts.out}` +
              (knownOptimum !== undefined ? `; the optimum places all ${knownOptimum}` : '') +
              '\n',
          );
        },
      ),
    );

  group
    .command('check')
    .description(
      "independently recompute competing slot-seconds and rule violations of any placement (ours or a baseline's)",
    )
    .requiredOption('--nodes <file>', 'nodes.json')
    .requiredOption('--apps <file>', 'apps.json')
    .requiredOption(
      '--placement <file>',
      'a placement: the JSON output of "nmaas scheduler simulate" ({"placed":[{"id","node","phase"}]})',
    )
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 no competition and no violation; 1 some found; 2 bad arguments or unreadable input.',
    )
    .action(
      action(async (opts: { nodes: string; apps: string; placement: string; format: string }) => {
        const nodes = await readNodes(opts.nodes);
        const apps = await readApps(opts.apps);
        const placed = await readPlacement(opts.placement);
        const report = checkPlacement(nodes, apps, placed);
        if (opts.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        else {
          const lines = [
            `${report.placed} placed; competing slot-seconds: ${report.competingSlotSeconds}; violations: ${report.violations}`,
          ];
          for (const p of report.problems) lines.push(`  [${p.kind}] ${p.message}`);
          process.stdout.write(lines.join('\n') + '\n');
        }
        if (report.competingSlotSeconds > 0 || report.violations > 0) process.exitCode = 1;
      }),
    );
  registerReplanCommand(group);
}
