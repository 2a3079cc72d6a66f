/**
 * Resources as the engine stores them: whole integers, so that booking then releasing an instance gives
 * back exactly the same numbers (floating-point sums are not reversible). Demands round UP and capacities
 * round DOWN, so whatever the engine accepts also holds when recomputed in exact arithmetic.
 */
import type { ResourceAmounts } from '@nmaas/sdk/model';

export const RESOURCES = ['cpu', 'memory', 'bandwidth'] as const;
export type ResourceName = (typeof RESOURCES)[number];

/** Units per engine integer: 1 millicore, 1 MiB, 1 kbps (bandwidth is given in Mbps). */
const SCALE = [1, 1, 1000] as const;

/**
 * The most the engine counts of one resource on one node: slots are 32-bit integers, so a sum above
 * this would wrap negative and look free. Capacities above it are counted as this much (a node is
 * never thought to have more than it has); a demand above it is refused before it is booked. That is
 * 2,147 Gbps, 2,147,483 cores or 2 PiB per node.
 */
export const MAX_UNITS = 2 ** 31 - 1;

export function demandUnits(amounts: Partial<ResourceAmounts>): [number, number, number] {
  return [
    Math.ceil((amounts.cpu ?? 0) * SCALE[0] - 1e-9),
    Math.ceil((amounts.memory ?? 0) * SCALE[1] - 1e-9),
    Math.ceil((amounts.bandwidth ?? 0) * SCALE[2] - 1e-9),
  ];
}

export function capacityUnits(amounts: ResourceAmounts): [number, number, number] {
  return [
    Math.min(MAX_UNITS, Math.floor(amounts.cpu * SCALE[0] + 1e-9)),
    Math.min(MAX_UNITS, Math.floor(amounts.memory * SCALE[1] + 1e-9)),
    Math.min(MAX_UNITS, Math.floor(amounts.bandwidth * SCALE[2] + 1e-9)),
  ];
}

/** The first demand the engine cannot count (see MAX_UNITS), as a sentence; null when all fit in 32 bits. */
export function demandBeyondLimit(what: string, amounts: Partial<ResourceAmounts>): string | null {
  const units = demandUnits(amounts);
  for (let r = 0; r < RESOURCES.length; r++) {
    if (!(units[r]! <= MAX_UNITS))
      return `${what}.${RESOURCES[r]} ${formatValue(r, amounts[RESOURCES[r]!] ?? 0)} is more than one node can hold (at most ${formatValue(r, Math.floor(fromUnits(r, MAX_UNITS)))})`;
  }
  return null;
}

export function fromUnits(r: number, units: number): number {
  return units / SCALE[r as 0 | 1 | 2];
}

/** An amount in engine units as data: the resource's name and the amount in the input units. */
export function toAmount(r: number, units: number): { resource: ResourceName; amount: number } {
  return { resource: RESOURCES[r as 0 | 1 | 2], amount: fromUnits(r, units) };
}

/** An amount in engine units, as a person reads it: "250m cpu", "128 MiB", "20 Mbps". */
export function formatAmount(r: number, units: number): string {
  return formatValue(r, fromUnits(r, units));
}

/** An amount in the input units (millicores, MiB, Mbps), as a person reads it. */
export function formatValue(r: number, value: number): string {
  if (r === 0) return value % 1000 === 0 && value > 0 ? `${value / 1000} cpu` : `${Math.round(value)}m cpu`;
  if (r === 1)
    return value >= 1024 && value % 1024 === 0 ? `${value / 1024} GiB` : `${Math.round(value * 10) / 10} MiB`;
  return value >= 1000 && value % 1000 === 0 ? `${value / 1000} Gbps` : `${Math.round(value * 1000) / 1000} Mbps`;
}
