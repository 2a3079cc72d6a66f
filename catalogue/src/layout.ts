/**
 * Where a chart's files live in the repository. `http` is the plain Helm repository (everything
 * at the root, as `helm repo index` expects); `rancher-git` is rancher/charts' layout so
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

/**
 * Where an app's icon is published: a file of the repository that Rancher can show. In the git
 * layout Chart.yaml names it `file://assets/icons/…` (Rancher reads it from its clone); in the
 * HTTP layout it is served at `icons/…` beside index.yaml. The file keeps its extension: Rancher
 * types an icon `image/svg+xml` only when its URL ends in `.svg` (see charts-gen's
 * rancher-dashboard.ts for the Rancher source this follows).
 */
export function iconPath(layout: Layout, name: string, version: string, ext: string): string {
  const file = `${name}-${version}${ext}`;
  return layout === 'rancher-git' ? `assets/icons/${file}` : `icons/${file}`;
}

/**
 * Chart.yaml's icon for a published icon file. Rancher fetches icons server-side, resolving a
 * relative URL against the repository URL (rancher/rancher pkg/catalogv2/http/download.go `Icon`,
 * commit 59bd052e, lines 39-47), so without a public URL the HTTP layout names the icon relative
 * to index.yaml; with one, absolutely, for clients that do not resolve (Artifact Hub, browsers
 * reading index.yaml).
 */
export function iconUrl(layout: Layout, file: string, publicUrl?: string): string {
  if (layout === 'rancher-git') return `file://${file}`;
  if (publicUrl === undefined) return file;
  return new URL(file, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}
