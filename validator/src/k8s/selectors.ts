/** Kubernetes label selector semantics (matchLabels + matchExpressions). */
import { arr, rec, str } from './pods.js';

export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = rec(selector);
  if (!s) return false;
  for (const [k, v] of Object.entries(rec(s.matchLabels) ?? {})) if (labels[k] !== v) return false;
  for (const e of arr(s.matchExpressions).map(rec)) {
    const key = str(e?.key) ?? '';
    const values = arr(e?.values).filter((x): x is string => typeof x === 'string');
    switch (str(e?.operator)) {
      case 'In':
        if (!(key in labels) || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (key in labels && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!(key in labels)) return false;
        break;
      case 'DoesNotExist':
        if (key in labels) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's plain `selector` map. */
export function mapSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = rec(selector);
  if (!s || Object.keys(s).length === 0) return false;
  return Object.entries(s).every(([k, v]) => labels[k] === v);
}
