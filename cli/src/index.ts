export {
  buildProgram,
  buildFullProgram,
  requestedCommand,
  TOP_COMMANDS,
  EXIT_CODES_HELP,
  type TopCommand,
} from './program.js';
