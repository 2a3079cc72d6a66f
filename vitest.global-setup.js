/**
 * Every test run gets its own temp directory (TMPDIR, inherited by the test workers and every
 * process they start), removed at the end. Before removing it, the run fails if a test or a
 * process it started left an `nmaas-*` folder there: some hold private keys, and on a developer's
 * machine they would pile up in /tmp.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leftoverTempDirs } from './sdk/src/testing/temp-dirs.js';
export default async function setup() {
    const outer = process.env.TMPDIR;
    const runDir = await mkdtemp(path.join(tmpdir(), 'vitest-run-'));
    process.env.TMPDIR = runDir;
    return async () => {
        if (outer === undefined)
            delete process.env.TMPDIR;
        else
            process.env.TMPDIR = outer;
        const left = await leftoverTempDirs(runDir);
        await rm(runDir, { recursive: true, force: true });
        if (left.length > 0) {
            // vitest only logs an error thrown at teardown; the exit code is what fails `npm test`.
            process.exitCode = 1;
            throw new Error(`tests left ${left.length} temp folder(s) behind: ${left.join(', ')}. ` +
                'Make them with makeTempDir/withTempDir/TempDirs from @nmaas/sdk/testing and remove them in afterAll or finally.');
        }
    };
}
//# sourceMappingURL=vitest.global-setup.js.map