/**
 * Node selector (and the pool label, its common case): an instance goes only to nodes carrying every
 * label it selects.
 *  - filter: the candidate lists (cluster.ts), cached per selector, before any other rule;
 *  - phases: none;
 *  - refusal: code 'no-node', rule 'selector', with the pools known; its `where` phrase ("pool edge")
 *    opens the other refusals;
 *  - checker: `selectorMismatches`, over the node's labels.
 */
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

/** The definition: the selected labels the node lacks ("k=v"), empty when it matches. */
export function selectorMismatches(labels: Record<string, string>, selector: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k in selector) if (labels[k] !== selector[k]) out.push(`${k}=${selector[k]}`);
  return out;
}

/** The engine's view (hot path): whether the node carries every selected label. */
export function matchesSelector(node: { spec: { labels: Record<string, string> } }, selector: Record<string, string>) {
  const labels = node.spec.labels;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Where an instance may go, as the refusals say it: "node n-1", "pool edge", "the cluster". */
export function describeScope(scope: { node: string | null; selector: Record<string, string> }): string {
  if (scope.node !== null) return `node ${scope.node}`;
  const keys = Object.keys(scope.selector);
  if (keys.length === 0) return 'the cluster';
  if (keys.length === 1 && keys[0] === NODE_POOL_LABEL) return `pool ${scope.selector[NODE_POOL_LABEL]}`;
  return `nodes matching ${keys
    .sort()
    .map((k) => `${k}=${scope.selector[k]}`)
    .join(',')}`;
}

/** The refusal's sentence when no node matches the selector. */
export function describeNoMatch(r: {
  self: string;
  scope: { node: string | null; selector: Record<string, string> };
  pools: string[];
}): string {
  return `no node matches the nodeSelector of ${r.self} (${
    Object.entries(r.scope.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || 'none'
  }${r.scope.node ? `, pinned to ${r.scope.node}` : ''}); known pools: ${r.pools.join(', ') || 'none'}`;
}
