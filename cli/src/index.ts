export { buildProgram, EXIT_CODES_HELP } from './program.js';
