/** @nmaas/example-ip-spoofing-detection: do forged source addresses leave the sender's network? (BCP 38) */
import { defineMeasurement } from '@nmaas/sdk';
import { measureSpoofing, type SpoofingParams } from './measure.js';

export default defineMeasurement<SpoofingParams>(measureSpoofing);
export type { SpoofingParams } from './measure.js';
export { planProbes, adjacentSource, privateSourceFor, type PlannedProbe, type ProbeClass } from './addresses.js';
export { encodeProbe, decodeProbe, type ProbeFields } from './probe-format.js';
export { ProbeCollector, type SessionOutcome, type ClassOutcome, type Verdict } from './receiver.js';
export { runSender, type SenderReport, type SenderOptions } from './sender.js';
