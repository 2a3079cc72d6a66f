/** Simulation, checking and workload generation around the engine (public through the package index). */
export { registerEngineCommands } from './commands.js';
export { UsageError, parseApps, parseNodes, parsePlacement, readApps, readNodes, readPlacement } from './io.js';
export { ffdOrder, percentile, simulate, type SimulationResult, type SimulationStrategy } from './run.js';
export { STRATEGIES, STRATEGY_NAMES, type Strategy, type StrategyName } from './strategies/index.js';
export {
  buildExactModel,
  EXACT_MAX_TERMS,
  exactBlockSeconds,
  ExactTooLargeError,
  solveExact,
  type ExactResult,
} from './exact.js';
export { admitWhenRoom, type AdmitWhenRoomResult } from './admit-when-room.js';
export type { Plan } from './exact-start.js';
export { leftOutWithRoom } from './left-out-with-room.js';
export { renderTimeline } from '../picture/svg.js';
export {
  APP_TEMPLATES,
  EXAMPLE_APPS,
  generateWorkload,
  POOLS,
  type Workload,
  type WorkloadOptions,
} from './workload.js';
export { Random } from './random.js';
export {
  ACS_UP_TO_NODES,
  DEFAULT_REPLAN_METHOD,
  replan,
  REPLAN_METHODS,
  resolveMethod,
  type ReplanMethod,
  type ReplanMove,
  type ReplanOptions,
  type ReplanResult,
} from '../replan/replan.js';
export {
  ENGINE_HORIZON,
  familyQuality,
  formatFamilyTable,
  formatQualityTable,
  NMAAS_COLUMNS,
  QUALITY_REPLAN_LOOP,
  qualityTable,
  type FamilyQuality,
  type FamilyQualityRow,
  type NmaasColumn,
  type QualityRow,
  type QualityTable,
} from './quality.js';
export { FAMILIES, FAMILY_NAMES, HEAVY_FAMILY, family, type Family, type FamilySize } from './families.js';
export { plantedWorkload, type PlantedOptions } from './planted.js';
export { firstFit, type FirstFitResult } from './first-fit.js';
export { overlapRunSeconds } from './overlap.js';
export {
  DEFAULT_RETRY_POLICY,
  runWithRetry,
  type RetryHooks,
  type RetryOutcome,
  type RetryPolicy,
  type WorkloadEvent,
} from './retry.js';
export {
  asLastCreated,
  CLIENT_GO_BACKOFF,
  recreationSeconds,
  runWithControllerRetries,
  type ControllerRetryOutcome,
  type LatePlacement,
} from './controller-retries.js';
export {
  DEFAULT_REPLAN_LOOP,
  ReplanLoopModel,
  replanLoopPolicy,
  type ReplanLoopOutcome,
  type ReplanLoopPolicy,
} from './replan-loop.js';
