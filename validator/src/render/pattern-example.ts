/**
 * Example strings for a JSON Schema `pattern` (an ECMA-262 regular expression), so that a string
 * field can be rendered at a value other than its default that the schema still accepts. The
 * generator reads the common subset of regular expressions (literals, classes, escapes, groups,
 * alternation, quantifiers, anchors); lookarounds and back-references give no example. It is
 * bounded: the pattern's length, the candidates tried and each candidate's length are capped, and
 * candidates are checked by a polynomial matcher, never by a backtracking one.
 */

type Node =
  | { t: 'chars'; set: string[] }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number };

/** Patterns longer than this give no example (a form's patterns are short). */
const MAX_PATTERN = 1000;
/** No example is longer than this (a sha256 digest with its prefix fits). */
const MAX_EXAMPLE = 256;
/** Repetitions beyond the minimum that a candidate uses at most. */
const EXTRA_REPEAT = 2;

class Unsupported extends Error {}

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let c = from.codePointAt(0)!; c <= to.codePointAt(0)! && out.length < 128; c++)
    out.push(String.fromCodePoint(c));
  return out;
};
const DIGITS = range('0', '9');
const WORD = [...range('a', 'z'), ...range('A', 'Z'), ...DIGITS, '_'];
const SPACE = [' '];
/** Printable ASCII: what `.` and negated classes choose from. */
const PRINTABLE = range(' ', '~');

function escapeSet(c: string): string[] | undefined {
  switch (c) {
    case 'd':
      return DIGITS;
    case 'w':
      return WORD;
    case 's':
      return SPACE;
    case 'D':
      return PRINTABLE.filter((x) => !DIGITS.includes(x));
    case 'W':
      return PRINTABLE.filter((x) => !WORD.includes(x));
    case 'S':
      return PRINTABLE.filter((x) => x !== ' ');
    case 'n':
      return ['\n'];
    case 't':
      return ['\t'];
    default:
      return undefined;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new Unsupported(`unexpected ${this.src[this.i]}`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      if (atom) items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.i));
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy: the same strings match
    return { t: 'repeat', node, min, max };
  }

  private atom(): Node | undefined {
    const c = this.src[this.i++]!;
    if (c === '^' || c === '$') return undefined;
    if (c === '.') return { t: 'chars', set: PRINTABLE.filter((x) => x !== '\n') };
    if (c === '[') return this.charClass();
    if (c === '(') {
      if (this.src[this.i] === '?') {
        if (this.src[this.i + 1] === ':') this.i += 2;
        else if (this.src[this.i + 1] === '<' && /^<[A-Za-z]/.test(this.src.slice(this.i + 1)))
          this.i = this.src.indexOf('>', this.i) + 1;
        else throw new Unsupported('lookaround');
      }
      const inner = this.alternation();
      if (this.src[this.i++] !== ')') throw new Unsupported('unclosed group');
      return inner;
    }
    if (c === '\\') {
      const e = this.src[this.i++];
      if (e === undefined) throw new Unsupported('trailing backslash');
      if (/[1-9kbB]/.test(e)) throw new Unsupported('back-reference or word boundary');
      if (e === 'u' || e === 'x') {
        const m = (e === 'u' ? /^[0-9a-fA-F]{4}/ : /^[0-9a-fA-F]{2}/).exec(this.src.slice(this.i));
        if (!m) throw new Unsupported('escape');
        this.i += m[0].length;
        return { t: 'chars', set: [String.fromCharCode(parseInt(m[0], 16))] };
      }
      return { t: 'chars', set: escapeSet(e) ?? [e] };
    }
    return { t: 'chars', set: [c] };
  }

  private charClass(): Node {
    let negated = false;
    if (this.src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const set: string[] = [];
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== ']' || first)) {
      first = false;
      let c = this.src[this.i++]!;
      let members: string[];
      if (c === '\\') {
        const e = this.src[this.i++]!;
        members = escapeSet(e) ?? [e];
        c = members.length === 1 ? members[0]! : '';
      } else members = [c];
      if (c !== '' && this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        let to = this.src[this.i + 1]!;
        this.i += 2;
        if (to === '\\') to = this.src[this.i++]!;
        members = range(c, to);
      }
      set.push(...members);
    }
    if (this.src[this.i++] !== ']') throw new Unsupported('unclosed class');
    const chosen = negated ? PRINTABLE.filter((x) => !set.includes(x)) : set;
    if (chosen.length === 0) throw new Unsupported('empty class');
    return { t: 'chars', set: chosen };
  }
}

