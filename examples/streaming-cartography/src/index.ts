/** @nmaas/example-streaming-cartography: which servers deliver a stream, per rendition, and how fast. */
import { defineMeasurement } from '@nmaas/sdk';
import { measureStreamingCartography, type StreamingCartographyParams } from './measure.js';

export default defineMeasurement<StreamingCartographyParams>(measureStreamingCartography);
export type { StreamingCartographyParams } from './measure.js';
export {
  mapStream,
  sample,
  type StreamMap,
  type HostEntry,
  type RenditionEntry,
  type FetchRecord,
  type StreamMapOptions,
} from './map-stream.js';
export { diffStreamMaps, type StreamChange, type StreamChangeKind } from './changes.js';
