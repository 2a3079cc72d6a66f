/** Expected status codes as operators write them: exact codes (`200`, `301`) or classes (`2xx`). */
export function parseStatusPatterns(patterns: string[]): (status: number) => boolean {
  const tests = patterns.map((raw) => {
    const p = raw.trim().toLowerCase();
    if (/^[1-5]xx$/.test(p)) return (s: number) => Math.floor(s / 100) === Number(p[0]);
    if (/^[1-5]\d\d$/.test(p)) return (s: number) => s === Number(p);
    throw new Error(`expected status code "${raw}" must be a code such as 200 or a class such as 2xx`);
  });
  if (tests.length === 0) return (s) => s >= 200 && s < 300;
  return (status) => tests.some((t) => t(status));
}
