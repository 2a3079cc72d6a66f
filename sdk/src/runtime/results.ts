/** The last N run records, newest last: what /results serves. */
import type { RunOutcome } from './measurement.js';

export interface RunRecord {
  run: number;
  scheduledAt: string;
  startedAt: string;
  endedAt: string;
  outcome: RunOutcome;
  durationSeconds: number;
  latenessSeconds: number;
  /** What the run passed to ctx.result(), if anything. */
  result?: unknown;
  error?: string;
}

export const DEFAULT_RESULTS_KEPT = 20;

export class ResultStore {
  private records: RunRecord[] = [];
  constructor(readonly capacity = DEFAULT_RESULTS_KEPT) {}

  add(record: RunRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  /** Newest last. */
  list(): RunRecord[] {
    return [...this.records];
  }

  get last(): RunRecord | undefined {
    return this.records[this.records.length - 1];
  }
}
