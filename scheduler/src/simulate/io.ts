/** The simulator reads nodes, apps and placements with the engine's JSON codecs (engine/codec.ts). */
export {
  UsageError,
  parseApps,
  parseNodes,
  parsePlacement,
  readApps,
  readNodes,
  readPlacement,
} from '../engine/codec.js';
