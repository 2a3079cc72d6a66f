/** Stream manifests (HLS and DASH) read into one description; shared with streaming-cartography. */
export type { Rendition, Segment, StreamDescription } from './types.js';
export {
  parseHlsMaster,
  parseHlsMedia,
  isHlsPlaylist,
  isHlsMaster,
  parseAttributes,
  type HlsMediaPlaylist,
} from './hls.js';
export { parseMpd, isMpd, parseIsoDuration, fillTemplate } from './dash.js';
export { parseXml, type XmlElement } from './xml.js';
export { loadStream, loadRenditionSegments, type ManifestFetch } from './load.js';
