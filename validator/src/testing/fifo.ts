/** Test helper: make a FIFO with mkfifo(1) (Node has no API for it). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function mkfifo(file: string): Promise<void> {
  await promisify(execFile)('mkfifo', [file]);
}
