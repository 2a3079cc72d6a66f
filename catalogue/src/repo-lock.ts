/**
 * One build at a time per repository. The lock is a file created with O_EXCL holding the owner's
 * pid and a random token. A lock whose owner died (kill -9) is taken over: it is first renamed to
 * a unique name (only one contender can win that rename), then checked — if it turns out to be a
 * live owner's fresh lock, it is put back with link() (which never overwrites).
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { link, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isProcessAlive as isAlive } from '@nmaas/sdk/kit';

export const LOCK_FILE = '.nmaas-catalogue.lock';

export interface RepoLock {
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  token: string;
  since: string;
}

async function readLock(file: string): Promise<LockContent | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockContent;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireRepoLock(
  repoDir: string,
  options: { timeoutMs?: number; onWait?: (holder: LockContent | null) => void } = {},
): Promise<RepoLock> {
  const file = path.join(repoDir, LOCK_FILE);
  const mine: LockContent = {
    pid: process.pid,
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let waited = false;
  let delay = 20;
  for (;;) {
    try {
      // Synchronous calls on the uncontended path: a build takes and drops the lock once, and each
      // thread-pool round trip costs a wake-up that a loaded machine makes slow.
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeFileSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      return {
        async release() {
          let current: LockContent | null = null;
          try {
            current = JSON.parse(readFileSync(file, 'utf8')) as LockContent;
          } catch {
            current = null;
          }
          if (current?.token === mine.token) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(file);
    // An unreadable lock may be one being written right now: only a dead pid proves staleness.
    if (holder !== null && !isAlive(holder.pid)) {
      const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      const moved = await rename(file, aside).then(
        () => true,
        () => false,
      );
      if (moved) {
        const took = await readLock(aside);
        if (took !== null && took.token !== holder.token && isAlive(took.pid))
          await link(aside, file).catch(() => undefined);
        await rm(aside, { force: true });
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${file} is held by process ${holder?.pid ?? '?'} since ${holder?.since ?? '?'}; another build is running into this repository (delete the lock file if that process is gone)`,
      );
    }
    if (!waited) options.onWait?.(holder);
    waited = true;
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}
