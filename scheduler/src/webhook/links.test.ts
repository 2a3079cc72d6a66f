/**
 * Shared links as the webhook reads them from real Node objects (the shape `kubectl get node -o json`
 * returns: well-known labels and annotations beside the owner's), and as `nmaas scheduler nodes` shows them.
 */
import { describe, expect, it } from 'vitest';
import {
  HOSTNAME_LABEL,
  NODE_CAPACITY_ANNOTATION,
  NODE_LINK_CAPACITY_ANNOTATION_PREFIX,
  NODE_LINK_LABEL_PREFIX,
  NODE_POOL_LABEL,
} from '@nmaas/sdk/contract';
import { instanceFromContract } from '../engine/index.js';
import type { Node } from '../kube/types.js';
import { formatNodesReport, nodesReport } from './nodes-report.js';
import { SchedulerState } from './state.js';
import { contract } from './testing.js';

/** A kubelet-registered node, as the API server returns it, behind the links its owner declared. */
function realNode(name: string, links: Record<string, string>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '4211',
      creationTimestamp: '2026-11-30T09:12:44Z',
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [HOSTNAME_LABEL]: name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/zone': 'paris-1',
        [NODE_POOL_LABEL]: 'edge',
        ...Object.fromEntries(Object.keys(links).map((l) => [NODE_LINK_LABEL_PREFIX + l, 'true'])),
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        [NODE_CAPACITY_ANNOTATION]: 'cpu=4,memory=8Gi,bandwidth=1Gbps',
        ...Object.fromEntries(Object.entries(links).map(([l, c]) => [NODE_LINK_CAPACITY_ANNOTATION_PREFIX + l, c])),
      },
    },
  };
}

describe('shared links in the webhook', () => {
  it('reads the links of real Node objects, warns on conflicting capacities and shows link use', () => {
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const state = new SchedulerState({ horizon: 300, log: (message, fields) => logged.push({ message, fields }) });
    state.syncNodes([
      realNode('edge-a', { 'site-a': '1Gbps' }),
      realNode('edge-b', { 'site-a': '800Mbps', metro: '10Gbps' }),
      realNode('edge-c', {}),
    ]);
    expect(state.nodeProblems.size).toBe(0);
    expect(logged).toContainEqual({
      message: 'nodes declare different capacities for one link; the smallest is used',
      fields: { link: 'site-a', declarations: ['edge-b=800Mbps', 'edge-a=1000Mbps'] },
    });
    const bw = contract('iperf', { durationSeconds: 60, run: { cpu: 250, memory: 128, bandwidth: 600 } });
    const a = state.engine.place(instanceFromContract('bw-a', bw, { node: 'edge-a' }));
    const b = state.engine.place(instanceFromContract('bw-b', bw, { node: 'edge-b' }));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    // 600 + 600 Mbps would pass each node and the 1 Gbps declaration, not the 800 Mbps one: they take turns.
    expect(Math.abs(a.phase - b.phase)).toBeGreaterThanOrEqual(60);
    const report = nodesReport(state);
    expect(report.links).toEqual([
      {
        name: 'metro',
        capacity: '10Gbps',
        nodes: ['edge-b'],
        peak: '600Mbps',
        busyPercent: 20,
        bookings: 1,
        conflict: null,
      },
      {
        name: 'site-a',
        capacity: '800Mbps',
        nodes: ['edge-a', 'edge-b'],
        peak: '600Mbps',
        busyPercent: 40,
        bookings: 2,
        conflict: 'declared 800Mbps by edge-b, 1Gbps by edge-a; the smallest is used',
      },
    ]);
    const text = formatNodesReport(report);
    expect(text).toContain('edge-b  capacity cpu=4,memory=8Gi,bandwidth=1Gbps');
    expect(text).toMatch(/edge-b .* behind metro, site-a/);
    expect(text).toContain(
      'link site-a  capacity 800Mbps  peak 600Mbps  in use 40%  2 run(s) sending  nodes edge-a, edge-b',
    );
    expect(text).toContain('  warning: declared 800Mbps by edge-b, 1Gbps by edge-a; the smallest is used');
  });

  it('a node whose link has no capacity is ignored with the key named; fixing the annotation brings it in', () => {
    const state = new SchedulerState({ horizon: 300 });
    const broken = realNode('edge-a', { 'site-a': '1Gbps' });
    delete broken.metadata.annotations![NODE_LINK_CAPACITY_ANNOTATION_PREFIX + 'site-a'];
    state.syncNodes([broken]);
    expect(state.nodes.size).toBe(0);
    expect(state.nodeProblems.get('edge-a')).toMatch(
      /link-capacity\.site-a=\(missing\): the node sits behind link site-a/,
    );
    state.upsertNode(realNode('edge-a', { 'site-a': '400Mbps' }));
    expect(state.nodeProblems.size).toBe(0);
    expect(state.engine.snapshot().links).toMatchObject([{ name: 'site-a', capacity: 400, nodes: ['edge-a'] }]);
    // A changed link capacity alone is a changed offer: the engine sees the new one.
    state.upsertNode(realNode('edge-a', { 'site-a': '300Mbps' }));
    expect(state.engine.snapshot().links).toMatchObject([{ name: 'site-a', capacity: 300 }]);
  });
});
