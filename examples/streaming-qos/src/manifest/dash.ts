/**
 * DASH MPDs (ISO/IEC 23009-1), the forms common in practice: the video AdaptationSet's
 * Representations with SegmentTemplate (@duration or SegmentTimeline; $Number$, $Time$,
 * $RepresentationID$, $Bandwidth$ with optional %0Nd widths), SegmentList, or a single SegmentBase
 * file, and BaseURL at every level. Static (VOD) MPDs are expanded to their full segment list.
 */
import type { Rendition, Segment, StreamDescription } from './types.js';
import { child, children, parseXml, type XmlElement } from './xml.js';

export function isMpd(text: string): boolean {
  return /<MPD[\s>]/.test(text);
}

/** ISO 8601 durations as MPDs write them (PT1H2M3.5S, P1DT2H). */
export function parseIsoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

export function parseMpd(text: string, url: string): StreamDescription {
  const mpd = child(parseXml(text), 'MPD');
  if (!mpd) throw new Error(`${url} is not a DASH manifest (no <MPD>)`);
  const live = mpd.attributes.type === 'dynamic';
  const period = child(mpd, 'Period');
  if (!period) throw new Error(`${url}: the MPD has no Period`);
  const presentation =
    parseIsoDuration(period.attributes.duration) ?? parseIsoDuration(mpd.attributes.mediaPresentationDuration);
  let base = withBase(url, mpd);
  base = withBase(base, period);
  const sets = children(period, 'AdaptationSet');
  const video = sets.find(isVideo) ?? sets[0];
  if (!video) throw new Error(`${url}: the Period has no AdaptationSet`);
  const setBase = withBase(base, video);
  const renditions: Rendition[] = children(video, 'Representation').map((rep) => {
    const id = rep.attributes.id ?? '';
    const bandwidth = Number(rep.attributes.bandwidth);
    if (!Number.isFinite(bandwidth) || bandwidth <= 0)
      throw new Error(`${url}: Representation ${id} has no valid @bandwidth`);
    const repBase = withBase(setBase, rep);
    const width = Number(rep.attributes.width ?? video.attributes.width);
    const height = Number(rep.attributes.height ?? video.attributes.height);
    const codecs = rep.attributes.codecs ?? video.attributes.codecs;
    const vars = { RepresentationID: id, Bandwidth: String(bandwidth) };
    // A Representation's SegmentTemplate inherits the AdaptationSet's attributes and timeline.
    const repTemplate = child(rep, 'SegmentTemplate');
    const setTemplate = child(video, 'SegmentTemplate');
    const template = repTemplate ?? setTemplate;
    const list = child(rep, 'SegmentList') ?? child(video, 'SegmentList');
    let segments: Segment[];
    let initUrl: string | undefined;
    if (template) {
      const attributes = { ...setTemplate?.attributes, ...repTemplate?.attributes };
      const timeline =
        (repTemplate && child(repTemplate, 'SegmentTimeline')) ??
        (setTemplate && child(setTemplate, 'SegmentTimeline'));
      ({ segments, initUrl } = expandTemplate(attributes, timeline, repBase, vars, presentation, url));
    } else if (list) {
      const timescale = Number(list.attributes.timescale ?? 1);
      const duration = Number(list.attributes.duration ?? 0) / timescale;
      const init = child(list, 'Initialization')?.attributes.sourceURL;
      initUrl = init ? new URL(init, repBase).href : undefined;
      segments = children(list, 'SegmentURL').map((s) => ({
        url: new URL(s.attributes.media ?? '', repBase).href,
        duration,
      }));
    } else {
      // SegmentBase / a single file: one "segment" spanning the presentation.
      segments = [{ url: repBase, duration: presentation ?? 0 }];
    }
    return {
      id,
      bandwidth,
      ...(width && height ? { width, height } : {}),
      ...(codecs ? { codecs } : {}),
      ...(initUrl ? { initUrl } : {}),
      segments,
    };
  });
  if (renditions.length === 0) throw new Error(`${url}: the video AdaptationSet has no Representation`);
  return { format: 'dash', manifestUrl: url, live, renditions: renditions.sort((a, b) => a.bandwidth - b.bandwidth) };
}

function isVideo(set: XmlElement): boolean {
  const type = set.attributes.contentType ?? set.attributes.mimeType ?? '';
  if (type.startsWith('video')) return true;
  return children(set, 'Representation').some((r) => (r.attributes.mimeType ?? '').startsWith('video'));
}

function withBase(base: string, element: XmlElement): string {
  const baseUrl = child(element, 'BaseURL')?.text.trim();
  return baseUrl ? new URL(baseUrl, base).href : base;
}

/** Fills $Identifier$ and $Identifier%0Nd$ placeholders; $$ is a literal dollar. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$(\w*)(%0(\d+)d)?\$/g, (whole, name: string, _fmt, width: string | undefined) => {
    if (name === '') return '$';
    const value = values[name];
    if (value === undefined) return whole;
    return width ? String(value).padStart(Number(width), '0') : String(value);
  });
}

function expandTemplate(
  attributes: Record<string, string>,
  timeline: XmlElement | undefined,
  base: string,
  vars: Record<string, string>,
  presentation: number | undefined,
  url: string,
): { segments: Segment[]; initUrl?: string } {
  const timescale = Number(attributes.timescale ?? 1);
  const startNumber = Number(attributes.startNumber ?? 1);
  const media = attributes.media;
  if (!media) throw new Error(`${url}: SegmentTemplate without @media`);
  const initUrl = attributes.initialization
    ? new URL(fillTemplate(attributes.initialization, vars), base).href
    : undefined;
  const segments: Segment[] = [];
  if (timeline) {
    let time = 0;
    let number = startNumber;
    for (const s of children(timeline, 'S')) {
      if (s.attributes.t !== undefined) time = Number(s.attributes.t);
      const d = Number(s.attributes.d);
      const repeat = Number(s.attributes.r ?? 0);
      for (let i = 0; i <= repeat; i++) {
        segments.push({
          url: new URL(fillTemplate(media, { ...vars, Number: number, Time: time }), base).href,
          duration: d / timescale,
        });
        time += d;
        number += 1;
      }
    }
  } else {
    const duration = Number(attributes.duration) / timescale;
    if (!Number.isFinite(duration) || duration <= 0)
      throw new Error(`${url}: SegmentTemplate has neither @duration nor a SegmentTimeline`);
    if (presentation === undefined)
      throw new Error(
        `${url}: a SegmentTemplate with @duration needs the MPD's mediaPresentationDuration (live MPDs without a timeline are not supported)`,
      );
    const count = Math.ceil(presentation / duration - 1e-9);
    for (let i = 0; i < count; i++) {
      const last = i === count - 1 ? presentation - duration * i : duration;
      segments.push({
        url: new URL(
          fillTemplate(media, { ...vars, Number: startNumber + i, Time: Math.round(i * duration * timescale) }),
          base,
        ).href,
        duration: last,
      });
    }
  }
  return { segments, ...(initUrl ? { initUrl } : {}) };
}
