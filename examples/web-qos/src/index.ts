/** @nmaas/example-web-qos: HTTP(S) probes with per-phase timings, as an NMaaS measurement app. */
import { defineMeasurement } from '@nmaas/sdk';
import { measureWebQos, type WebQosParams } from './measure.js';

export default defineMeasurement<WebQosParams>(measureWebQos);
export type { WebQosParams } from './measure.js';
export { probeHttp, PHASES, type Phase, type ProbeOptions, type ProbeResult, type TlsInfo } from './probe.js';
export { parseStatusPatterns } from './status-codes.js';
