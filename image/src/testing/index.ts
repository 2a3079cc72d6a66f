/** Test support for other packages (`@nmaas/image/testing`): a real registry and a runc runner. */
export { startRegistry, type TestRegistry, type RegistryAuth } from './registry-process.js';
export { startContainer, unpackImage, type RunningContainer } from './runc-harness.js';
