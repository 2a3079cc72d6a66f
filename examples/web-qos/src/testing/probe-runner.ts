/**
 * Runs probes on request in one warm process: it reads one JSON job per stdin line
 * (`{"id","url","timeoutMs"}`) and answers each with one JSON line (`{"id","result"}`), so the
 * side-by-side test can interleave web-qos's probes with the reference tool's under the same load.
 * The test starts it inside the client namespace (`ip netns exec … node probe-runner.js <setup.json>`).
 * It warms up first, as the app does before it measures, then prints `{"ready":true}`.
 * Not used by the image.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createResolver } from '@nmaas/example-web-cartography/hosts';
import { probeHttp } from '../probe.js';
import { parseStatusPatterns } from '../status-codes.js';
import { warmUp } from '../warm-up.js';

interface Setup {
  resolver: string;
  ca?: string;
}

interface Job {
  id: string;
  url: string;
  timeoutMs: number;
}

const setupPath = process.argv[2];
if (!setupPath) {
  process.stderr.write('usage: node probe-runner.js <setup.json>   (then one JSON job per stdin line)\n');
  process.exit(2);
}
const { resolver: server, ca } = JSON.parse(readFileSync(setupPath, 'utf8')) as Setup;
const resolver = createResolver(server, { timeoutMs: 2000 });
await warmUp(resolver, ca);
const isExpectedStatus = parseStatusPatterns(['2xx']);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const job = JSON.parse(line) as Job;
  const result = await probeHttp(job.url, {
    resolver,
    family: 'ipv4',
    method: 'GET',
    timeoutMs: job.timeoutMs,
    isExpectedStatus,
    followRedirects: true,
    ...(ca ? { ca } : {}),
  });
  process.stdout.write(`${JSON.stringify({ id: job.id, result })}\n`);
}
