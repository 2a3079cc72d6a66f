/**
 * Pin: an instance pinned to a node (the user's nodeName or hostname selector) goes there or nowhere.
 *  - filter: the candidate lists (cluster.ts) hold the pinned node only;
 *  - phases: none;
 *  - refusal: code 'no-node', rule 'pin', when the node is not a measurement node;
 *  - checker: `pinnedElsewhere`.
 */
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

/** The definition: whether placing the instance on `node` breaks its pin. */
export function pinnedElsewhere(spec: { node: string | null }, node: string): boolean {
  return spec.node !== null && spec.node !== node;
}

/** The refusal's sentence when the pinned node is unknown or not a measurement node. */
export function describeUnknownPin(r: { self: string; node: string | null }): string {
  return `${r.self} is pinned to node ${r.node}, which is not a measurement node (no ${NODE_POOL_LABEL} label or unknown); pin it to a pooled node`;
}
