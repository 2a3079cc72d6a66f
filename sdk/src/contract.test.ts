import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  APP_LABEL,
  ContractError,
  DECISION_ANNOTATIONS,
  NODE_CAPACITY_ANNOTATION,
  NODE_LINK_CAPACITY_ANNOTATION_PREFIX,
  NODE_LINK_LABEL_PREFIX,
  NODE_POOL_LABEL,
  POD_ANNOTATIONS,
  contractFromManifest,
  decodeDecision,
  decodeNodeOffer,
  decodePhaseEnv,
  decodePodContract,
  encodeDecision,
  encodeNodeOffer,
  encodePodContract,
  type PodContract,
} from './contract.js';
import { loadApp } from './model/manifest.js';

describe('shared links a node declares', () => {
  const pooled = { [NODE_POOL_LABEL]: 'edge' };
  const capacity = { [NODE_CAPACITY_ANNOTATION]: 'cpu=2,memory=4Gi,bandwidth=1Gbps' };

  it('reads one label per link and its capacity annotation, and writes them back', () => {
    const node = {
      name: 'edge-1',
      labels: { ...pooled, [`${NODE_LINK_LABEL_PREFIX}site-a`]: 'true', [`${NODE_LINK_LABEL_PREFIX}metro`]: '' },
      annotations: {
        ...capacity,
        [`${NODE_LINK_CAPACITY_ANNOTATION_PREFIX}site-a`]: '1Gbps',
        [`${NODE_LINK_CAPACITY_ANNOTATION_PREFIX}metro`]: '400Mbps',
      },
    };
    const offer = decodeNodeOffer(node)!;
    expect(offer.links).toEqual([
      { name: 'metro', capacity: 400 },
      { name: 'site-a', capacity: 1000 },
    ]);
    const encoded = encodeNodeOffer(offer);
    expect(decodeNodeOffer({ name: 'edge-1', ...encoded })!.links).toEqual(offer.links);
    expect(decodeNodeOffer({ name: 'edge-2', labels: pooled, annotations: capacity })!.links).toBeUndefined();
  });

  it('names the key and the fix for a link without capacity, a bad amount, a capacity without its label', () => {
    const decode = (labels: Record<string, string>, annotations: Record<string, string>) => () =>
      decodeNodeOffer({
        name: 'edge-1',
        labels: { ...pooled, ...labels },
        annotations: { ...capacity, ...annotations },
      });
    const label = { [`${NODE_LINK_LABEL_PREFIX}site-a`]: 'true' };
    expect(decode(label, {})).toThrow(
      /link-capacity\.site-a=\(missing\): the node sits behind link site-a .*such as 1Gbps/,
    );
    expect(decode(label, { [`${NODE_LINK_CAPACITY_ANNOTATION_PREFIX}site-a`]: '1 gigabit' })).toThrow(
      /link-capacity\.site-a="1 gigabit": the node sits behind link site-a/,
    );
    expect(decode({}, { [`${NODE_LINK_CAPACITY_ANNOTATION_PREFIX}site-a`]: '1Gbps' })).toThrow(
      /a capacity for link site-a but no label .*link\.site-a: add the label or drop the annotation/,
    );
    expect(decode({ [`${NODE_LINK_LABEL_PREFIX}Site_A`]: 'true' }, {})).toThrow(/must be a DNS-1123 label/);
  });
});

const sample: PodContract = {
  app: 'web-qos',
  appVersion: '1.2.0',
  everySeconds: 300,
  durationSeconds: 20,
  startWithinSeconds: 60,
  run: { cpu: 250, memory: 128, bandwidth: 20 },
  idle: { cpu: 10, memory: 48 },
  nodeSelector: { 'nmaas.io/pool': 'edge', 'topology.kubernetes.io/zone': 'paris-1' },
  affinity: ['dns-resolver'],
  antiAffinity: ['streaming-qos', 'web-cartography'],
  exclusive: true,
  spreadGroup: 'measure.web-qos',
};

