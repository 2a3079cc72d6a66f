/**
 * Pools, capacity and bookings for `nmaas scheduler nodes` (and GET /v1/nodes): what node owners
 * and operators look at to see what the scheduler believes, including pooled nodes it ignores
 * because their capacity annotation is malformed.
 */
import { formatResources } from '@nmaas/sdk/contract';
import { formatBandwidth } from '@nmaas/sdk/model';
import { formatPeriod } from '../engine/index.js';
import type { SchedulerState } from './state.js';

export interface NodesReport {
  pools: {
    pool: string;
    nodes: {
      name: string;
      hostname: string;
      capacity: string;
      peak: string;
      busyPercent: number;
      links: string[];
      bookings: { id: string; app: string; phase: number; every: number; duration: number; pod: string | null }[];
    }[];
  }[];
  /** Shared links: capacity (the smallest declared), nodes behind, busiest slot and share of time in use. */
  links: {
    name: string;
    capacity: string;
    nodes: string[];
    peak: string;
    busyPercent: number;
    bookings: number;
    conflict: string | null;
  }[];
  ignored: { name: string; problem: string }[];
  bookings: number;
  pending: number;
}

export function nodesReport(state: SchedulerState): NodesReport {
  const snapshot = state.engine.snapshot();
  const pools = new Map<string, NodesReport['pools'][number]['nodes']>();
  for (const n of snapshot.nodes) {
    const view = state.nodes.get(n.name);
    const pool = view?.offer.pool ?? n.pool ?? '(none)';
    const list = pools.get(pool) ?? [];
    list.push({
      name: n.name,
      hostname: view?.hostname ?? n.name,
      capacity: formatResources(n.capacity),
      peak: formatResources(n.peak),
      busyPercent: Math.round(n.busyFraction * 1000) / 10,
      links: n.links,
      bookings: n.bookings.map((b) => {
        const pod = state.podOf(b.id);
        return {
          id: b.id,
          app: b.app,
          phase: b.phase,
          every: b.every,
          duration: b.duration,
          pod: pod === null ? null : `${pod.namespace}/${pod.name}`,
        };
      }),
    });
    pools.set(pool, list);
  }
  let pending = 0;
  for (const t of state.tracked.values()) if (t.podUid === undefined) pending += 1;
  return {
    pools: [...pools.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([pool, nodes]) => ({ pool, nodes })),
    links: snapshot.links.map((l) => ({
      name: l.name,
      capacity: formatBandwidth(l.capacity),
      nodes: l.nodes,
      peak: formatBandwidth(l.peak),
      busyPercent: Math.round(l.busyFraction * 1000) / 10,
      bookings: l.bookings,
      conflict:
        l.conflict === null
          ? null
          : `declared ${l.conflict.map((d) => `${formatBandwidth(d.mbps)} by ${d.node}`).join(', ')}; the smallest is used`,
    })),
    ignored: [...state.nodeProblems.entries()].map(([name, problem]) => ({ name, problem })),
    bookings: snapshot.instances,
    pending,
  };
}

export function formatNodesReport(report: NodesReport): string {
  const lines: string[] = [];
  for (const { pool, nodes } of report.pools) {
    lines.push(`pool ${pool} (${nodes.length} node${nodes.length === 1 ? '' : 's'})`);
    for (const n of nodes) {
      lines.push(
        `  ${n.name}  capacity ${n.capacity}  peak ${n.peak || '-'}  busy ${n.busyPercent}%  ${n.bookings.length} booking(s)` +
          (n.links.length > 0 ? `  behind ${n.links.join(', ')}` : ''),
      );
      for (const b of n.bookings) {
        lines.push(
          `    ${b.app.padEnd(20)} +${b.phase}s every ${formatPeriod(b.every)} for ${b.duration}s  ${b.pod ?? '(no pod seen yet)'}`,
        );
      }
    }
  }
  if (report.pools.length === 0)
    lines.push(
      'no measurement nodes: label nodes with nmaas.io/pool and annotate nmaas.io/capacity (see the scheduler README)',
    );
  for (const l of report.links) {
    lines.push(
      `link ${l.name}  capacity ${l.capacity}  peak ${l.peak}  in use ${l.busyPercent}%  ${l.bookings} run(s) sending  nodes ${l.nodes.join(', ')}`,
    );
    if (l.conflict !== null) lines.push(`  warning: ${l.conflict}`);
  }
  for (const i of report.ignored) lines.push(`ignored ${i.name}: ${i.problem.replace(/\n\s*/g, ' ')}`);
  lines.push(`${report.bookings} booking(s), ${report.pending} pending`);
  return lines.join('\n');
}
