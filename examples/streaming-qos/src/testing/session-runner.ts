/**
 * Plays one session of a stream with the app's player and fetchers and prints its report as one
 * JSON line, after the app's warm-up: the curl side-by-side test starts it inside the testbed's client namespace
 * (`ip netns exec … node session-runner.js <url> <session seconds>`). Not used by the image.
 */
import { createResolver } from '@nmaas/example-web-cartography/hosts';
import { createFetchers } from '../fetchers.js';
import { playSession } from '../player/session.js';
import { warmUp } from '../warm-up.js';

const [url, seconds] = process.argv.slice(2);
if (!url || !seconds || !Number.isFinite(Number(seconds))) {
  process.stderr.write('usage: node session-runner.js <stream url> <session seconds>\n');
  process.exit(2);
}
// As the app does before it measures.
await warmUp();
const fetchers = createFetchers({ resolver: createResolver(''), family: 'ipv4', timeoutMs: 10_000 });
try {
  const report = await playSession(url, {
    ...fetchers,
    sessionSeconds: Number(seconds),
    startupBufferSeconds: 2,
    maxBufferSeconds: 60,
    abrSafety: 0.8,
  });
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  fetchers.close();
}
