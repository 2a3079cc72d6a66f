/**
 * Reads a chart .tgz as a stream, never writing it to disk: our own gunzip counts bytes in and
 * out (so a bomb is stopped after a few MiB, not after 10 GiB), and node-tar's Parser reads the
 * headers. Regular files up to the per-file limit are kept in memory for the chart rules; every
 * other entry is only recorded, for the archive rules to judge.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { ArchiveScan, EntryType, ScannedEntry } from '../types.js';
import {
  MAX_COMPRESSION_RATIO,
  MAX_ENTRIES,
  MAX_FILE_BYTES,
  MAX_META_ENTRY_BYTES,
  MAX_TOTAL_BYTES,
  MIN_RATIO_BYTES,
} from '../limits.js';
import { UnreadableInputError } from './errors.js';

export interface ArchiveContents {
  scan: ArchiveScan;
  /** Regular files within the limits, by their path in the archive. */
  files: Map<string, Buffer>;
}

export interface ScanLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
  maxRatio: number;
  minRatioBytes: number;
}

/** Tar warnings kept in full for the report; a corrupt archive can produce one per 512-byte block. */
const MAX_LISTED_WARNINGS = 20;

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: MAX_FILE_BYTES,
  maxTotalBytes: MAX_TOTAL_BYTES,
  maxEntries: MAX_ENTRIES,
  maxRatio: MAX_COMPRESSION_RATIO,
  minRatioBytes: MIN_RATIO_BYTES,
};

function entryType(type: string): EntryType {
  switch (type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
    case 'GNUDumpDir':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    case 'CharacterDevice':
      return 'character-device';
    case 'BlockDevice':
      return 'block-device';
    case 'FIFO':
      return 'fifo';
    default:
      return 'other';
  }
}

class StopScan extends Error {}

/** The chart name a `<name>-<version>.tgz` file name implies (Helm's package naming). */
export function chartNameFromArchiveName(fileName: string): string | undefined {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(tgz|tar\.gz)$/i, '');
  const m = /^(.+?)-(\d+\.\d+\.\d+.*)$/.exec(base);
  return m?.[1];
}

export async function scanArchive(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<ArchiveContents> {
  // Helm's EnsureArchive: a chart archive is gzip (1F 8B 08); anything else is not a chart.
  const magic = Buffer.alloc(3);
  try {
    const fh = await open(file, 'r');
    try {
      await fh.read(magic, 0, 3, 0);
    } finally {
      await fh.close();
    }
  } catch (error) {
    throw new UnreadableInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b || magic[2] !== 0x08) {
    throw new UnreadableInputError(
      `${file} is not a gzip-compressed chart archive; package the chart with \`helm package\``,
    );
  }

  const scan: ArchiveScan = {
    source: 'archive',
    entries: [],
    compressedBytes: 0,
    decompressedBytes: 0,
    oversized: [],
    malformed: [],
    ...(chartNameFromArchiveName(file) !== undefined ? { expectedTopLevel: chartNameFromArchiveName(file) } : {}),
  };
  const files = new Map<string, Buffer>();
  let keptBytes = 0;
  const warnings: string[] = [];
  const parser = new Parser({ strict: false, maxMetaEntrySize: MAX_META_ENTRY_BYTES });
  let stop: ArchiveScan['stoppedAt'];
  const halt = (limit: NonNullable<ArchiveScan['stoppedAt']>['limit']) => {
    stop ??= { limit, afterBytes: scan.decompressedBytes, afterEntries: scan.entries.length };
  };

  const record = (entry: ReadEntry, ignored: boolean) => {
    const scanned: ScannedEntry = {
      path: entry.path,
      type: ignored ? 'other' : entryType(entry.type),
      size: entry.size,
    };
    if (entry.linkpath) scanned.linkpath = entry.linkpath;
    scan.entries.push(scanned);
    if (scan.entries.length > limits.maxEntries) halt('entries');
    return scanned;
  };
  parser.on('entry', (entry: ReadEntry) => {
    const scanned = record(entry, false);
    // Header sizes can lie: the budget is checked on the declared size and again on the bytes read.
    if (scanned.type !== 'file' || entry.size > limits.maxFileBytes || keptBytes + entry.size > limits.maxTotalBytes) {
      if (scanned.type === 'file' && entry.size > limits.maxFileBytes) scan.oversized.push(entry.path);
      entry.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let got = 0;
    entry.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got <= limits.maxFileBytes) chunks.push(chunk);
    });
    entry.on('end', () => {
      if (got !== entry.size)
        scan.malformed.push(`${entry.path}: the header declares ${entry.size} bytes but the archive holds ${got}`);
      else if (got <= limits.maxFileBytes) {
        files.set(entry.path, Buffer.concat(chunks));
        keptBytes += got;
      }
    });
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (!entry.meta) record(entry, entry.type !== 'Directory' && entryType(entry.type) === 'other');
  });
  // Random bytes make node-tar warn about every block: keep the first few, count the rest.
  let unlisted = 0;
  parser.on('warn', (code: string, message: string | Error) => {
    const text = `${code}: ${message instanceof Error ? message.message : message}`;
    if (warnings.length >= MAX_LISTED_WARNINGS) {
      unlisted += 1;
      return;
    }
    warnings.push(text);
    // Helm rejects short reads (lying headers); node-tar reports them, bad checksums and truncation as warnings.
    if (code !== 'TAR_ENTRY_INFO') scan.malformed.push(text);
  });

  const parsed = new Promise<void>((resolve) => parser.once('end', () => resolve()));
  const source = createReadStream(file, { highWaterMark: 16 * 1024 });
  source.on('data', (chunk) => {
    scan.compressedBytes += chunk.length;
  });
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      scan.decompressedBytes += chunk.length;
      if (scan.decompressedBytes > limits.maxTotalBytes) halt('total-size');
      else if (
        scan.decompressedBytes >= limits.minRatioBytes &&
        scan.decompressedBytes / Math.max(1, scan.compressedBytes) > limits.maxRatio
      )
        halt('ratio');
      if (stop) throw new StopScan();
      if (!parser.write(chunk)) await once(parser, 'drain');
      if (stop) throw new StopScan();
    }
    parser.end();
    await parsed;
  } catch (error) {
    if (!(error instanceof StopScan)) {
      throw new UnreadableInputError(`${file} is not a readable gzip archive: ${(error as Error).message}`);
    }
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (unlisted > 0) scan.malformed.push(`and ${unlisted} more tar warnings`);
  if (stop) {
    scan.stoppedAt = stop;
  } else if (scan.entries.length === 0) {
    const distinct = [...new Set(warnings)];
    const listed = distinct.slice(0, 3).join('; ');
    const more = warnings.length - Math.min(3, distinct.length) + unlisted;
    const why = listed === '' ? '' : ` (${listed}${more > 0 ? `; and ${more} more tar warnings` : ''})`;
    throw new UnreadableInputError(`${file} holds no tar entries${why}; package the chart with \`helm package\``);
  }
  return { scan, files };
}
