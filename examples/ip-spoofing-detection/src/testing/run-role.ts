/**
 * Runs one role of the app once, in this process, and prints the outcome as one JSON line on
 * stdout (logs go to stderr). The namespace test starts it with `ip netns exec <ns> node …` so
 * each role runs inside its own network namespace. Not used by the image.
 */
import { runMeasurementOnce } from '@nmaas/sdk';
import measurement from '../index.js';

const [appDir, parameters] = process.argv.slice(2);
if (!appDir || !parameters) {
  process.stderr.write('usage: node run-role.js <app-dir> <parameters-json>\n');
  process.exit(2);
}
const run = await runMeasurementOnce(measurement, {
  appDir,
  parameters: JSON.parse(parameters) as Record<string, unknown>,
  timeoutSeconds: 60,
  logSink: (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
});
process.stdout.write(`${JSON.stringify(run)}\n`);
// The receiver's listener outlives a run by design; this one-shot process ends here.
process.exit(0);
