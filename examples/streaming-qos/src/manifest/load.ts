/**
 * Loads a stream's description from its manifest URL, telling HLS from DASH by content (servers
 * label both loosely). HLS media playlists are loaded when a rendition is first needed, as players
 * do, so a run does not pay for renditions it never plays.
 */
import { isHlsMaster, isHlsPlaylist, parseHlsMaster, parseHlsMedia } from './hls.js';
import { isMpd, parseMpd } from './dash.js';
import type { Rendition, Segment, StreamDescription } from './types.js';

/** Fetches a text document and says where it finally came from (after redirects). */
export type ManifestFetch = (url: string) => Promise<{ url: string; text: string }>;

export async function loadStream(url: string, fetchText: ManifestFetch): Promise<StreamDescription> {
  const { url: finalUrl, text } = await fetchText(url);
  if (isHlsPlaylist(text)) {
    if (isHlsMaster(text))
      return { format: 'hls', manifestUrl: finalUrl, live: false, renditions: parseHlsMaster(text, finalUrl) };
    const media = parseHlsMedia(text, finalUrl);
    // A lone media playlist declares no bandwidth: 0 tells the ABR it has nothing to choose from.
    const only: Rendition = {
      id: 'main',
      bandwidth: 0,
      playlistUrl: finalUrl,
      segments: media.segments,
      loadedAt: performance.now(),
      targetDuration: media.targetDuration,
      ...(media.initUrl ? { initUrl: media.initUrl } : {}),
    };
    return { format: 'hls', manifestUrl: finalUrl, live: !media.endList, renditions: [only] };
  }
  if (isMpd(text)) return parseMpd(text, finalUrl);
  throw new Error(`${finalUrl} is neither an HLS playlist nor a DASH MPD`);
}

/**
 * The rendition's segments, loading its HLS media playlist the first time (or again with
 * `refresh`, for a live playlist that slides); marks the stream live when the playlist has no end.
 */
export async function loadRenditionSegments(
  stream: StreamDescription,
  rendition: Rendition,
  fetchText: ManifestFetch,
  options: { refresh?: boolean } = {},
): Promise<Segment[]> {
  if (rendition.segments && !options.refresh) return rendition.segments;
  if (!rendition.playlistUrl) {
    if (rendition.segments) return rendition.segments;
    throw new Error(`rendition ${rendition.id} has neither segments nor a playlist`);
  }
  const { url, text } = await fetchText(rendition.playlistUrl);
  const media = parseHlsMedia(text, url);
  rendition.segments = media.segments;
  rendition.loadedAt = performance.now();
  rendition.targetDuration = media.targetDuration;
  if (media.initUrl) rendition.initUrl = media.initUrl;
  if (!media.endList) stream.live = true;
  return media.segments;
}
