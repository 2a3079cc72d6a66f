/** Simulation, checking and workload generation around the engine (public through the package index). */
export { registerEngineCommands } from './commands.js';
export { UsageError, parseApps, parseNodes, parsePlacement, readApps, readNodes, readPlacement } from './io.js';
export { ffdOrder, percentile, simulate, type SimulationResult, type SimulationStrategy } from './run.js';
export { STRATEGIES, STRATEGY_NAMES, type Strategy, type StrategyName } from './strategies/index.js';
export { buildExactModel, EXACT_MAX_TERMS, ExactTooLargeError, solveExact, type ExactResult } from './exact.js';
export { renderTimeline } from './svg.js';
export {
  APP_TEMPLATES,
  EXAMPLE_APPS,
  generateWorkload,
  POOLS,
  type Workload,
  type WorkloadOptions,
} from './workload.js';
export { Random } from './random.js';
export { formatQualityTable, qualityTable, type QualityRow, type QualityTable } from './quality.js';
export { replan, type ReplanMove, type ReplanOptions, type ReplanResult } from './replan/replan.js';
