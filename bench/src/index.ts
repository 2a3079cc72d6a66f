/** Benchmarks are run by `npm run bench`; each `<name>.bench.ts` default-exports an async `Bench`. */
export type Bench = () => Promise<Record<string, unknown>>;
