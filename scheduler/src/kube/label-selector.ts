/**
 * Equality- and existence-based label selectors as the API server reads them from `?labelSelector=`
 * (`app`, `!app`, `app=x`, `app==x`, `app!=x`, comma = AND). Set-based `in (…)` is not needed by
 * the scheduler and is refused rather than misread.
 */
import type { StringMap } from './types.js';

type Requirement = (labels: StringMap) => boolean;

export function parseLabelSelector(selector: string | undefined): (labels: StringMap | undefined) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements: Requirement[] = selector.split(',').map((raw) => {
    const part = raw.trim();
    if (/[()]|\s(in|notin)\s/.test(part)) throw new Error(`set-based label selectors are not supported: ${part}`);
    const ne = part.indexOf('!=');
    if (ne > 0) {
      const [k, v] = [part.slice(0, ne).trim(), part.slice(ne + 2).trim()];
      return (l) => l[k] !== v;
    }
    const eq = part.indexOf('=');
    if (eq > 0) {
      const k = part.slice(0, eq).trim();
      const v = part.slice(part[eq + 1] === '=' ? eq + 2 : eq + 1).trim();
      return (l) => l[k] === v;
    }
    if (part.startsWith('!')) {
      const k = part.slice(1).trim();
      return (l) => !(k in l);
    }
    return (l) => part in l;
  });
  return (labels) => requirements.every((r) => r(labels ?? {}));
}
