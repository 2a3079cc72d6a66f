/** Published versions of a chart, from a Helm repository index (a file or an http(s) URL). */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UnreadableInputError } from './errors.js';

/** Far above any real repository's index (Artifact Hub's largest are a few MiB); a server may send anything. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** Why a request failed: fetch says only "fetch failed" and keeps the reason (ECONNREFUSED…) in its cause. */
function failureOf(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause === undefined ? message : `${message}: ${cause.code ?? cause.message ?? String(cause)}`;
}

async function boundedText(res: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_INDEX_BYTES) throw new Error(`the index is larger than ${MAX_INDEX_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function publishedVersions(index: string, chartName: string): Promise<string[]> {
  let text: string;
  try {
    if (/^https?:\/\//.test(index)) {
      const url = index.endsWith('.yaml') ? index : `${index.replace(/\/$/, '')}/index.yaml`;
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await boundedText(res);
    } else text = await readFile(index, 'utf8');
  } catch (error) {
    throw new UnreadableInputError(`cannot read the catalogue index ${index}: ${failureOf(error)}`);
  }
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new UnreadableInputError(
      `the catalogue index ${index} does not parse: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const entries = (data as { entries?: Record<string, unknown> } | null)?.entries;
  if (entries === undefined || entries === null || typeof entries !== 'object')
    throw new UnreadableInputError(
      `the catalogue index ${index} has no entries map; give a Helm repository index.yaml`,
    );
  const list = (entries as Record<string, unknown>)[chartName];
  if (!Array.isArray(list)) return [];
  return list.map((e) => (e as { version?: unknown }).version).filter((v): v is string => typeof v === 'string');
}
