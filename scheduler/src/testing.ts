/**
 * `@nmaas/scheduler/testing`: the fakes and helpers the scheduler's tests (and benches in this
 * repository) use — an in-memory Kubernetes API server speaking the real wire protocol, a client
 * connected to it, measurement nodes and pods, AdmissionReview bodies and an HTTPS client. Never
 * imported by production code (the import-direction test checks it) and left out of the published
 * package.
 */
export { FakeApiServer, type FakeApiServerOptions } from './kube/fake-api-server.js';
export { fakeCluster } from './kube/test-api.js';
export {
  admissionReview,
  contract,
  contractPod,
  measurementNode,
  patchOf,
  post,
  renderExamplePods,
  type HttpAnswer,
} from './webhook/testing.js';
export { cpuNode, instanceSpec, sixSecondSpec } from './engine/testing.js';
