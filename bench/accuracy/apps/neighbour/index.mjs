// The neighbour's measurement: `threads` workers each own a slice of a `memoryMiB` buffer and
// write one byte per 4 KiB page over it, pass after pass, until `burnSeconds` have passed or the
// run is aborted. Writing every page keeps the memory resident and the caches cold; the loop
// keeps each worker's core at 100 %. Workers are separate threads so the app's own event loop
// stays free to answer /metrics and /results, as a well-behaved app would.
import { Worker } from 'node:worker_threads';
import { defineMeasurement, parseDuration } from '@nmaas/sdk';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, endAt } = workerData;
const buf = Buffer.alloc(bytes);
let stop = false;
parentPort.on('message', () => { stop = true; });
let passes = 0;
let x = 0;
function burn() {
  // Work in slices of ~50 ms so the stop message is seen promptly.
  const sliceEnd = Math.min(endAt, Date.now() + 50);
  while (Date.now() < sliceEnd) {
    for (let i = 0; i < buf.length; i += 4096) buf[i] = (buf[i] + 1) & 0xff;
    for (let k = 0; k < 20000; k++) x = (x * 1103515245 + 12345) % 2147483648;
    passes++;
  }
  if (stop || Date.now() >= endAt) parentPort.postMessage({ passes, x });
  else setImmediate(burn);
}
burn();
`;

export default defineMeasurement(async (ctx) => {
  const { threads, memoryMiB } = ctx.params;
  const burnMs = (parseDuration(ctx.params.burnSeconds) ?? 8) * 1000;
  const started = Date.now();
  const endAt = started + burnMs;
  const bytes = Math.floor((memoryMiB * 1024 * 1024) / threads);
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER, { eval: true, workerData: { bytes, endAt } }),
  );
  const stopAll = () => workers.forEach((w) => w.postMessage('stop'));
  ctx.signal.addEventListener('abort', stopAll, { once: true });
  try {
    const done = await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    const passes = done.reduce((sum, d) => sum + d.passes, 0);
    const seconds = (Date.now() - started) / 1000;
    ctx.metrics.gauge('neighbour_burn_seconds').set(seconds);
    ctx.metrics.counter('neighbour_buffer_passes_total').inc(passes);
    ctx.result({ threads, memoryMiB, burnSeconds: seconds, passes });
  } finally {
    ctx.signal.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
});
