/** Public API of the admission webhook, its Kubernetes API layer and the scheduler's own chart. */
export {
  startClusterReplica,
  startDevReplica,
  type ClusterReplicaOptions,
  type Replica,
  type ReplicaOptions,
} from './runtime.js';
export { WebhookServer, MAX_BODY_BYTES, type Leadership, type WebhookServerOptions } from './server.js';
export { Decider, type DeciderOptions } from './decider.js';
export {
  AdmissionService,
  type Admission,
  type AdmissionOrigin,
  type AdmissionServiceOptions,
  type BookingName,
  type Placed,
  type Refused,
} from './admission-service.js';
export { describeRefused, bookingLabel, type BookingNameOf } from './refusal-text.js';
export { SchedulerState, BOOKING_ID_ANNOTATION, type StateOptions, type Tracked } from './state.js';
export { parseReview, reviewResponse, BadReview, type Outcome, type ReviewRequest } from './admission-review.js';
export { decisionPatch, contradictions, type JsonPatchOp } from './patch.js';
export { nodesReport, formatNodesReport, type NodesReport } from './nodes-report.js';
export { generateCertificates, findOpenssl, type CertificateFiles } from './certificates.js';
export { registerWebhookCommands, DEFAULT_DEV_NODES } from './commands.js';
export type { KubeApi, KubeObject, Lease, Node, Pod, ObjectList, WatchOptions, WatchHandle } from '../kube/types.js';
export { KubeApiError, isConflict, isNotFound } from '../kube/types.js';
// The client-node implementation is loaded on demand (connectKubeApi); import its module directly
// (`scheduler/src/kube/client-node-api.ts`) only where the real client is wanted eagerly.
export { connectKubeApi, defaultConnection, type KubeConnection } from '../kube/connect.js';
export { LeaderElector, LEADER_URL_ANNOTATION, type LeaderElectionOptions } from '../kube/leader-election.js';
export { Reflector } from '../kube/reflector.js';
export { writeSchedulerChart, chartFiles as schedulerChartFiles, type SchedulerChartOptions } from '../chart/render.js';
