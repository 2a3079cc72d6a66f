/** Test support shared by the example apps' tests (a DNS server and a multi-host site on loopback). Never used at run time. */
export { startTestDnsServer, type TestDnsServer, type Zone, type ZoneRecord } from './dns-server.js';
export { startMultiHostSite, type MultiHostSite, type SiteHandler, type SiteRequest } from './multi-host-site.js';
export { sampleValue } from './prom-text.js';
export { buildImageLayout, buildStageCommand, startContainerEntry, freePort, type ImageLayout, type RunningEntry } from './image-layout.js';
export { dockerfileChecks, submissionChecks, type Check } from './example-checks.js';
