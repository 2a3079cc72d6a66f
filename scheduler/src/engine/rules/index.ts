/**
 * The placement rules. The node rules run in this order in the filter, and each counts in a refusal's
 * breakdown; the time rules (capacity, exclusive, start window) and the candidate rules (selector, pin)
 * are read by the phase search and the candidate lists. A new node rule is one module and one line here.
 */
import { affinity } from './affinity.js';
import { antiAffinity } from './anti-affinity.js';
import type { NodeRule } from './node-rule.js';
import { spread } from './spread.js';

export const NODE_RULES = [affinity, antiAffinity, spread] as const satisfies readonly NodeRule[];
export type NodeRuleName = (typeof NODE_RULES)[number]['name'];
export type { NodeRule } from './node-rule.js';
