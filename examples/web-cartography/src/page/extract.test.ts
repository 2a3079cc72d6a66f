import { describe, expect, it } from 'vitest';
import { extractFromCss, extractFromHtml } from './extract.js';

describe('extractFromHtml', () => {
  it('finds resources by tag and attribute, honours <base>, skips comments, script bodies, data: and links', () => {
    const html = `<html><head><base href="https://static.example.org/v2/">
      <link rel="stylesheet" href="site.css"><link rel="preload" as="font" href="/f.woff2" crossorigin>
      <link rel="icon" href="https://img.example.net/fav.ico"><link rel="canonical" href="https://www.example.org/">
      <script src='app.js' defer></script><script>var x = "<img src=not-a-tag.png>"</script>
      <!-- <script src="https://old.example.com/x.js"></script> -->
      <style>body { background: url('bg.png') }</style></head>
      <body><img src="data:image/png;base64,AAAA"><img srcset="a.png 1x, https://cdn.example.com/a@2x.png 2x" src="a.png">
      <video poster="p.jpg"><source src="https://media.example.com/v.mp4" type="video/mp4"></video>
      <iframe src="//player.example.tv/embed?id=1&amp;x=2"></iframe><div style="background-image:url(d.png)"></div>
      <a href="https://elsewhere.example.com/">a link is no resource</a></body></html>`;
    const found = extractFromHtml(html, 'https://www.example.org/page');
    expect(found).toEqual([
      { url: 'https://static.example.org/v2/site.css', type: 'stylesheet' },
      { url: 'https://static.example.org/f.woff2', type: 'font' },
      { url: 'https://img.example.net/fav.ico', type: 'image' },
      { url: 'https://static.example.org/v2/app.js', type: 'script' },
      { url: 'https://static.example.org/v2/a.png', type: 'image' },
      { url: 'https://cdn.example.com/a@2x.png', type: 'image' },
      { url: 'https://static.example.org/v2/p.jpg', type: 'image' },
      { url: 'https://media.example.com/v.mp4', type: 'media' },
      { url: 'https://player.example.tv/embed?id=1&x=2', type: 'frame' },
      { url: 'https://static.example.org/v2/d.png', type: 'image' },
      { url: 'https://static.example.org/v2/bg.png', type: 'image' },
    ]);
  });
});

describe('extractFromCss', () => {
  it('reads @import and url(), fonts by extension, relative to the stylesheet', () => {
    const css = `@import url("https://fonts.example.com/css?family=X"); @import 'theme.css';
      /* url(commented.png) */ @font-face { src: url(../fonts/a.woff2?v=1) format('woff2') } .x { background: url( "img/b.svg" ) }`;
    expect(extractFromCss(css, 'https://static.example.org/css/main.css')).toEqual([
      { url: 'https://fonts.example.com/css?family=X', type: 'stylesheet' },
      { url: 'https://static.example.org/css/theme.css', type: 'stylesheet' },
      { url: 'https://static.example.org/fonts/a.woff2?v=1', type: 'font' },
      { url: 'https://static.example.org/css/img/b.svg', type: 'image' },
    ]);
  });
});
