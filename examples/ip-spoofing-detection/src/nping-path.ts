/** Where nping is: NMAAS_NPING, else the PATH (the image installs Debian's nmap package). */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export function findNping(): string {
  const candidates = [
    process.env.NMAAS_NPING,
    ...(process.env.PATH ?? '/usr/bin').split(path.delimiter).map((d) => path.join(d, 'nping')),
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  throw new Error('nping is not installed (Debian package nmap); the sender role needs it to forge source addresses');
}
