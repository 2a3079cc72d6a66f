/**
 * The comparison of web-qos with blackbox_exporter against the truth the test server imposed and
 * timed itself: functional agreement probe by probe, and per scenario and phase the median of
 * (measured − truth) for each tool. Used by the side-by-side test and for the table in
 * bench/results. Not used by the image.
 */
import { PHASES, type Phase } from '../probe.js';

export interface Scenario {
  name: string;
  scheme: 'http' | 'https';
  port: number;
  path: string;
  timeoutMs: number;
}

/** What both tools report, in web-qos's terms. */
export interface ProbeView {
  success: boolean;
  status: number;
  redirects: number;
  contentLength: number;
  /** Body bytes as received (blackbox: `probe_http_uncompressed_body_length`; nothing is compressed here). */
  bodyBytes: number;
  ipProtocol: number;
  ssl: boolean;
  earliestCertExpiry: number;
  lastChainExpiry: number;
  tlsVersion: string;
  phases: Record<Phase, number>;
  durationSeconds: number;
}

export const FUNCTIONAL_FIELDS = [
  'success',
  'status',
  'redirects',
  'contentLength',
  'bodyBytes',
  'ipProtocol',
  'ssl',
  'earliestCertExpiry',
  'lastChainExpiry',
  'tlsVersion',
] as const;

interface ServerRecord {
  path?: string;
  processing?: number;
  stall?: number;
  bytes?: number;
  tls?: number;
}

export interface PhaseRow {
  scenario: string;
  phase: Phase;
  https: boolean;
  truthMedian: number;
  webQosMedian: number;
  blackboxMedian: number;
  /** Median over the rounds of (web-qos − truth), seconds. */
  webQosMedianError: number;
  blackboxMedianError: number;
}

export interface Comparison {
  probesPerTool: number;
  functionalAgreement: { scenario: string; agreeing: number; rounds: number }[];
  disagreements: string[];
  phases: PhaseRow[];
  durations: { scenario: string; webQosMedian: number; blackboxMedian: number }[];
}

