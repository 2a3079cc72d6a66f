/** Published versions of a chart, from a Helm repository index (a file or an http(s) URL). */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UnreadableInputError } from './errors.js';

export async function publishedVersions(index: string, chartName: string): Promise<string[]> {
  let text: string;
  try {
    if (/^https?:\/\//.test(index)) {
      const url = index.endsWith('.yaml') ? index : `${index.replace(/\/$/, '')}/index.yaml`;
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } else text = await readFile(index, 'utf8');
  } catch (error) {
    throw new UnreadableInputError(`cannot read the catalogue index ${index}: ${(error as Error).message}`);
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
