/** The re-plan's search in a worker thread (see `replan-search.ts`): data in, plan or error out. */
import { parentPort, workerData } from 'node:worker_threads';
import { inProcessSearch, type SearchInput } from './replan-search.js';

inProcessSearch(workerData as SearchInput).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (error: unknown) =>
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
);
