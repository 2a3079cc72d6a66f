/** The load generator in a process of its own: runs one load (options as argv JSON), prints its figures. */
import { runLoad, type LoadOptions } from './load.js';

const figures = await runLoad(JSON.parse(process.argv[2]!) as LoadOptions);
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
