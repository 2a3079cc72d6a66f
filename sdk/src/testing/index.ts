/**
 * Test support shared by every package (imported as `@nmaas/sdk/testing`, never by runtime code).
 * Tests that need an outside tool (promtool, chromium, ip, tmux…) ask `tool()`: outside CI a
 * missing tool skips the suite with a message; with CI=true the suite runs and fails, because CI
 * installs every tool and a skipped check there would hide a broken install.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The absolute path of `name` on PATH (or the given candidates), or null. */
export function findTool(name: string, candidates: string[] = []): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const file of [...candidates, ...dirs.map((d) => path.join(d, name))]) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

export interface ToolCheck {
  /** The tool's path; throws (failing the test) when it is missing. */
  path(): string;
  /** True when the suite should be skipped: the tool is missing and we are not in CI. */
  skip: boolean;
  missingMessage: string;
}

/**
 * `const promtool = tool('promtool', 'apt-get install prometheus');`
 * `describe.skipIf(promtool.skip)('…', () => { … promtool.path() … })`
 */
export function tool(name: string, install: string, candidates: string[] = []): ToolCheck {
  const found = findTool(name, candidates);
  const missingMessage = `${name} is not installed (${install}); ${IN_CI ? 'CI must have it' : 'skipping the tests that need it'}`;
  if (!found && !IN_CI) process.stderr.write(`[nmaas tests] ${missingMessage}\n`);
  return {
    skip: !found && !IN_CI,
    missingMessage,
    path() {
      if (!found) throw new Error(missingMessage);
      return found;
    },
  };
}

export { isolateTempDir, leftoverTempDirs, makeTempDir, TempDirs, TEMP_DIR_PREFIX, withTempDir } from './temp-dirs.js';
export { freePort } from './free-port.js';
