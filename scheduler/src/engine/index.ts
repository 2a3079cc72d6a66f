/** Public API of the placement engine (see scheduler/ENGINE_API.md). */
export { Engine } from './engine.js';
export {
  type Booking,
  type EngineOptions,
  type EngineSnapshot,
  type Migration,
  type NodeSnapshot,
  type Placement,
  type PlaceResult,
  type Amount,
  type Refusal,
  type RefusalBase,
  type RefusalWindow,
  type RuleCounts,
  type TooSmall,
  type RejectCode,
  type StrategyName,
} from './types.js';
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
export { checkPlacement, type CheckProblem, type CheckReport, type ProblemKind } from './check.js';
export { allowedPhases, formatPeriod, formatSlot, isActive, isAllowedPhase } from './time.js';
export { UsageError, parseApps, parseNodes, parsePlacement, readApps, readNodes, readPlacement } from './codec.js';
