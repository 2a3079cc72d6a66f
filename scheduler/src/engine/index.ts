/** Public API of the placement engine (see scheduler/ENGINE_API.md). */
export {
  Engine,
  type Booking,
  type EngineOptions,
  type EngineSnapshot,
  type Migration,
  type NodeSnapshot,
  type Placement,
  type PlaceResult,
  type RejectCode,
  type StrategyName,
} from './engine.js';
export {
  instanceFromContract,
  InstanceSpecError,
  nodeSpecFromOffer,
  normalizeInstance,
  normalizeNode,
  type InstanceSpec,
  type NodeSpec,
} from './instance.js';
export { checkPlacement, type CheckProblem, type CheckReport, type ProblemKind } from './check.js';
export { allowedPhases, formatPeriod, formatSlot, isActive, isAllowedPhase } from './time.js';
