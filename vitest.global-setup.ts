/**
 * Every test run gets its own temp directory, removed at the end; the run fails if a test left an
 * `nmaas-*` folder in it (see isolateTempDir).
 */
import { isolateTempDir } from './sdk/src/testing/temp-dirs.js';

export default isolateTempDir;
