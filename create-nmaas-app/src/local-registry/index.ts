/**
 * Trying the developer's path from a clone of the NMaaS repository before its packages are on
 * npmjs.com: a private registry on 127.0.0.1, the workspace packages published to it, npm run
 * against it. Used by the repository's end-to-end test, its benchmark and `npm run create-app`;
 * it needs the clone (and its devDependency verdaccio).
 */
export {
  cleanEnv,
  PUBLISHED_WORKSPACES,
  REPO_ROOT,
  startLocalRegistry,
  upstreamRegistry,
  type LocalRegistry,
} from './registry.js';
export { npm, publishWorkspaces, type NpmResult } from './npm.js';
export { createApp, publicLock } from './create-app.js';
export { TOUR_CREATE_ARGS } from './tour.js';
