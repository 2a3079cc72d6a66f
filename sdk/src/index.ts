/** @nmaas/sdk: the app model, the scheduling contract and the measurement runtime. */
export * from './model/index.js';
export * from './contract.js';
export * from './runtime/index.js';
export { registerCommands } from './commands.js';
