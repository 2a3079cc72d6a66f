/** Reading chart files for the chart rules: parsing is pure, so rules may call these. */
import { parse } from 'yaml';

export function text(files: Map<string, Buffer>, name: string): string | undefined {
  const data = files.get(name);
  // A UTF-8 BOM is trimmed, as Helm's loader does.
  return data === undefined ? undefined : data.toString('utf8').replace(/^\uFEFF/, '');
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string } | undefined;

/** Each chart's files parsed once, however many rules read them (rules never change what they read). */
const parsedFiles = new WeakMap<Map<string, Buffer>, Map<string, Parsed>>();

/** Parsed YAML, or an error message. */
export function yamlOf(files: Map<string, Buffer>, name: string): Parsed {
  let parsed = parsedFiles.get(files);
  if (parsed === undefined) parsedFiles.set(files, (parsed = new Map()));
  if (!parsed.has(name)) parsed.set(name, parseFile(files, name));
  return parsed.get(name);
}

function parseFile(files: Map<string, Buffer>, name: string): Parsed {
  const t = text(files, name);
  if (t === undefined) return undefined;
  try {
    return { ok: true, value: parse(t, { maxAliasCount: 100 }) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0]! };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Chart.yaml as a record, or undefined when missing or unparseable. */
export function chartYaml(files: Map<string, Buffer>): Record<string, unknown> | undefined {
  const y = yamlOf(files, 'Chart.yaml');
  return y?.ok && isRecord(y.value) ? y.value : undefined;
}

/** 1-based line of the first line matching `re` in a file, for locations. */
export function lineOf(files: Map<string, Buffer>, name: string, re: RegExp): number | undefined {
  const t = text(files, name);
  if (t === undefined) return undefined;
  const i = t.split('\n').findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

/**
 * The line of template `name` that wrote a rendered line: the template line with the same text
 * nearest to the rendered line number (templates lose lines to their actions, rarely gain), else
 * the nearest line writing the same key (`privileged: {{ … }}` for `privileged: true`).
 */
export function templateLine(
  files: Map<string, Buffer>,
  name: string,
  renderedLine: number,
  renderedText: string,
): number | undefined {
  const t = text(files, name);
  const wanted = renderedText.trim();
  if (t === undefined || wanted === '') return undefined;
  const lines = t.split('\n');
  const nearest = (match: (line: string) => boolean): number | undefined => {
    let best: number | undefined;
    lines.forEach((l, i) => {
      if (match(l) && (best === undefined || Math.abs(i + 1 - renderedLine) < Math.abs(best - renderedLine)))
        best = i + 1;
    });
    return best;
  };
  const same = nearest((l) => l.trim() === wanted);
  if (same !== undefined) return same;
  const key = /^(-\s+)?([^\s:#{}"'][^:#{}]*?):(\s|$)/.exec(wanted)?.[2];
  if (key === undefined) return undefined;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return nearest((l) => new RegExp(`^\\s*(-\\s+)?${escaped}:(\\s|$)`).test(l));
}
