/**
 * Temp folders owned by tests. Every folder is `nmaas-<label>-XXXXXX` in the temp directory, so
 * one check after a run (`leftoverTempDirs`) finds any a test forgot; the helpers remove what
 * they made even when the test fails. Some tests keep private keys in them: never leave one.
 */
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The prefix every temp folder made by NMaaS code and tests starts with. */
export const TEMP_DIR_PREFIX = 'nmaas-';

/** A new empty folder `nmaas-<label>-XXXXXX` in the temp directory; the caller removes it. */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `${TEMP_DIR_PREFIX}${label}-`));
}

/** Runs `fn` with a fresh temp folder and removes the folder afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>, label = 'test'): Promise<T> {
  const dir = await makeTempDir(label);
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The temp folders of one suite: `make()` in tests or hooks, `removeAll()` in `afterAll`.
 *
 *     const temp = new TempDirs('catalogue');
 *     afterAll(() => temp.removeAll());
 *     const dir = await temp.make();
 */
export class TempDirs {
  private readonly dirs: string[] = [];

  constructor(private readonly label: string) {}

  async make(): Promise<string> {
    const dir = await makeTempDir(this.label);
    this.dirs.push(dir);
    return dir;
  }

  async removeAll(): Promise<void> {
    const dirs = this.dirs.splice(0);
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** The `nmaas-*` entries left in `dir` (the temp directory by default), sorted. */
export async function leftoverTempDirs(dir = tmpdir()): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((name) => name.startsWith(TEMP_DIR_PREFIX)).sort();
}

/**
 * For a test runner's global setup: gives the run its own temp directory (TMPDIR, inherited by
 * the test workers and every process they start) and returns the teardown, which removes it and
 * fails the run (exit code 1, and an error naming them) if a test or a process it started left an
 * `nmaas-*` folder there: some hold private keys, and on a developer's machine they pile up.
 */
export async function isolateTempDir(): Promise<() => Promise<void>> {
  const outer = process.env.TMPDIR;
  const runDir = await mkdtemp(path.join(tmpdir(), 'vitest-run-'));
  // The run's temp dir stands in for /tmp, which tests that drop privileges (a measurement run as
  // user 65532) must be able to traverse: the same mode as /tmp. Folders made in it keep their 0700.
  await chmod(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  return async () => {
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    const left = await leftoverTempDirs(runDir);
    await rm(runDir, { recursive: true, force: true });
    if (left.length > 0) {
      // vitest only logs an error thrown at teardown; the exit code is what fails `npm test`.
      process.exitCode = 1;
      throw new Error(
        `tests left ${left.length} temp folder(s) behind: ${left.join(', ')}. ` +
          'Make them with makeTempDir/withTempDir/TempDirs from @nmaas/sdk/testing and remove them in afterAll or finally.',
      );
    }
  };
}
