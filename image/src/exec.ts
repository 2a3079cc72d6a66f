import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; rejects with its stderr so callers can say what failed. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const detail =
            code === 'ENOENT'
              ? `${file} is not installed`
              : (stderr.trim() || error.message).split('\n').slice(-5).join('\n');
          reject(new Error(`${file} ${args.join(' ')}: ${detail}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}
