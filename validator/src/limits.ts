/**
 * Archive limits. The size limits are Helm's own (pkg/chart/loader/archive: 5 MiB per file,
 * 100 MiB decompressed in total) so the validator refuses what helm would refuse, before helm
 * ever sees it.
 */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 100 * 1024 * 1024;
export const MAX_ENTRIES = 10_000;
/**
 * Decompressed/compressed ratio above which an archive is a bomb. Real charts are text and
 * compress 3–20×; gzip's ceiling is about 1030×. The ratio is only judged once MIN_RATIO_BYTES
 * are out, because tar headers of a tiny chart compress very well and mean nothing.
 */
export const MAX_COMPRESSION_RATIO = 100;
export const MIN_RATIO_BYTES = 1024 * 1024;
/** PAX/long-name headers larger than this are refused by the tar parser (node-tar's default). */
export const MAX_META_ENTRY_BYTES = 1024 * 1024;
