/**
 * Where the re-plan's search runs. It is CPU-bound for up to its time limit, and the webhook's event
 * loop must keep answering admissions meanwhile, so in a running webhook it runs in a worker thread
 * (`replan-worker.ts`); its input and output are plain data (nodes, instances, bookings), copied
 * across. The in-process search is for tools and tests that have no admissions to answer.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { replan, type PlacedEntry, type ReplanOptions, type ReplanResult } from '../replan/replan.js';

export interface SearchInput {
  nodes: NodeSpec[];
  apps: { horizon: number; instances: InstanceSpec[] };
  placed: PlacedEntry[];
  options: ReplanOptions;
}

export type ReplanSearch = (input: SearchInput) => Promise<ReplanResult>;

export const inProcessSearch: ReplanSearch = async (input) =>
  replan(input.nodes, input.apps, input.placed, input.options, 'the cluster bookings');

const WORKER = new URL('./replan-worker.js', import.meta.url);

/** One worker thread per search: a search runs at most once at a time, and rarely (minutes apart). */
export const workerSearch: ReplanSearch = (input) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: input });
    let settled = false;
    worker.once('message', (message: { ok: true; result: ReplanResult } | { ok: false; error: string }) => {
      settled = true;
      if (message.ok) resolve(message.result);
      else reject(new Error(message.error));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the re-plan worker exited with code ${code} before answering`));
    });
  });

/**
 * The webhook's search: in a worker thread when the compiled worker module is there (the built
 * package); run from the TypeScript sources (tests) there is none, and the search runs in process.
 */
export const defaultSearch: ReplanSearch = existsSync(fileURLToPath(WORKER)) ? workerSearch : inProcessSearch;
