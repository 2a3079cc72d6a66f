/** @nmaas/example-streaming-qos: headless HLS/DASH playback with a throughput ABR and a buffer model. */
import { defineMeasurement } from '@nmaas/sdk';
import { measureStreamingQos, type StreamingQosParams } from './measure.js';

export default defineMeasurement<StreamingQosParams>(measureStreamingQos);
export type { StreamingQosParams } from './measure.js';
export {
  playSession,
  type SessionOptions,
  type SessionReport,
  type SegmentRecord,
  type SegmentFetch,
} from './player/session.js';
export { ThroughputAbr } from './player/abr.js';
export { PlayerBuffer, type Stall } from './player/buffer.js';
export { createFetchers, type Fetchers } from './fetchers.js';
