import type { ArchiveRule, ChartRule, ObjectsRule, RuleMeta } from '../types.js';
import { PEERS } from './peers.js';

/** The peer rules of the table, attached to the rule's metadata. */
function withPeers<M extends { id: string }>(meta: M): M & { peers?: RuleMeta['peers'] } {
  const peers = PEERS[meta.id];
  return peers ? { ...meta, peers } : meta;
}

type Meta<S extends RuleMeta['scope']> = Omit<RuleMeta, 'scope' | 'securitySeverity' | 'peers'> & {
  securitySeverity?: number;
} & { scope?: S };

/** Default SARIF security-severity by severity: error = high, warning = medium, info = low. */
function securitySeverity(meta: { severity: RuleMeta['severity']; securitySeverity?: number }): number {
  return meta.securitySeverity ?? (meta.severity === 'error' ? 8.0 : meta.severity === 'warning' ? 5.0 : 2.0);
}

export function archiveRule(meta: Meta<'archive'>, check: ArchiveRule['check']): ArchiveRule {
  return { meta: { ...withPeers(meta), scope: 'archive', securitySeverity: securitySeverity(meta) }, check };
}
export function chartRule(meta: Meta<'chart'>, check: ChartRule['check']): ChartRule {
  return { meta: { ...withPeers(meta), scope: 'chart', securitySeverity: securitySeverity(meta) }, check };
}
export function objectsRule(meta: Meta<'objects'>, check: ObjectsRule['check']): ObjectsRule {
  return { meta: { ...withPeers(meta), scope: 'objects', securitySeverity: securitySeverity(meta) }, check };
}
