/**
 * One bandwidth measurement, run inside a node's namespace: at `--at` (epoch ms) it downloads from
 * `--url` for `--seconds` and prints {"bytes","seconds","mbps"} as JSON. Starting at an agreed instant
 * (not when the process happens to be up) keeps the schedule's phases exact on a loaded machine.
 */
import http from 'node:http';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) {
    process.stderr.write(`bandwidth-probe: --${name} is required (--url U --at EPOCH_MS --seconds S)\n`);
    process.exit(2);
  }
  return v;
}

const url = arg('url');
const at = Number(arg('at'));
const seconds = Number(arg('seconds'));

function measure(): void {
  let bytes = 0;
  const end = at + seconds * 1000;
  const req = http.get(url, (res) => {
    res.on('data', (chunk: Buffer) => {
      if (Date.now() <= end) bytes += chunk.length;
    });
    res.on('error', () => undefined);
  });
  req.on('error', (error) => {
    process.stderr.write(`bandwidth-probe: ${error.message}\n`);
    process.exit(1);
  });
  setTimeout(
    () => {
      req.destroy();
      process.stdout.write(`${JSON.stringify({ bytes, seconds, mbps: (bytes * 8) / seconds / 1e6 })}\n`);
      process.exit(0);
    },
    Math.max(0, end - Date.now()),
  );
}

setTimeout(measure, Math.max(0, at - Date.now()));
