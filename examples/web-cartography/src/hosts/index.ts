/** Host mapping shared by the cartography apps: resolver choice, CNAME chains, CDN attribution. */
export {
  createResolver,
  makeLookup,
  resolveAddresses,
  resolveChain,
  type HostResolution,
  type IpFamily,
  type ResolverHandle,
} from './resolver.js';
export { classifyCdn, parseCdnSuffixes, KNOWN_CDN_SUFFIXES } from './cdn.js';
export { fetchUrl, type FetchResult, type FetchOptions, type RedirectHop } from './fetch.js';
