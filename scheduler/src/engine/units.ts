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

export function demandUnits(amounts: Partial<ResourceAmounts>): [number, number, number] {
  return [
    Math.ceil((amounts.cpu ?? 0) * SCALE[0] - 1e-9),
    Math.ceil((amounts.memory ?? 0) * SCALE[1] - 1e-9),
    Math.ceil((amounts.bandwidth ?? 0) * SCALE[2] - 1e-9),
  ];
}

export function capacityUnits(amounts: ResourceAmounts): [number, number, number] {
  return [
    Math.floor(amounts.cpu * SCALE[0] + 1e-9),
    Math.floor(amounts.memory * SCALE[1] + 1e-9),
    Math.floor(amounts.bandwidth * SCALE[2] + 1e-9),
  ];
}

export function fromUnits(r: number, units: number): number {
  return units / SCALE[r as 0 | 1 | 2];
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
