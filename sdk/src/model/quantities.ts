/**
 * Human quantities used in nmaas.yaml and in the scheduling contract, parsed to the
 * canonical units the scheduler computes with: seconds, millicores, MiB and Mbps.
 * Each parser returns `null` on malformed input so callers can word their own error.
 */

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** `30s`, `5m`, `1h30m`, `250ms` → seconds. */
export function parseDuration(text: string): number | null {
  if (typeof text !== 'string' || !DURATION_RE.test(text)) return null;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART_RE)) {
    total += Number(match[1]) * (DURATION_UNITS[match[2]!] ?? NaN);
  }
  return Number.isFinite(total) ? Math.round(total * 1000) / 1000 : null;
}

/** Seconds → the shortest exact form (`300` → `5m`, `5400` → `1h30m`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`not a duration: ${seconds}`);
  if (seconds === 0) return '0s';
  if (!Number.isInteger(seconds)) return `${Math.round(seconds * 1000)}ms`;
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const CPU_RE = /^(\d+(?:\.\d+)?)(m?)$/;

/** Kubernetes CPU quantity (`250m`, `0.5`, `2`) → millicores. */
export function parseCpu(text: string | number): number | null {
  const s = String(text);
  const match = CPU_RE.exec(s);
  if (!match) return null;
  const value = Number(match[1]);
  const milli = match[2] === 'm' ? value : value * 1000;
  return Number.isFinite(milli) ? Math.round(milli) : null;
}

export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

const MEMORY_UNITS: Record<string, number> = {
  Ki: 1 / 1024,
  Mi: 1,
  Gi: 1024,
  Ti: 1024 * 1024,
  k: 1000 / (1024 * 1024),
  M: 1e6 / (1024 * 1024),
  G: 1e9 / (1024 * 1024),
  T: 1e12 / (1024 * 1024),
};
const MEMORY_RE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)$/;

/** Kubernetes memory quantity (`128Mi`, `1Gi`, `500M`) → MiB (rounded up). */
export function parseMemory(text: string): number | null {
  const match = MEMORY_RE.exec(String(text));
  if (!match) return null;
  const mib = Number(match[1]) * MEMORY_UNITS[match[2]!]!;
  return Number.isFinite(mib) ? Math.max(0, Math.ceil(mib - 1e-9)) : null;
}

export function formatMemory(mib: number): string {
  return mib % 1024 === 0 && mib > 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

const BANDWIDTH_UNITS: Record<string, number> = { kbps: 0.001, Mbps: 1, Gbps: 1000 };
const BANDWIDTH_RE = /^(\d+(?:\.\d+)?)(kbps|Mbps|Gbps)$/;

/** Bandwidth (`500kbps`, `20Mbps`, `1Gbps`) → Mbps (rounded up to a whole Mbps). */
export function parseBandwidth(text: string): number | null {
  const match = BANDWIDTH_RE.exec(String(text));
  if (!match) return null;
  const mbps = Number(match[1]) * BANDWIDTH_UNITS[match[2]!]!;
  return Number.isFinite(mbps) ? Math.max(0, Math.ceil(mbps - 1e-9)) : null;
}

export function formatBandwidth(mbps: number): string {
  return mbps % 1000 === 0 && mbps > 0 ? `${mbps / 1000}Gbps` : `${mbps}Mbps`;
}