/** The `variant`-th string of the pattern: each choice point turns with the variant, so variants differ. */
function generate(node: Node, variant: number, out: string[], budget: { left: number }): void {
  if (--budget.left < 0 || out.length > MAX_EXAMPLE) throw new Unsupported('too long');
  switch (node.t) {
    case 'chars':
      // The second member first: a zero or an `a` is the value a template most often refuses or special-cases.
      out.push(node.set[(variant + 1) % node.set.length]!);
      return;
    case 'seq':
      for (const item of node.items) generate(item, variant, out, budget);
      return;
    case 'alt':
      generate(node.options[variant % node.options.length]!, Math.floor(variant / node.options.length), out, budget);
      return;
    case 'repeat': {
      const extra = Math.min(node.max - node.min, variant % (EXTRA_REPEAT + 1));
      for (let k = 0; k < node.min + extra; k++) generate(node.node, variant + k, out, budget);
      return;
    }
  }
}

export interface StringLimits {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}

/** Candidates tried for one field, at most. */
const MAX_CANDIDATES = 24;

/** The next character of the same kind (digit, lower or upper case letter), or undefined. */
function nextOfKind(c: string): string | undefined {
  for (const [from, to] of [
    ['0', '9'],
    ['a', 'z'],
    ['A', 'Z'],
  ] as const)
    if (c >= from && c <= to) return c === to ? from : String.fromCharCode(c.charCodeAt(0) + 1);
  return undefined;
}

/**
 * The default with one character changed (from the end: `30s` becomes `31s`), when the pattern
 * and lengths accept it: a value a form user might type, which a template's own range checks
 * (a minimum duration, say) accept as readily as the default.
 */
function nearDefault(limits: StringLimits, current: unknown): string | undefined {
  if (typeof current !== 'string' || current === '' || current.length > MAX_EXAMPLE) return undefined;
  const chars = [...current];
  for (let i = chars.length - 1; i >= 0; i--) {
    const next = nextOfKind(chars[i]!);
    if (next === undefined) continue;
    const s = [...chars.slice(0, i), next, ...chars.slice(i + 1)].join('');
    const lengthOk =
      (limits.minLength === undefined || chars.length >= limits.minLength) &&
      (limits.maxLength === undefined || chars.length <= limits.maxLength);
    if (lengthOk && (limits.pattern === undefined || matchesPattern(limits.pattern, s))) return s;
  }
  return undefined;
}

/**
 * A string the schema accepts (pattern and lengths) other than `avoid`: the default changed by one
 * character where that fits, else one generated from the pattern; undefined when the generator
 * finds none (an unsupported or contradictory pattern).
 */
export function patternExample(limits: StringLimits, avoid: unknown): string | undefined {
  const near = nearDefault(limits, avoid);
  if (near !== undefined) return near;
  const { pattern } = limits;
  const min = limits.minLength ?? 0;
  const max = Math.min(limits.maxLength ?? MAX_EXAMPLE, MAX_EXAMPLE);
  const fits = (s: string) => [...s].length >= min && [...s].length <= max && s !== avoid;
  if (pattern === undefined) {
    for (const c of ['x', 'y']) {
      const s = c.repeat(Math.max(min, 1));
      if (fits(s)) return s;
    }
    return undefined;
  }
  if (pattern.length > MAX_PATTERN) return undefined;
  let tree: Node;
  try {
    tree = new Parser(pattern).parse();
  } catch {
    return undefined;
  }
  for (let variant = 0; variant < MAX_CANDIDATES; variant++) {
    const out: string[] = [];
    try {
      generate(tree, variant, out, { left: 10_000 });
    } catch {
      continue;
    }
    const s = out.join('');
    if (fits(s) && matchesPattern(pattern, s)) return s;
  }
  return undefined;
}

