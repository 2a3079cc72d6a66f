/** The engine's own decision, in arrival order: the strategy the production webhook runs. */
import type { Strategy } from './strategy.js';

export const nmaas: Strategy = {
  name: 'nmaas',
  summary: 'nmaas (ours): time-aware best fit with look-ahead and readapt',
  policy: null,
  migrates: true,
  order: (_nodes, instances) => instances,
};
