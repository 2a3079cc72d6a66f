/** Test support shared by the example apps' tests (a DNS server, a multi-host site, a namespace testbed). Never used at run time. */
export {
  startTestDnsServer,
  type TestDnsServer,
  type TestDnsServerOptions,
  type Zone,
  type ZoneRecord,
} from './dns-server.js';
export { startMultiHostSite, type MultiHostSite, type SiteHandler, type SiteRequest } from './multi-host-site.js';
export { sampleValue } from './prom-text.js';
export {
  buildImageLayout,
  buildStageCommand,
  startContainerEntry,
  type ImageLayout,
  type RunningEntry,
} from './image-layout.js';
export { dockerfileChecks, submissionChecks, type Check } from './example-checks.js';
export {
  createNetnsTestbed,
  netnsSupport,
  tbfArgs,
  waitForLine,
  type NetnsSupport,
  type NetnsTestbed,
  type NetnsTestbedOptions,
} from './netns-testbed.js';