describe('the pod scheduling contract', () => {
  it('round-trips through labels and annotations', () => {
    const encoded = encodePodContract(sample);
    expect(encoded.labels).toEqual({ [APP_LABEL]: 'web-qos' });
    expect(encoded.annotations[POD_ANNOTATIONS.run]).toBe('cpu=250m,memory=128Mi,bandwidth=20Mbps');
    expect(decodePodContract(encoded)).toEqual(sample);
  });

  it('round-trips arbitrary valid contracts', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
    fc.assert(
      fc.property(
        name,
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.record({
          cpu: fc.integer({ min: 1, max: 64000 }),
          memory: fc.integer({ min: 1, max: 1 << 20 }),
          bandwidth: fc.integer({ min: 0, max: 100000 }),
        }),
        fc.record({ cpu: fc.integer({ min: 0, max: 64000 }), memory: fc.integer({ min: 0, max: 1 << 20 }) }),
        fc.uniqueArray(name, { maxLength: 4 }),
        fc.boolean(),
        fc.option(name, { nil: null }),
        (app, every, startWithin, run, idle, anti, exclusive, spreadGroup) => {
          const c: PodContract = {
            app,
            everySeconds: every,
            durationSeconds: Math.max(1, Math.floor(every / 2)),
            startWithinSeconds: startWithin,
            run,
            idle,
            nodeSelector: {},
            affinity: [],
            antiAffinity: anti,
            exclusive,
            spreadGroup,
          };
          expect(decodePodContract(encodePodContract(c))).toEqual(c);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('reads back what the full fixture declares', async () => {
    const { manifest } = await loadApp(new URL('../fixtures/apps/full', import.meta.url).pathname);
    const contract = contractFromManifest(manifest, { spreadGroup: 'ns.release' });
    expect(decodePodContract(encodePodContract(contract))).toEqual(contract);
    expect(contract).toMatchObject({
      app: 'web-qos-full',
      everySeconds: 300,
      durationSeconds: 20,
      startWithinSeconds: 60,
      spreadGroup: 'ns.release',
    });
  });

  const malformed: [string, string | undefined, RegExp][] = [
    [POD_ANNOTATIONS.every, '5m', /whole number of seconds/],
    [POD_ANNOTATIONS.every, '0', /whole number of seconds from 1/],
    [POD_ANNOTATIONS.every, undefined, /is required/],
    [POD_ANNOTATIONS.duration, '-3', /whole number of seconds/],
    [POD_ANNOTATIONS.duration, '400', /longer than the period/],
    [POD_ANNOTATIONS.startWithin, '1e3', /whole number/],
    [POD_ANNOTATIONS.run, 'cpu=250m', /must give cpu, memory/],
    [POD_ANNOTATIONS.run, 'cpu=lots,memory=1Gi', /bad part "cpu=lots"/],
    [POD_ANNOTATIONS.run, 'cpu=1,cpu=2,memory=1Gi', /bad part "cpu=2"/],
    [POD_ANNOTATIONS.idle, 'cpu=1,memory=1Gi,bandwidth=1Mbps', /bad part "bandwidth=1Mbps"/],
    [POD_ANNOTATIONS.nodeSelector, 'pool', /label=value pairs/],
    [POD_ANNOTATIONS.nodeSelector, 'a=b,a=c', /label=value pairs/],
    [POD_ANNOTATIONS.affinity, 'Web_QoS', /app names/],
    [POD_ANNOTATIONS.antiAffinity, 'a,,b', /app names/],
    [POD_ANNOTATIONS.exclusive, 'yes', /"true" or "false"/],
    [POD_ANNOTATIONS.spreadGroup, '', /non-empty/],
  ];

  it.each(malformed)('rejects %s=%j with a clear error', (key, value, message) => {
    const { labels, annotations } = encodePodContract(sample);
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
    let error: unknown;
    try {
      decodePodContract({ labels, annotations }, 'pod default/web-qos-abc');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractError);
    const problem = (error as ContractError).problems.find((p) => p.key === key);
    expect(problem?.message).toMatch(message);
    expect((error as Error).message).toContain('pod default/web-qos-abc');
    expect((error as Error).message).toContain(key);
  });

  it('rejects a missing app label and non-object metadata', () => {
    expect(() => decodePodContract({ labels: {}, annotations: encodePodContract(sample).annotations })).toThrow(
      /nmaas\.io\/app/,
    );
    expect(() => decodePodContract({ labels: 'x', annotations: 42 })).toThrow(ContractError);
  });
});

describe('decisions, the phase env var and node offers', () => {
  it('round-trips a decision and reads none from an undecided pod', () => {
    expect(decodeDecision(encodeDecision({ node: 'edge-1', phaseSeconds: 42 }))).toEqual({
      node: 'edge-1',
      phaseSeconds: 42,
    });
    expect(decodeDecision({})).toBeNull();
    expect(() => decodeDecision({ [DECISION_ANNOTATIONS.node]: 'edge-1' })).toThrow(/phase-seconds/);
    expect(() => decodeDecision({ [DECISION_ANNOTATIONS.node]: '', [DECISION_ANNOTATIONS.phase]: '4' })).toThrow(
      /must name a node/,
    );
  });

  it('reads the phase env var strictly', () => {
    expect(decodePhaseEnv(undefined)).toBeNull();
    expect(decodePhaseEnv('17')).toBe(17);
    expect(() => decodePhaseEnv('-1')).toThrow(/NMAAS_PHASE_SECONDS/);
    expect(() => decodePhaseEnv('1.5')).toThrow(/whole number/);
  });

  it('round-trips a node offer and ignores nodes outside any pool', () => {
    const offer = { pool: 'edge', capacity: { cpu: 2000, memory: 4096, bandwidth: 1000 } };
    const encoded = encodeNodeOffer(offer);
    expect(encoded.annotations[NODE_CAPACITY_ANNOTATION]).toBe('cpu=2,memory=4Gi,bandwidth=1Gbps');
    expect(decodeNodeOffer({ name: 'edge-1', ...encoded })).toEqual({
      name: 'edge-1',
      labels: encoded.labels,
      ...offer,
    });
    expect(decodeNodeOffer({ name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } })).toBeNull();
    expect(() => decodeNodeOffer({ name: 'edge-2', labels: { [NODE_POOL_LABEL]: 'edge' }, annotations: {} })).toThrow(
      /node edge-2.*\n.*nmaas\.io\/capacity.*is required/,
    );
    expect(() =>
      decodeNodeOffer({
        name: 'edge-3',
        labels: { [NODE_POOL_LABEL]: 'edge' },
        annotations: { [NODE_CAPACITY_ANNOTATION]: 'cpu=2' },
      }),
    ).toThrow(/cpu, memory and bandwidth/);
    expect(() =>
      decodeNodeOffer({
        name: 'edge-4',
        labels: { [NODE_POOL_LABEL]: 'edge' },
        annotations: { [NODE_CAPACITY_ANNOTATION]: 'cpu=2,memory=4Gi' },
      }),
    ).toThrow(/and bandwidth/);
  });
});