/** The positions where `node` can end when it starts at `pos` in `s` (memoised: polynomial, never backtracking). */
function ends(node: Node, s: string[], pos: number, memo: Map<Node, Map<number, Set<number>>>): Set<number> {
  let byPos = memo.get(node);
  if (byPos === undefined) memo.set(node, (byPos = new Map()));
  const known = byPos.get(pos);
  if (known !== undefined) return known;
  const out = new Set<number>();
  byPos.set(pos, out);
  const step = (from: Set<number>, n: Node) => {
    const next = new Set<number>();
    for (const p of from) for (const e of ends(n, s, p, memo)) next.add(e);
    return next;
  };
  switch (node.t) {
    case 'chars':
      if (pos < s.length && node.set.includes(s[pos]!)) out.add(pos + 1);
      break;
    case 'seq': {
      let cur = new Set([pos]);
      for (const item of node.items) cur = step(cur, item);
      for (const e of cur) out.add(e);
      break;
    }
    case 'alt':
      for (const o of node.options) for (const e of ends(o, s, pos, memo)) out.add(e);
      break;
    case 'repeat': {
      let cur = new Set([pos]);
      for (let k = 0; k < node.min && cur.size > 0; k++) cur = step(cur, node.node);
      for (const e of cur) out.add(e);
      // Beyond the minimum only new positions matter: at most one round per position of the string.
      for (let k = node.min; k < node.max && cur.size > 0; k++) {
        cur = new Set([...step(cur, node.node)].filter((e) => !out.has(e)));
        for (const e of cur) out.add(e);
      }
      break;
    }
  }
  return out;
}

/**
 * Whether `value` matches `pattern` (search semantics, as JSON Schema's `pattern`), decided on the
 * generator's reading of the pattern in polynomial time, so a hostile pattern cannot backtrack
 * catastrophically. Anchors count only at the very start and end; a pattern with others, or one
 * the generator cannot read, matches nothing (its field is then not explored).
 */
export function matchesPattern(pattern: string, value: string): boolean {
  if (pattern.length > MAX_PATTERN || value.length > MAX_EXAMPLE) return false;
  const start = pattern.startsWith('^');
  const end = /(^|[^\\])\$$/.test(pattern);
  const inner = pattern.slice(start ? 1 : 0, end ? -1 : undefined);
  if (/(^|[^\\])[\^$]/.test(inner.replace(/\[[^\]]*\]/g, ''))) return false;
  let tree: Node;
  try {
    tree = new Parser(inner).parse();
  } catch {
    return false;
  }
  const chars = [...value];
  const memo = new Map<Node, Map<number, Set<number>>>();
  for (let from = 0; from <= (start ? 0 : chars.length); from++) {
    const e = ends(tree, chars, from, memo);
    if (end ? e.has(chars.length) : e.size > 0) return true;
  }
  return false;
}

/** Strings for the `format`s JSON Schema defines, each a valid instance. */
export const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  email: 'user@example.org',
  'idn-email': 'user@example.org',
  hostname: 'example.org',
  'idn-hostname': 'example.org',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.org/',
  'uri-reference': 'https://example.org/',
  iri: 'https://example.org/',
  'iri-reference': 'https://example.org/',
  date: '2024-01-01',
  'date-time': '2024-01-01T00:00:00Z',
  time: '00:00:00Z',
  duration: 'P1D',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
};
