/** Entry of the content server inside the test bed's namespace: `server-main --host A --port P [--delay-ms D]`. */
import { createContentServer } from './server.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '8080'));
const server = createContentServer({ firstByteDelayMs: Number(arg('delay-ms', '20')) });
server.listen(port, host, () => process.stdout.write(`listening on http://${host}:${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
