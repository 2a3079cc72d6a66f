/** The seeded generator lives beside the engine so the re-planner (shared with the webhook) can use it. */
export { Random } from '../engine/random.js';
