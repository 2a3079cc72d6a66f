/** `nmaas scheduler replan`: a better plan for the whole pool from the current placement, within K migrations. */
import { type Command, InvalidArgumentError } from 'commander';
import { checkPlacement, formatSlot } from '../../engine/index.js';
import { action, formatOption, writeFileAtomic } from '@nmaas/sdk/kit';
import { readApps, readNodes, readPlacement } from '../io.js';
import { renderTimeline } from '../../picture/svg.js';
import {
  ACS_UP_TO_NODES,
  DEFAULT_REPLAN_METHOD,
  replan,
  REPLAN_METHODS,
  type ReplanMethod,
  type ReplanResult,
} from '../../replan/replan.js';

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return Number(value);
}

function method(value: string): ReplanMethod {
  const found = REPLAN_METHODS.find((m) => m === value);
  if (!found) throw new InvalidArgumentError(`must be one of ${REPLAN_METHODS.join(', ')}`);
  return found;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds > 0');
  return n;
}

/** The replan's JSON: the `simulate` shape (so `check` reads it as a placement) plus the moves and the search. */
export function replanDocument(r: ReplanResult, check: { competingSlotSeconds: number; violations: number }) {
  return {
    strategy: 'replan',
    placed: r.placed,
    rejected: r.rejected,
    migrations: r.moves.filter((m) => m.kind === 'move').map((m) => ({ id: m.id, from: m.from!, to: m.to })),
    metrics: {
      placed: r.after.placed,
      rejected: r.after.rejected,
      competingSlotSeconds: check.competingSlotSeconds,
      violations: check.violations,
    },
    replan: {
      before: r.before,
      after: r.after,
      migrations: r.migrations,
      budget: r.budget,
      moves: r.moves,
      search: r.search,
    },
  };
}

function textReport(r: ReplanResult): string {
  const lines = [
    `before: ${r.before.placed} placed, ${r.before.rejected} refused, ${r.before.overlapSeconds} overlapping run-seconds`,
    `after:  ${r.after.placed} placed, ${r.after.rejected} refused, ${r.after.overlapSeconds} overlapping run-seconds`,
    `${r.migrations} migration(s) of at most ${r.budget}; ${r.search.accepted} step(s) kept of ${r.search.iterations}` +
      ` in ${r.search.millis} ms (${r.search.stoppedBy})`,
  ];
  if (r.moves.length) {
    lines.push('', 'moves (step: gain in placed / overlapping run-seconds):');
    for (const m of r.moves) {
      const from = m.from ? `${m.from.node}@${formatSlot(m.from.phase)}` : 'refused';
      const gain = `${m.gain.placed >= 0 ? '+' : ''}${m.gain.placed} placed, ${m.gain.overlapSeconds > 0 ? '+' : ''}${m.gain.overlapSeconds} s overlap`;
      lines.push(`  ${m.id}: ${m.kind} ${from} → ${m.to.node}@${formatSlot(m.to.phase)}   step ${m.step}: ${gain}`);
    }
  }
  if (r.rejected.length) {
    lines.push('', 'still refused:');
    for (const x of r.rejected) lines.push(`  ${x.id}: ${x.reason}`);
  }
  return lines.join('\n') + '\n';
}

export function registerReplanCommand(group: Command): void {
  group
    .command('replan')
    .description(
      'from the current placement, find a plan that places more, then overlaps less, then moves less, within K migrations',
    )
    .requiredOption('--nodes <file>', 'nodes.json')
    .requiredOption('--apps <file>', 'apps.json')
    .requiredOption('--placement <file>', 'the current placement: the JSON output of "nmaas scheduler simulate"')
    .option(
      '--migrations <K>',
      'most already-placed instances that may change node or phase (placing a refused one is free)',
      wholeNumber,
      0,
    )
    .option('--time-limit <seconds>', 'stop searching after this long', seconds, 10)
    .option(
      '--method <name>',
      `the search: lns (large-neighbourhood search), acs (ant colony system), or auto: acs up to ${ACS_UP_TO_NODES}` +
        ' nodes, lns beyond (what measured better)',
      method,
      DEFAULT_REPLAN_METHOD,
    )
    .option('--seed <n>', 'random seed (same seed and inputs, same plan when the search converges)', wholeNumber, 1)
    .addOption(formatOption())
    .option('--svg <file>', "also draw each node's timeline of the new plan as SVG")
    .addHelpText(
      'after',
      '\nThe JSON output is itself a placement file: "nmaas scheduler check --placement <it>" verifies it.' +
        '\nExit codes: 0 every instance placed without competition or violation; 1 some still refused; 2 bad arguments or unreadable input.',
    )
    .action(
      action(
        async (opts: {
          nodes: string;
          apps: string;
          placement: string;
          migrations: number;
          timeLimit: number;
          seed: number;
          method: ReplanMethod;
          format: string;
          svg?: string;
        }) => {
          const nodes = await readNodes(opts.nodes);
          const apps = await readApps(opts.apps);
          const current = await readPlacement(opts.placement);
          const result = replan(
            nodes,
            apps,
            current,
            {
              migrations: opts.migrations,
              timeLimitSeconds: opts.timeLimit,
              seed: opts.seed,
              method: opts.method,
            },
            opts.placement,
          );
          const check = checkPlacement(nodes, apps, result.placed);
          if (opts.svg)
            await writeFileAtomic(
              opts.svg,
              renderTimeline(nodes, apps, result.placed, {
                title: `NMaaS replan: ${result.after.placed} placed (${result.before.placed} before), ${result.migrations} migration(s)`,
              }),
            );
          process.stdout.write(
            opts.format === 'json' ? JSON.stringify(replanDocument(result, check), null, 2) + '\n' : textReport(result),
          );
          if (result.after.rejected > 0 || check.competingSlotSeconds > 0 || check.violations > 0) process.exitCode = 1;
        },
      ),
    );
}
