export default function setup(): Promise<() => Promise<void>>;
//# sourceMappingURL=vitest.global-setup.d.ts.map