/** The strategies the simulator compares, by name: add one here and it is a `--strategy` value. */
import { ffd } from './ffd.js';
import { kube } from './kube.js';
import { nmaas } from './nmaas.js';
import type { Strategy } from './strategy.js';

export const STRATEGIES = { nmaas, ffd, kube } as const satisfies Record<string, Strategy>;
export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

export { ffdOrder } from './ffd.js';
export type { Strategy } from './strategy.js';
