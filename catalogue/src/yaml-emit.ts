/**
 * A small, fast YAML emitter for index.yaml and provenance bodies (the `yaml` package's
 * Document model costs ~1 ms per index entry, which dominated large builds). Keys are sorted like
 * Go's encoder; a string is written plain only when every YAML 1.1 and 1.2 reader (go-yaml in
 * Helm, Rancher, the `yaml` package) reads it back as that same string, otherwise as a JSON string
 * literal, which is a valid YAML double-quoted scalar.
 */
const SAFE_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./+-]*( [A-Za-z0-9_./+()-]+)*$/;
// YAML 1.1 resolves these (any case variant) to booleans or null; plain they would change type.
const YAML11_SPECIAL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;

// Exponent-only forms such as `E0` that some readers take for floats.
const NUMBER_LIKE = /^[eE][+-]?\d/;

export function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (SAFE_PLAIN.test(value) && !YAML11_SPECIAL.test(value) && !NUMBER_LIKE.test(value)) return value;
  // JSON leaves U+0085/U+2028/U+2029 raw, but YAML 1.1 folds them as line breaks inside quotes.
  return JSON.stringify(value).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function emit(value: unknown, indent: string, out: string[]): void {
  // Called for a value that starts on its own line(s) at `indent`.
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainObject(item) && Object.keys(item).length > 0) {
        const keys = Object.keys(item).sort();
        keys.forEach((k, i) => emitPair(k, item[k], i === 0 ? `${indent}- ` : `${indent}  `, `${indent}  `, out));
      } else if (Array.isArray(item) && item.length > 0) {
        out.push(`${indent}-`);
        emit(item, `${indent}  `, out);
      } else out.push(`${indent}- ${inline(item)}`);
    }
    return;
  }
  if (isPlainObject(value)) {
    for (const k of Object.keys(value).sort()) emitPair(k, value[k], indent, indent, out);
  }
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isPlainObject(v)) return '{}';
  if (v === undefined) return 'null';
  return scalar(v as string | number | boolean | null);
}

function emitPair(key: string, value: unknown, prefix: string, indent: string, out: string[]): void {
  if (value === undefined) return;
  const k = scalar(key);
  if (Array.isArray(value) && value.length > 0) {
    out.push(`${prefix}${k}:`);
    emit(value, `${indent}  `, out);
  } else if (isPlainObject(value) && Object.keys(value).length > 0) {
    out.push(`${prefix}${k}:`);
    emit(value, `${indent}  `, out);
  } else out.push(`${prefix}${k}: ${inline(value)}`);
}

/** A mapping as block YAML with sorted keys, ending in a newline. */
export function toYamlSorted(value: Record<string, unknown>): string {
  const out: string[] = [];
  emit(value, '', out);
  return `${out.join('\n')}\n`;
}
