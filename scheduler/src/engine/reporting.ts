/**
 * Refusals in words a person acts on. Pure: the sentence depends on the refusal alone, and on `nameOf`,
 * which turns a booking id into the caller's name for it (the simulator keeps ids, the webhook shows
 * pod names and "this pod"). Each rule words its own part (rules/); this module assembles them.
 */
import type { Amount, Refusal, RefusalBase, TooSmall } from './types.js';
import { describeAffinity } from './rules/affinity.js';
import { describeAntiAffinity } from './rules/anti-affinity.js';
import { describeExclusiveNeed } from './rules/exclusive.js';
import { describeLinkBlock } from './rules/link.js';
import { NODE_RULES } from './rules/index.js';
import { describeUnknownPin } from './rules/pin.js';
import { describeNoMatch, describeScope } from './rules/selector.js';
import { describeSpread } from './rules/spread.js';
import { describeWindow } from './rules/start-window.js';
import { formatPeriod, formatSlot } from './time.js';
import { formatValue, RESOURCES } from './units.js';
import { list } from './words.js';

export type NameOf = (bookingId: string) => string;

function show(a: Amount): string {
  return formatValue(RESOURCES.indexOf(a.resource), a.amount);
}

/** "; of 5,000 nodes, 4,999 are excluded by spread group g, …": empty when no rule excludes any node. */
function breakdown(r: RefusalBase): string {
  const parts: string[] = [];
  for (const rule of NODE_RULES) {
    const count = r.counts[rule.name];
    if (count > 0) parts.push(rule.excludes(count, r));
  }
  return parts.length === 0 ? '' : `; of ${r.candidates} node(s) matching its selector, ${list(parts)}`;
}

function smallText(tooSmall: TooSmall[]): string[] {
  return tooSmall.map((s) => `${s.nodes} offer${s.nodes === 1 ? 's' : ''} less than ${show(s)} in all`);
}

/** The refusal as one sentence (the reason the simulator, the CLI and the webhook print). */
export function describeRefusal(r: Refusal, nameOf: NameOf = (id) => id): string {
  const self = nameOf(r.id);
  const where = describeScope(r.scope);
  const excluded = breakdown(r);
  switch (r.code) {
    case 'invalid':
      return r.problem;
    case 'no-node':
      return r.rule === 'pin'
        ? describeUnknownPin({ self, node: r.scope.node })
        : describeNoMatch({ self, scope: r.scope, pools: r.pools });
    case 'affinity':
      return (
        describeAffinity({ self, where, apps: r.culprits, hosting: r.hosting, candidates: r.candidates }) + excluded
      );
    case 'anti-affinity':
      return (
        describeAntiAffinity({
          self,
          where,
          app: r.app,
          refuses: r.antiAffinity,
          closest: r.closest.node,
          culprits: r.culprits.map(nameOf),
        }) + excluded
      );
    case 'spread':
      return describeSpread({ where, group: r.spreadGroup }) + excluded;
    case 'capacity':
      return capacityText(r, self, where, nameOf) + excluded;
  }
}

function capacityText(r: Extract<Refusal, { code: 'capacity' }>, self: string, w: string, nameOf: NameOf): string {
  if (r.kind === 'reservation')
    return `no node in ${w} has ${list(r.need.map(show))} unreserved for ${self} (${r.how}); closest: ${r.closest.node}, ${list(r.closest.left.map(show))} left`;
  if (r.kind === 'size')
    return `no node in ${w} offers what one run of ${self} needs: of ${r.open} node(s), ${list(smallText(r.tooSmall))}; the largest offers ${list(r.largest.map(show))}`;
  const small =
    r.tooSmall.length > 0
      ? `; ${r.tooSmallNodes} of ${r.open} open node(s) are too small in all (${list(smallText(r.tooSmall))})`
      : '';
  if (r.kind === 'link')
    return `no node in ${w} has a time its links carry ${show(r.need)} for ${r.window.duration} s every ${formatPeriod(r.window.every)}${describeWindow(r.window)} for ${self}: ${r.linkBlocked} node(s) would take it but sit behind full links; closest: ${r.closest.node}, where ${describeLinkBlock(r.block, nameOf)}${small}`;
  if (r.kind === 'idle')
    return `no node in ${w} has ${show(r.need)} free at all times for ${self}'s idle reservation; closest: ${r.closest.node}, ${show(r.closest.free)} free at its busiest slot (${r.closest.instances} instances booked)${small}`;
  const win = r.window;
  let need = r.short.length ? `${list(r.short.map(show))} free` : '';
  if (r.exclusive.blocking) need = describeExclusiveNeed(need, r.exclusive.self);
  if (!need) need = r.run.map(show).join(', ') + ' free';
  let busy = '';
  if (win.busy !== null)
    busy = r.culprits.length
      ? `, busy ${formatSlot(win.busy.from)}–${formatSlot(win.busy.to)} with ${list(r.culprits.map(nameOf))}`
      : `, where the idle reservations of its ${r.closest.instances} instance(s) already leave too little`;
  return `no node in ${w} has ${need} for ${win.duration} s every ${formatPeriod(win.every)}${describeWindow(win)}; closest: ${r.closest.node}${busy}${small}`;
}
