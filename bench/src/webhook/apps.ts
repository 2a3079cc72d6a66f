/** The workload of the webhook bench: the five example apps' shapes and the admission bodies. */
import { NODE_POOL_LABEL, encodePodContract, type PodContract } from '@nmaas/sdk/contract';

const base = { nodeSelector: {}, affinity: [], antiAffinity: [], exclusive: false, spreadGroup: null };

/** What the cluster already runs before the measured load: the example apps' contracts. */
export const PRELOAD_APPS: PodContract[] = [
  {
    ...base,
    app: 'web-qos',
    everySeconds: 300,
    durationSeconds: 20,
    startWithinSeconds: 300,
    run: { cpu: 250, memory: 128, bandwidth: 20 },
    idle: { cpu: 10, memory: 48 },
  },
  {
    ...base,
    app: 'streaming-qos',
    everySeconds: 600,
    durationSeconds: 120,
    startWithinSeconds: 600,
    run: { cpu: 500, memory: 256, bandwidth: 200 },
    idle: { cpu: 10, memory: 64 },
    antiAffinity: ['ip-spoofing'],
  },
  {
    ...base,
    app: 'dns-probe',
    everySeconds: 60,
    durationSeconds: 5,
    startWithinSeconds: 60,
    run: { cpu: 100, memory: 64, bandwidth: 1 },
    idle: { cpu: 5, memory: 32 },
    nodeSelector: { [NODE_POOL_LABEL]: 'edge' },
  },
  {
    ...base,
    app: 'ip-spoofing',
    everySeconds: 900,
    durationSeconds: 60,
    startWithinSeconds: 900,
    run: { cpu: 200, memory: 128, bandwidth: 50 },
    idle: { cpu: 5, memory: 32 },
    antiAffinity: ['streaming-qos'],
    exclusive: true,
  },
  {
    ...base,
    app: 'cartography',
    everySeconds: 1800,
    durationSeconds: 60,
    startWithinSeconds: 600,
    run: { cpu: 200, memory: 128, bandwidth: 10 },
    idle: { cpu: 5, memory: 64 },
    affinity: ['web-qos'],
  },
];

/** A light probe: always placeable while the cluster has room. */
export const LIGHT: PodContract = {
  ...base,
  app: 'bench-probe',
  everySeconds: 300,
  durationSeconds: 10,
  startWithinSeconds: 300,
  run: { cpu: 50, memory: 32, bandwidth: 5 },
  idle: { cpu: 2, memory: 16 },
};

/** Needs 5 Gbps on 1 Gbps nodes: always refused, with the reason computed (then remembered per shape). */
export const IMPOSSIBLE: PodContract = {
  ...base,
  app: 'bench-bulk',
  everySeconds: 300,
  durationSeconds: 10,
  startWithinSeconds: 300,
  run: { cpu: 50, memory: 32, bandwidth: 5000 },
  idle: { cpu: 2, memory: 16 },
};

/** A measurement pod as a ReplicaSet creates it. */
export function measurementPod(c: PodContract, namespace: string) {
  const meta = encodePodContract(c);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${c.app}-`, namespace, labels: meta.labels, annotations: meta.annotations },
    spec: {
      containers: [
        { name: c.app, image: `example/${c.app}:1`, env: [{ name: 'NMAAS_CONFIG', value: '/etc/nmaas/config.json' }] },
      ],
    },
  };
}

/** An AdmissionReview body; `[<id>]` is replaced by the load generator with a unique id. */
export function review(c: PodContract, dryRun: boolean, measurement = true): string {
  const pod = measurementPod(c, 'bench');
  if (!measurement) pod.metadata.labels = { app: 'not-a-measurement' };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'bench-[<id>]',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bench',
      operation: 'CREATE',
      dryRun,
      object: pod,
    },
  });
}