export interface ComparisonInput {
  scenarios: Scenario[];
  rounds: number;
  webQos: (scenario: number, round: number) => ProbeView | undefined;
  blackbox: (scenario: number, round: number) => ProbeView | undefined;
  /** The server's records of a probe's requests (by tag `wq-<s>-<r>` / `bb-<s>-<r>`). */
  records: (tag: string) => ServerRecord[];
  /** Every DNS answer delay the server timed (the same delay is imposed on all). */
  dnsAnswers: number[];
  shaping: { rateMbit: number; burstBytes: number };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Time the shaped link needs for a response of `bytes` body bytes after its first packet: the
 * bytes on the wire (TCP/IP/Ethernet headers of 1448-byte segments included) beyond the token
 * bucket's burst, at the bucket's rate.
 */
export function shapedTransferSeconds(bytes: number, shaping: { rateMbit: number; burstBytes: number }): number {
  const head = `HTTP/1.1 200 OK\r\ncontent-length: ${bytes}\r\nconnection: close\r\n\r\n`.length;
  const payload = bytes + head;
  const wire = payload + Math.ceil(payload / 1448) * 66;
  return (Math.max(0, wire - shaping.burstBytes) * 8) / (shaping.rateMbit * 1e6);
}

function truthOf(phase: Phase, records: ServerRecord[], dns: number, shaping: ComparisonInput['shaping']): number {
  const sum = (pick: (r: ServerRecord) => number | undefined) =>
    records.reduce((total, r) => total + (pick(r) ?? 0), 0);
  switch (phase) {
    case 'resolve':
      return dns;
    case 'connect':
      return 0; // a veth in one machine: tens of microseconds
    case 'tls':
      return sum((r) => r.tls);
    case 'processing':
      return sum((r) => (r.path === '/hang' ? 0 : r.processing));
    case 'transfer': {
      const last = records[records.length - 1];
      if (!last) return 0;
      if (last.stall !== undefined) return last.stall;
      if (last.bytes !== undefined) return shapedTransferSeconds(last.bytes, shaping);
      return 0;
    }
  }
}

export function compareSideBySide(input: ComparisonInput): Comparison {
  const dns = median(input.dnsAnswers);
  const disagreements: string[] = [];
  const functionalAgreement: Comparison['functionalAgreement'] = [];
  const phases: PhaseRow[] = [];
  const durations: Comparison['durations'] = [];
  for (const [si, scenario] of input.scenarios.entries()) {
    let agreeing = 0;
    const errors = { wq: new Map<Phase, number[]>(), bb: new Map<Phase, number[]>() };
    const values = {
      wq: new Map<Phase, number[]>(),
      bb: new Map<Phase, number[]>(),
      truth: new Map<Phase, number[]>(),
    };
    const wqDurations: number[] = [];
    const bbDurations: number[] = [];
    for (let round = 0; round < input.rounds; round++) {
      const wq = input.webQos(si, round);
      const bb = input.blackbox(si, round);
      if (!wq || !bb) {
        disagreements.push(`${scenario.name} round ${round}: ${!wq ? 'web-qos' : 'blackbox'} gave no result`);
        continue;
      }
      const differing = FUNCTIONAL_FIELDS.filter((field) => wq[field] !== bb[field]);
      if (differing.length === 0) agreeing += 1;
      for (const field of differing)
        disagreements.push(`${scenario.name} round ${round}: ${field} web-qos ${wq[field]} vs blackbox ${bb[field]}`);
      wqDurations.push(wq.durationSeconds);
      bbDurations.push(bb.durationSeconds);
      for (const phase of PHASES) {
        const wqTruth = truthOf(phase, input.records(`wq-${si}-${round}`), dns, input.shaping);
        const bbTruth = truthOf(phase, input.records(`bb-${si}-${round}`), dns, input.shaping);
        const push = (map: Map<Phase, number[]>, value: number) => map.set(phase, [...(map.get(phase) ?? []), value]);
        push(errors.wq, wq.phases[phase] - wqTruth);
        push(errors.bb, bb.phases[phase] - bbTruth);
        push(values.wq, wq.phases[phase]);
        push(values.bb, bb.phases[phase]);
        push(values.truth, wqTruth);
        push(values.truth, bbTruth);
      }
    }
    functionalAgreement.push({ scenario: scenario.name, agreeing, rounds: input.rounds });
    durations.push({ scenario: scenario.name, webQosMedian: median(wqDurations), blackboxMedian: median(bbDurations) });
    for (const phase of PHASES) {
      phases.push({
        scenario: scenario.name,
        phase,
        https: scenario.scheme === 'https',
        truthMedian: median(values.truth.get(phase) ?? []),
        webQosMedian: median(values.wq.get(phase) ?? []),
        blackboxMedian: median(values.bb.get(phase) ?? []),
        webQosMedianError: median(errors.wq.get(phase) ?? []),
        blackboxMedianError: median(errors.bb.get(phase) ?? []),
      });
    }
  }
  return {
    probesPerTool: input.scenarios.length * input.rounds,
    functionalAgreement,
    disagreements,
    phases,
    durations,
  };
}

const msText = (seconds: number) => `${(seconds * 1000).toFixed(2)} ms`;
const signedMs = (seconds: number) => `${seconds >= 0 ? '+' : '−'}${Math.abs(seconds * 1000).toFixed(2)} ms`;

/** The rows of a scenario measured again after a first measurement out of bound. */
export function renderRemeasured(first: string[], second: Comparison): string {
  if (first.length === 0) return '';
  return [
    '## Measured again',
    '',
    'Out of bound in the first measurement (a burst of load on the shared machine), so measured once more, both tools',
    `afresh: ${first.join('; ')}. The second measurement of those scenarios:`,
    '',
    '| scenario | phase | truth | web-qos | blackbox | web-qos error | blackbox error |',
    '|---|---|---|---|---|---|---|',
    ...second.phases.map(
      (p) =>
        `| ${p.scenario} | ${p.phase} | ${msText(p.truthMedian)} | ${msText(p.webQosMedian)} | ${msText(p.blackboxMedian)} | ` +
        `${signedMs(p.webQosMedianError)} | ${signedMs(p.blackboxMedianError)} |`,
    ),
    '',
  ].join('\n');
}

export function renderComparison(c: Comparison, meta: { when: string }): string {
  const lines = [
    '# web-qos vs prometheus-blackbox-exporter (Debian 0.23), side by side',
    '',
    `Run ${meta.when} by \`examples/web-qos/src/side-by-side.test.ts\` (${c.probesPerTool} probes per tool): two network`,
    'namespaces joined by a veth shaped with tc tbf; the server imposes the delays and times them on its own clock (the',
    'truth); both tools probe the same targets in turn from the client namespace through the same DNS server.',
    'web-qos runs warm in one process (as the app does after its warm-up); blackbox gets one `/probe` request per probe.',
    '',
    '## Functional fields',
    '',
    'success, status, redirects, content length, body size, IP protocol, TLS, earliest presented and last-chain',
    'certificate expiry, TLS version:',
    '',
    '| scenario | probes where every field agrees |',
    '|---|---|',
    ...c.functionalAgreement.map((a) => `| ${a.scenario} | ${a.agreeing} / ${a.rounds} |`),
    '',
    c.disagreements.length === 0
      ? 'No disagreement.'
      : `Disagreements:\n${c.disagreements.map((d) => `- ${d}`).join('\n')}`,
    '',
    '## Phases: median error against the imposed truth',
    '',
    'Error = median over the probes of (measured − truth). The test requires |web-qos error| ≤ |blackbox error| + 1 ms',
    "(+ 2 ms on HTTPS). Truth: resolve = the DNS server's timed answer delay; connect = 0 (veth); tls = ClientHello",
    'received → client Finished received, on the server; processing = request received → first byte written (summed',
    "over redirect hops); transfer = the server's timed head stall, or the shaped link's time for the bytes beyond the",
    "token bucket's burst, else 0.",
    '',
    '| scenario | phase | truth | web-qos | blackbox | web-qos error | blackbox error |',
    '|---|---|---|---|---|---|---|',
    ...c.phases.map(
      (p) =>
        `| ${p.scenario} | ${p.phase} | ${msText(p.truthMedian)} | ${msText(p.webQosMedian)} | ${msText(p.blackboxMedian)} | ` +
        `${signedMs(p.webQosMedianError)} | ${signedMs(p.blackboxMedianError)} |`,
    ),
    '',
    '## Probe duration (median)',
    '',
    '| scenario | web-qos | blackbox |',
    '|---|---|---|',
    ...c.durations.map((d) => `| ${d.scenario} | ${msText(d.webQosMedian)} | ${msText(d.blackboxMedian)} |`),
    '',
  ];
  return lines.join('\n');
}
