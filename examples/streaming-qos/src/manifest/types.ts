/** A stream as the player sees it, whatever the manifest format. */
export interface Segment {
  url: string;
  /** Media seconds. */
  duration: number;
  /** HLS media sequence number (live playlists slide; players follow segments by it). */
  sequence?: number;
}

export interface Rendition {
  id: string;
  /** Declared bits per second (HLS BANDWIDTH, DASH @bandwidth). */
  bandwidth: number;
  width?: number;
  height?: number;
  codecs?: string;
  /** HLS media playlist URL (segments are loaded from it when the rendition is first needed). */
  playlistUrl?: string;
  /** Initialisation segment (fMP4 / DASH), fetched once before the rendition's first media segment. */
  initUrl?: string;
  /** Known up front for DASH and single-playlist HLS; filled from playlistUrl otherwise. */
  segments?: Segment[];
  /** Live HLS: when the playlist was last loaded (performance.now()) and its target duration (s). */
  loadedAt?: number;
  targetDuration?: number;
}

export interface StreamDescription {
  format: 'hls' | 'dash';
  /** The manifest URL after redirects. */
  manifestUrl: string;
  /** VOD (an end list / static MPD) or live. */
  live: boolean;
  /** Sorted by bandwidth, lowest first. */
  renditions: Rendition[];
}
