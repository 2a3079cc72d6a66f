import { describe, expect, it } from 'vitest';
import { fillTemplate, parseIsoDuration, parseMpd } from './dash.js';
import { parseAttributes, parseHlsMaster, parseHlsMedia } from './hls.js';

describe('HLS playlists', () => {
  it('reads variants with quoted attributes, sorted by bandwidth, URIs resolved against the playlist', () => {
    const master = `#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1920x1080,CODECS="avc1.640028,mp4a.40.2"
hd/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=500000,CODECS="avc1.42e01e,mp4a.40.2"

https://cdn.example.net/sd/index.m3u8
`;
    const renditions = parseHlsMaster(master, 'https://origin.example.org/live/master.m3u8');
    expect(renditions).toEqual([
      {
        id: 'https://cdn.example.net/sd/index.m3u8',
        bandwidth: 500000,
        codecs: 'avc1.42e01e,mp4a.40.2',
        playlistUrl: 'https://cdn.example.net/sd/index.m3u8',
      },
      {
        id: 'hd/index.m3u8',
        bandwidth: 2000000,
        width: 1920,
        height: 1080,
        codecs: 'avc1.640028,mp4a.40.2',
        playlistUrl: 'https://origin.example.org/live/hd/index.m3u8',
      },
    ]);
    expect(parseAttributes('A=1,B="x,y",C=z')).toEqual({ A: '1', B: 'x,y', C: 'z' });
  });

  it('reads a media playlist with an init map and says whether it ends', () => {
    const media = parseHlsMedia(
      '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.000,\na.m4s\n#EXTINF:3.5,\nb.m4s\n',
      'http://h/p/x.m3u8',
    );
    expect(media).toEqual({
      segments: [
        { url: 'http://h/p/a.m4s', duration: 4, sequence: 7 },
        { url: 'http://h/p/b.m4s', duration: 3.5, sequence: 8 },
      ],
      initUrl: 'http://h/p/init.mp4',
      endList: false,
      targetDuration: 4,
      mediaSequence: 7,
    });
    expect(() => parseHlsMedia('#EXTM3U\nseg.ts\n', 'http://h/x.m3u8')).toThrow(/no #EXTINF/);
    expect(() => parseHlsMaster('#EXTM3U\n', 'http://h/m.m3u8')).toThrow(/no variant/);
  });
});

describe('DASH MPDs', () => {
  it('expands a SegmentTimeline with repeats, $Time$ and BaseURL at several levels, picking the video set', () => {
    const mpd = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S">
  <BaseURL>https://edge1.example.net/v/</BaseURL>
  <Period>
    <AdaptationSet contentType="audio"><Representation id="a" bandwidth="64000"/></AdaptationSet>
    <AdaptationSet mimeType="video/mp4">
      <BaseURL>video/</BaseURL>
      <SegmentTemplate timescale="90000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/t$Time$.m4s">
        <SegmentTimeline><S t="0" d="180000" r="2"/><S d="90000"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="hi" bandwidth="3000000" width="1920" height="1080"/>
      <Representation id="lo" bandwidth="800000" width="640" height="360"><BaseURL>https://edge2.example.net/lo-path/</BaseURL></Representation>
    </AdaptationSet>
  </Period>
</MPD>`;
    const stream = parseMpd(mpd, 'https://origin.example.org/a/manifest.mpd');
    expect(stream.renditions.map((r) => r.id)).toEqual(['lo', 'hi']);
    const [lo, hi] = stream.renditions;
    expect(hi!.segments!.map((s) => [s.url, s.duration])).toEqual([
      ['https://edge1.example.net/v/video/hi/t0.m4s', 2],
      ['https://edge1.example.net/v/video/hi/t180000.m4s', 2],
      ['https://edge1.example.net/v/video/hi/t360000.m4s', 2],
      ['https://edge1.example.net/v/video/hi/t540000.m4s', 1],
    ]);
    expect(hi!.initUrl).toBe('https://edge1.example.net/v/video/hi/init.mp4');
    expect(lo!.segments![0]!.url).toBe('https://edge2.example.net/lo-path/lo/t0.m4s');
  });

  it('expands @duration templates with padded numbers and a short last segment, and SegmentList', () => {
    const mpd = `<MPD type="static" mediaPresentationDuration="PT0H0M9.5S"><Period><AdaptationSet contentType="video">
      <Representation id="r1" bandwidth="1000"><SegmentTemplate duration="4" startNumber="1" media="s_$Number%05d$.mp4"/></Representation>
      <Representation id="r2" bandwidth="2000"><SegmentList duration="5"><SegmentURL media="one.mp4"/><SegmentURL media="two.mp4"/></SegmentList></Representation>
    </AdaptationSet></Period></MPD>`;
    const [r1, r2] = parseMpd(mpd, 'http://h/m.mpd').renditions;
    expect(r1!.segments).toEqual([
      { url: 'http://h/s_00001.mp4', duration: 4 },
      { url: 'http://h/s_00002.mp4', duration: 4 },
      { url: 'http://h/s_00003.mp4', duration: 1.5 },
    ]);
    expect(r2!.segments!.map((s) => s.url)).toEqual(['http://h/one.mp4', 'http://h/two.mp4']);
    expect(parseIsoDuration('P1DT1H2M3.5S')).toBe(86400 + 3723.5);
    expect(fillTemplate('$$x$Number%03d$', { Number: 7 })).toBe('$x007');
  });

  it('says what is wrong with a broken MPD', () => {
    expect(() => parseMpd('<MPD><Period><AdaptationSet></Period></MPD>', 'http://h/m.mpd')).toThrow(/closes/);
    expect(() =>
      parseMpd(
        '<MPD type="dynamic"><Period><AdaptationSet contentType="video"><Representation id="x" bandwidth="1"><SegmentTemplate duration="2" media="$Number$.m4s"/></Representation></AdaptationSet></Period></MPD>',
        'http://h/m.mpd',
      ),
    ).toThrow(/mediaPresentationDuration/);
  });
});
