/** Public API of the placement engine (see scheduler/ENGINE_API.md). */
export { Engine } from './engine.js';
export {
  type Booking,
  type EngineOptions,
  type EngineSnapshot,
  type LinkSnapshot,
  type Migration,
  type NodeSnapshot,
  type Assignment,
  type PlaceOptions,
  type PlaceResult,
  type Amount,
  type Refusal,
  type RefusalBase,
  type RefusalWindow,
  type RuleCounts,
  type TooSmall,
  type RejectCode,
  type PlacementPolicy,
} from './types.js';
/** What a placement policy (EngineOptions.policy) reads: the node state, the compiled shape, the static rules. */
export { staticFilter, type StaticRejection } from './filter.js';
export type { NodeState } from './node-state.js';
export type { Shape } from './shape.js';
export { toAmount } from './units.js';
export {
  instanceFromContract,
  InstanceSpecError,
  nodeSpecFromOffer,
  normalizeInstance,
  normalizeNode,
  type InstanceSpec,
  type NodeSpec,
} from './instance.js';
export { describeRefusal, type NameOf } from './reporting.js';
export {
  checkPlacement,
  CheckCycleError,
  MAX_SWEEP_EVENTS,
  type CheckProblem,
  type CheckReport,
  type ProblemKind,
} from './check.js';
export { MAX_PERIOD_SECONDS } from './period.js';
export { runsMeet } from './rules/exclusive.js';
export { declaredLinks, describeLinkLoad, type LinkBlock } from './rules/link.js';
export { formatPeriod, formatSlot, isActive } from './time.js';
export { allowedPhases, isAllowedPhase } from './rules/start-window.js';
export { UsageError, parseApps, parseNodes, parsePlacement, readApps, readNodes, readPlacement } from './codec.js';
