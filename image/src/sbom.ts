/**
 * An SPDX 2.3 (JSON) software bill of materials for a built image: the Node.js runtime and Debian
 * packages of the base layer (with the SHA-256 of the exact archives used) and every npm package
 * of the app layer. The document carries no wall-clock time, so it is as reproducible as the image.
 */
import type { AppPackage } from './app-layer.js';
import type { BaseComponent } from './base-layer.js';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo: string;
  downloadLocation: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  filesAnalyzed: false;
  checksums?: Array<{ algorithm: 'SHA256'; checksumValue: string }>;
  externalRefs: Array<{ referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }>;
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: Array<{ spdxElementId: string; relationshipType: string; relatedSpdxElement: string }>;
}

const spdxId = (prefix: string, name: string, version: string) =>
  `SPDXRef-${prefix}-${`${name}-${version}`.replace(/[^A-Za-z0-9.-]/g, '-')}`;
const license = (value: string | undefined) => (value && /^[A-Za-z0-9.+() -]+$/.test(value) ? value : 'NOASSERTION');

export function buildSbom(
  imageName: string,
  manifestDigest: string,
  base: readonly BaseComponent[],
  app: readonly AppPackage[],
): SpdxDocument {
  const imageId = 'SPDXRef-image';
  const packages: SpdxPackage[] = [
    {
      SPDXID: imageId,
      name: imageName,
      versionInfo: manifestDigest,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      filesAnalyzed: false,
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:oci/${imageName.split('/').pop()}@${encodeURIComponent(manifestDigest)}`,
        },
      ],
    },
  ];
  for (const c of base) {
    const purl =
      c.kind === 'deb'
        ? `pkg:deb/debian/${c.name}@${encodeURIComponent(c.version)}?arch=${c.architecture}&distro=debian-12`
        : `pkg:npm/${c.name}@${c.version}`;
    packages.push({
      SPDXID: spdxId(c.kind, c.name, c.version),
      name: c.name,
      versionInfo: c.version,
      downloadLocation:
        c.kind === 'deb'
          ? `https://deb.debian.org/debian/pool/main/${c.source}`
          : `https://registry.npmjs.org/${c.name}/-/${c.source}`,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: license(c.license),
      copyrightText: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: c.sha256 }],
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }],
      comment: `base layer, from ${c.source}`,
    });
  }
  for (const p of app) {
    packages.push({
      SPDXID: spdxId('npm', p.name, `${p.version}-${p.imagePath}`),
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: license(p.license),
      copyrightText: 'NOASSERTION',
      filesAnalyzed: false,
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:npm/${p.name.replace('@', '%40')}@${p.version}`,
        },
      ],
      comment: `app layer, at ${p.imagePath}`,
    });
  }
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: imageName,
    documentNamespace: `https://nmaas.io/spdx/${imageName}/${manifestDigest}`,
    creationInfo: { created: '1970-01-01T00:00:00Z', creators: ['Tool: nmaas-image'] },
    packages,
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
      ...packages
        .slice(1)
        .map((p) => ({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}
