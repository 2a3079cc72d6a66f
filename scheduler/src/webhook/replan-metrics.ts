/**
 * The in-cluster re-plan's metrics, on the webhook's registry (so `GET /metrics` serves them with
 * the rest): runs by result, moves by outcome (applied, or why not), and what the last plan gained.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export const REPLAN_METRICS = {
  runs: 'nmaas_scheduler_replan_runs_total',
  moves: 'nmaas_scheduler_replan_moves_total',
  gainPlaced: 'nmaas_scheduler_replan_gain_placed',
  gainOverlap: 'nmaas_scheduler_replan_gain_overlap_seconds',
  lastRun: 'nmaas_scheduler_replan_last_run_timestamp_seconds',
} as const;

/** applied: the plan found moves and carried some out; unchanged: nothing better; error: no plan. */
export const REPLAN_RESULTS = ['applied', 'unchanged', 'error'] as const;
export type ReplanRunResult = (typeof REPLAN_RESULTS)[number];

/**
 * What became of one move of a plan. moved: the pod was evicted, its replacement gets the planned
 * slot; reserved: a refused pod's controller gets the planned slot at its next try. The others are
 * why a move was left out: a PodDisruptionBudget (429), the pod's run would not end within the
 * wait bound, its pod is not created yet, the cluster changed since the plan (stale, or the slot is
 * no longer free), the eviction failed otherwise, or this replica stopped leading.
 */
export const MOVE_OUTCOMES = [
  'moved',
  'reserved',
  'disruption-budget',
  'run-window',
  'not-created',
  'stale',
  'conflict',
  'failed',
  'not-leader',
] as const;
export type MoveOutcome = (typeof MOVE_OUTCOMES)[number];

export class ReplanMetrics {
  private readonly runs: Counter<'result'>;
  private readonly moves: Counter<'outcome'>;
  private readonly gainPlaced: Gauge;
  private readonly gainOverlap: Gauge;
  private readonly lastRun: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const m = REPLAN_METRICS;
    this.runs = new Counter({
      name: m.runs,
      help: 'Re-plan runs of the leader, by result (applied, unchanged, error).',
      labelNames: ['result'] as const,
      registers,
    });
    for (const result of REPLAN_RESULTS) this.runs.inc({ result }, 0);
    this.moves = new Counter({
      name: m.moves,
      help: 'Moves of re-plans, by outcome: moved and reserved were carried out; the others were left out and why.',
      labelNames: ['outcome'] as const,
      registers,
    });
    for (const outcome of MOVE_OUTCOMES) this.moves.inc({ outcome }, 0);
    this.gainPlaced = new Gauge({
      name: m.gainPlaced,
      help: 'Measurement pods the last re-plan placed more than the cluster held (planned, before its moves ran).',
      registers,
    });
    this.gainOverlap = new Gauge({
      name: m.gainOverlap,
      help: 'Overlapping run-seconds the last re-plan removed (planned; positive is better).',
      registers,
    });
    this.lastRun = new Gauge({ name: m.lastRun, help: 'When the last re-plan ran, in Unix seconds.', registers });
  }

  observeRun(result: ReplanRunResult, gain: { placed: number; overlapSeconds: number }, atMs: number): void {
    this.runs.inc({ result });
    this.gainPlaced.set(gain.placed);
    this.gainOverlap.set(gain.overlapSeconds);
    this.lastRun.set(atMs / 1000);
  }

  observeMove(outcome: MoveOutcome): void {
    this.moves.inc({ outcome });
  }
}
