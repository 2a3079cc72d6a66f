/**
 * Reading a file of an app folder (nmaas.yaml, the icon, image.lock.json): what `nmaas chart`
 * copies into a chart must come from the folder itself. A symlink or a path whose real location
 * leaves the folder would pull any file of the machine (/etc/passwd, a key) into a published
 * chart, and a FIFO or device would block the reader forever, so only regular files inside the
 * folder are read, and never more than a bound. The validator refuses the same entries in
 * submissions (NMAAS-ARCHIVE-LINK, NMAAS-ARCHIVE-SPECIAL-FILE).
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { BoundedReadError, fileKind, formatBytes, readBoundedFile } from '../kit/bounded-read.js';
import { describeSystemError } from '../kit/errors.js';

/** Why a file of the app folder was not read. */
export type AppFileProblem = 'missing' | 'refused' | 'too-large' | 'unreadable';

/** A file of the app folder that is refused or could not be read; `message` names it and the fix. */
export class AppFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly problem: AppFileProblem,
    /** The file's size in bytes, when it is too large. */
    readonly size?: number,
  ) {
    super(message);
    this.name = 'AppFileError';
  }
}

const COPY_HINT = 'replace it by a regular file inside the app folder (a copy, not a link)';

/**
 * The absolute path of `<dir>/<rel>` when it is a regular file inside `dir` (not a link, no link
 * on the way out of the folder); throws AppFileError otherwise. Reads nothing.
 */
export async function appFilePath(dir: string, rel: string): Promise<string> {
  const root = path.resolve(dir);
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep))
    throw new AppFileError(file, `${rel} is outside the app folder ${root}; ${COPY_HINT}`, 'refused');
  let st;
  try {
    st = await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppFileError(
      file,
      `cannot read ${describeSystemError(error as NodeJS.ErrnoException, file)}`,
      code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable',
    );
  }
  if (st.isSymbolicLink()) throw new AppFileError(file, `${file} is a symbolic link; ${COPY_HINT}`, 'refused');
  if (!st.isFile())
    throw new AppFileError(file, `${file} is ${fileKind(st)}, not a regular file; ${COPY_HINT}`, 'refused');
  // A folder on the way (assets/ -> /somewhere) is a link that lstat of the file itself does not see.
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  if (!realFile.startsWith(realRoot + path.sep))
    throw new AppFileError(
      file,
      `${file} lies outside the app folder (it is really ${realFile}); ${COPY_HINT}`,
      'refused',
    );
  return file;
}

/**
 * Reads `<dir>/<rel>` when `appFilePath` accepts it and it holds at most `maxBytes` bytes; throws
 * AppFileError otherwise. A larger file is refused before any of it is read.
 */
export async function readAppFile(dir: string, rel: string, maxBytes: number): Promise<Buffer> {
  const file = await appFilePath(dir, rel);
  try {
    // O_NOFOLLOW: a file swapped for a link since the check is refused, not followed.
    return await readBoundedFile(file, maxBytes, { noFollow: true });
  } catch (error) {
    if (error instanceof BoundedReadError) {
      if (error.problem === 'too-large') throw tooLarge(file, error.size!, maxBytes);
      if (error.problem === 'not-regular') throw new AppFileError(file, `${error.message}; ${COPY_HINT}`, 'refused');
      throw new AppFileError(file, error.message, 'unreadable');
    }
    throw new AppFileError(
      file,
      `cannot read ${describeSystemError(error as NodeJS.ErrnoException, file)}`,
      'unreadable',
    );
  }
}

function tooLarge(file: string, size: number, maxBytes: number): AppFileError {
  return new AppFileError(
    file,
    `${file} is ${size} bytes, more than the ${formatBytes(maxBytes)} nmaas reads; make it smaller`,
    'too-large',
    size,
  );
}
