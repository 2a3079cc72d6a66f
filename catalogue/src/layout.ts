/**
 * Where a chart's files live in the repository. `http` is the plain Helm repository (everything
 * at the root, as `helm repo index` expects); `rancher-git` is rancher/partner-charts' layout so
 * the same folder can be a git repository Rancher adds: packages under assets/<name>/, the
 * unpacked chart under charts/<name>/<version>/, and index.yaml at the root with relative urls.
 */
export const LAYOUTS = ['http', 'rancher-git'] as const;
export type Layout = (typeof LAYOUTS)[number];

export function packageUrl(layout: Layout, name: string, version: string): string {
  const file = `${name}-${version}.tgz`;
  return layout === 'rancher-git' ? `assets/${name}/${file}` : file;
}

/** The unpacked chart folder (rancher-git only). */
export function unpackedDir(name: string, version: string): string {
  return `charts/${name}/${version}`;
}
