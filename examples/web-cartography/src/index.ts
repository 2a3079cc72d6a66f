/** @nmaas/example-web-cartography: maps the hosts, CNAME chains, addresses and CDNs of web pages. */
import { defineMeasurement } from '@nmaas/sdk';
import { measureWebCartography, type WebCartographyParams } from './measure.js';

export default defineMeasurement<WebCartographyParams>(measureWebCartography);
export type { WebCartographyParams } from './measure.js';
export { mapPage, type PageMap, type HostNode, type MapOptions } from './page/map-page.js';
export { diffMaps, type Change, type ChangeKind } from './page/changes.js';
export { extractFromHtml, extractFromCss, type Resource, type ResourceType } from './page/extract.js';
