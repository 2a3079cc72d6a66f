/**
 * A fast reader for the plain shape almost every Chart.yaml has (top-level scalars, flow or block
 * lists of scalars, one level of mapping such as `annotations`, lists of small mappings such as
 * `maintainers`), giving exactly what the `yaml` package's failsafe schema gives. Anything else —
 * anchors, tags, block or multi-line scalars, escapes, deeper nesting, tabs — returns null and the
 * caller falls back to the full parser. Parsing Chart.yaml with the full parser took about a
 * third of a 200-chart build; a property test checks this reader against it.
 */
type Value = string | null | Value[] | { [k: string]: Value };

const KEY = /^([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: (.*))?$/;
const INDICATOR_START = /^[\[\]{}#&*!|>'"%@`,]|^[-?:](\s|$)/;

/** What may follow a closed quote or flow list: nothing, or a comment set off by white space. */
const TRAILER = /^(\s+(#.*)?)?$/;

/** A single-line scalar (plain, or quoted without escapes); undefined when not simple. */
function scalar(text: string): string | null | undefined {
  let t = text;
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    if (end === -1 || t.slice(1, end).includes('\\')) return undefined;
    if (!TRAILER.test(t.slice(end + 1))) return undefined;
    return t.slice(1, end);
  }
  if (t.startsWith("'")) {
    let out = '';
    let i = 1;
    for (;;) {
      const q = t.indexOf("'", i);
      if (q === -1) return undefined;
      out += t.slice(i, q);
      if (t[q + 1] === "'") {
        out += "'";
        i = q + 2;
        continue;
      }
      if (!TRAILER.test(t.slice(q + 1))) return undefined;
      return out;
    }
  }
  const hash = t.search(/\s#/);
  if (hash !== -1) t = t.slice(0, hash);
  t = t.trim();
  // The failsafe schema reads an empty value as the empty string.
  if (t === '' || t.startsWith('#')) return '';
  if (INDICATOR_START.test(t) || t.includes(': ') || t.endsWith(':') || t.includes('\t')) return undefined;
  return t;
}

function flowList(text: string): Value[] | undefined {
  let t = text;
  // YAML only reads `#` as a comment after white space: `[a]#b` is an error, not `[a]`.
  const hash = t.search(/\]\s+#/);
  if (hash !== -1) t = t.slice(0, hash + 1);
  t = t.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  const body = t.slice(1, -1);
  if (/[\[\]{}#'"]/.test(body)) return undefined;
  if (body.trim() === '') return [];
  const items: Value[] = [];
  for (const raw of body.split(',')) {
    const item = raw.trim();
    if (item === '' || INDICATOR_START.test(item) || item.includes(':')) return undefined;
    items.push(item);
  }
  return items;
}

function value(text: string | undefined): Value | undefined {
  if (text === undefined) return '';
  const t = text.trim();
  if (t.startsWith('[')) return flowList(t);
  return scalar(t);
}

interface Line {
  indent: number;
  text: string;
}

export function parseChartYamlFast(source: string): Record<string, Value> | null {
  if (source.includes('\t') || source.includes('\r')) return null;
  const lines: Line[] = [];
  for (const raw of source.split('\n')) {
    const text = raw.trimEnd();
    const body = text.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    if (body === '---' && lines.length === 0 && text === body) continue;
    lines.push({ indent: text.length - body.length, text: body });
  }
  const out: Record<string, Value> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.indent !== 0) return null;
    const m = KEY.exec(line.text);
    if (!m || Object.hasOwn(out, m[1]!)) return null;
    const key = m[1]!;
    i++;
    const rest = m[2]?.trim() ?? '';
    if (rest !== '' && !rest.startsWith('#')) {
      const v = value(rest);
      if (v === undefined) return null;
      out[key] = v;
      if (i < lines.length && lines[i]!.indent > 0) return null; // a multi-line scalar
      continue;
    }
    // A block collection (or an empty value) follows.
    const start = i;
    while (i < lines.length && (lines[i]!.indent > 0 || lines[i]!.text.startsWith('- '))) i++;
    const block = lines.slice(start, i);
    if (block.length === 0) {
      out[key] = '';
      continue;
    }
    const v = blockCollection(block);
    if (v === undefined) return null;
    out[key] = v;
  }
  return out;
}

function blockCollection(block: Line[]): Value | undefined {
  const indent = block[0]!.indent;
  if (block[0]!.text.startsWith('- ') || block[0]!.text === '-') return blockList(block, indent);
  const map: Record<string, Value> = {};
  for (const line of block) {
    if (line.indent !== indent) return undefined;
    const m = KEY.exec(line.text);
    if (!m || Object.hasOwn(map, m[1]!)) return undefined;
    const v = value(m[2]);
    if (v === undefined || Array.isArray(v)) return undefined;
    map[m[1]!] = v;
  }
  return map;
}

function blockList(block: Line[], indent: number): Value[] | undefined {
  const items: Value[] = [];
  let i = 0;
  while (i < block.length) {
    const line = block[i]!;
    if (line.indent !== indent || !line.text.startsWith('- ')) return undefined;
    const first = line.text.slice(2).trim();
    const keyed = KEY.exec(first);
    i++;
    if (!keyed) {
      const v = scalar(first);
      if (v === undefined || v === '') return undefined;
      if (i < block.length && block[i]!.indent > indent) return undefined;
      items.push(v);
      continue;
    }
    // A mapping item: `- key: value` then `key: value` lines indented to the first key.
    const item: Record<string, Value> = {};
    const fields = [{ indent: indent + 2, text: first }];
    while (i < block.length && block[i]!.indent > indent) fields.push(block[i++]!);
    for (const field of fields) {
      if (field.indent !== indent + 2) return undefined;
      const m = KEY.exec(field.text);
      if (!m || Object.hasOwn(item, m[1]!)) return undefined;
      const rest = m[2]?.trim() ?? '';
      if (rest === '') return undefined; // nested block under a list item: leave it to the full parser
      const v = value(rest);
      if (v === undefined) return undefined;
      item[m[1]!] = v;
    }
    items.push(item);
  }
  return items;
}
