import { createHash } from 'node:crypto';

/** `sha256:<hex>` of the bytes: the content address of every OCI blob. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
