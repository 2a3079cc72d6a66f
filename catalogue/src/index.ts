/** @nmaas/catalogue: builds the NMaaS Helm repository (reproducible, immutable, signed) and serves it with a browse page. */
import type { Command } from 'commander';
import { registerCatalogueCommands } from './cli.js';

export {
  buildRepository,
  BuildRefusedError,
  INDEX_FILE,
  type BuildOptions,
  type BuildResult,
  type BuiltChart,
  type ProgressEvent,
} from './build.js';
export { loadChartDir, chartFromArchive, archiveEntries, type LoadedChart } from './chart-source.js';
export { parseChartYaml, ChartError, packageFileName, type ChartMetadata } from './chart-metadata.js';
export { parseIndex, stringifyIndex, type IndexFile, type ChartVersionEntry } from './index-file.js';
export { packArchive, readArchive, sha256Hex, ARCHIVE_MTIME } from './tgz.js';
export { LAYOUTS, type Layout } from './layout.js';
export { readSigningKey, signProvenance, type SigningKey } from './provenance.js';
export { serveCatalogue, createCatalogueServer, type RunningServer, type ServeOptions } from './serve/server.js';
export { loadCatalogue, type AppSummary } from './serve/apps.js';
export { startCatalogue } from './start.js';
export { writeSampleCharts } from './sample-charts.js';

/** Adds `nmaas catalogue build|serve` to the CLI. */
export function registerCommands(program: Command): void {
  registerCatalogueCommands(program);
}
