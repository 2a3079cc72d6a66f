/**
 * The two failures every command tells apart, and the exit codes they mean (the README's promise):
 * 0 success, 1 the input was read but did not pass, 2 wrong arguments or unreadable input.
 */

/** Wrong arguments, or input that could not be read at all: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Input that was read but did not pass (invalid declaration, findings, refused change): exit code 1. */
export class InputError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

const FILE_SYSTEM_REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder is not empty',
  EADDRINUSE: 'address already in use (stop what listens there, or pass another --port)',
  EADDRNOTAVAIL: 'address not available on this machine',
  // A listen or connect on a name the resolver does not know (`999.1.1.1` is a name to it, not an IP).
  ENOTFOUND: 'no such host name: give an IP address or a name this machine resolves',
};

/** A file-system or socket error from Node, with its code and (when known) the path it concerns. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}

/**
 * Turns Node's `ENOENT: no such file or directory, open '/x'` into `/x: does not exist`; `file`
 * names the path for errors that carry none (a read of a folder: EISDIR).
 */
export function describeSystemError(error: NodeJS.ErrnoException, file?: string): string {
  const reason = FILE_SYSTEM_REASONS[error.code ?? ''];
  const where =
    error.path ?? (error as { address?: string }).address ?? (error as { hostname?: string }).hostname ?? file;
  if (reason === undefined || where === undefined) return error.message;
  const port = (error as { port?: number }).port;
  return `${where}${port === undefined ? '' : `:${port}`}: ${reason}`;
}

/**
 * The exit code an error thrown by a command stands for: 1 for `InputError` and for any error of a
 * package that says `exitCode = 1` of itself (an invalid manifest, a refused chart), else 2.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  if (error instanceof InputError) return 1;
  const declared = error instanceof Error ? (error as { exitCode?: unknown }).exitCode : undefined;
  return declared === 1 ? 1 : 2;
}
