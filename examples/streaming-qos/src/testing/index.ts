/** Test support (a paced HLS/DASH server on loopback), shared with streaming-cartography's tests. Never used at run time. */
export {
  startStreamServer,
  type StreamLogEntry,
  type StreamRequestInfo,
  type StreamServerOptions,
  type TestRendition,
  type TestStreamServer,
} from './stream-server.js';
