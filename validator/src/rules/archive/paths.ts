/** Path helpers shared by the archive rules: Helm treats `\` as `/`, so do the archive rules. */
export function slashed(p: string): string {
  return p.replaceAll('\\', '/');
}
export function segments(p: string): string[] {
  return slashed(p)
    .split('/')
    .filter((s) => s !== '' && s !== '.');
}
