/**
 * Refusals in words a person acts on. Pure: the sentence depends on the refusal alone, and on `nameOf`,
 * which turns a booking id into the caller's name for it (the simulator keeps ids, the webhook shows
 * pod names and "this pod").
 */
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import type { Amount, Refusal, RefusalBase, TooSmall } from './types.js';
import { formatPeriod, formatSlot } from './time.js';
import { formatValue, RESOURCES } from './units.js';

export type NameOf = (bookingId: string) => string;

function list(items: string[], max = 3): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  const text = shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : text;
}

function show(a: Amount): string {
  return formatValue(RESOURCES.indexOf(a.resource), a.amount);
}

function where(scope: RefusalBase['scope']): string {
  if (scope.node !== null) return `node ${scope.node}`;
  const keys = Object.keys(scope.selector);
  if (keys.length === 0) return 'the cluster';
  if (keys.length === 1 && keys[0] === NODE_POOL_LABEL) return `pool ${scope.selector[NODE_POOL_LABEL]}`;
  return `nodes matching ${keys
    .sort()
    .map((k) => `${k}=${scope.selector[k]}`)
    .join(',')}`;
}

/** "; of 5,000 nodes, 4,999 are excluded by spread group g, …": empty when no rule excludes any node. */
function breakdown(r: RefusalBase): string {
  const parts: string[] = [];
  if (r.counts.affinity > 0) parts.push(`${r.counts.affinity} lack ${list(r.affinity)} (affinity)`);
  if (r.counts['anti-affinity'] > 0)
    parts.push(`${r.counts['anti-affinity']} host an app it must not share a node with (anti-affinity)`);
  if (r.counts.spread > 0) parts.push(`${r.counts.spread} already host spread group ${r.spreadGroup}`);
  return parts.length === 0 ? '' : `; of ${r.candidates} node(s) matching its selector, ${list(parts)}`;
}

function smallText(tooSmall: TooSmall[]): string[] {
  return tooSmall.map((s) => `${s.nodes} offer${s.nodes === 1 ? 's' : ''} less than ${show(s)} in all`);
}

/** The refusal as one sentence (the reason the simulator, the CLI and the webhook print). */
export function describeRefusal(r: Refusal, nameOf: NameOf = (id) => id): string {
  const self = nameOf(r.id);
  const w = where(r.scope);
  const excluded = breakdown(r);
  switch (r.code) {
    case 'invalid':
      return r.problem;
    case 'no-node':
      if (r.rule === 'pin')
        return `${self} is pinned to node ${r.scope.node}, which is not a measurement node (no ${NODE_POOL_LABEL} label or unknown); pin it to a pooled node`;
      return `no node matches the nodeSelector of ${self} (${
        Object.entries(r.scope.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || 'none'
      }${r.scope.node ? `, pinned to ${r.scope.node}` : ''}); known pools: ${r.pools.join(', ') || 'none'}`;
    case 'affinity': {
      const many = r.culprits.length > 1;
      const fix =
        r.hosting === 0
          ? `place ${many ? 'those apps' : r.culprits[0]} first`
          : `the ${r.hosting} node(s) hosting ${many ? 'them' : 'it'} are excluded by other rules`;
      return `${r.hosting === 0 ? 'no node' : `only ${r.hosting} of ${r.candidates} nodes`} in ${w} already host${r.hosting <= 1 ? 's' : ''} ${list(r.culprits)}, which ${self} must share a node with (affinity); ${fix}${excluded}`;
    }
    case 'anti-affinity':
      return `every node in ${w} that could take ${self} hosts an app it must not share a node with (anti-affinity${r.antiAffinity.length ? ` with ${list(r.antiAffinity)}` : ''}, or an app refusing ${r.app}); e.g. ${r.closest.node} (${list(r.culprits.map(nameOf))})${excluded}`;
    case 'spread':
      return `every node in ${w} already hosts an instance of spread group ${r.spreadGroup} (one per node); add a node to ${w} or drop spread${excluded}`;
    case 'capacity':
      return capacityText(r, self, w, nameOf) + excluded;
  }
}

function capacityText(r: Extract<Refusal, { code: 'capacity' }>, self: string, w: string, nameOf: NameOf): string {
  if (r.kind === 'reservation') {
    const how =
      r.strategy === 'ffd' ? 'ffd reserves the run load for the whole horizon' : 'kube requests only the idle load';
    return `no node in ${w} has ${list(r.need.map(show))} unreserved for ${self} (${how}); closest: ${r.closest.node}, ${list(r.closest.left.map(show))} left`;
  }
  if (r.kind === 'size')
    return `no node in ${w} offers what one run of ${self} needs: of ${r.open} node(s), ${list(smallText(r.tooSmall))}; the largest offers ${list(r.largest.map(show))}`;
  const small =
    r.tooSmall.length > 0
      ? `; ${r.tooSmallNodes} of ${r.open} open node(s) are too small in all (${list(smallText(r.tooSmall))})`
      : '';
  if (r.kind === 'idle')
    return `no node in ${w} has ${show(r.need)} free at all times for ${self}'s idle reservation; closest: ${r.closest.node}, ${show(r.closest.free)} free at its busiest slot (${r.closest.instances} instances booked)${small}`;
  const win = r.window;
  const every = formatPeriod(win.every);
  const windowText =
    win.earliest === win.latest
      ? ` starting at ${formatSlot(win.earliest)} into each period`
      : ((win.latest - win.earliest + win.every) % win.every) + 1 < win.every
        ? ` starting between ${formatSlot(win.earliest)} and ${formatSlot(win.latest)} into each period`
        : '';
  let need = r.short.length ? `${list(r.short.map(show))} free` : '';
  if (r.exclusive.blocking)
    need = need
      ? `${need} and ${r.exclusive.self ? 'no other run' : 'no exclusive run'}`
      : r.exclusive.self
        ? 'a time with no other run (exclusive)'
        : 'a time with no exclusive run';
  if (!need) need = r.run.map(show).join(', ') + ' free';
  let busy = '';
  if (win.busy !== null)
    busy = r.culprits.length
      ? `, busy ${formatSlot(win.busy.from)}–${formatSlot(win.busy.to)} with ${list(r.culprits.map(nameOf))}`
      : `, where the idle reservations of its ${r.closest.instances} instance(s) already leave too little`;
  return `no node in ${w} has ${need} for ${win.duration} s every ${every}${windowText}; closest: ${r.closest.node}${busy}${small}`;
}
