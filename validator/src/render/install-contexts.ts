/**
 * The install contexts a chart is rendered in besides the reviewer's defaults. A template can
 * branch on what only the install knows (the release name and namespace, `.Release.IsUpgrade`,
 * `.Capabilities.KubeVersion`), so it is rendered with a random release name and namespace that
 * no template can guess, as an upgrade, and at both ends of its declared `kubeVersion` range.
 */
import { randomBytes } from 'node:crypto';
import semver from 'semver';
import type { InstallContext } from './render.js';

/** Kubernetes minor releases a chart may be installed on (helm's --kube-version takes any). */
const FIRST_MINOR = 19;
const LAST_MINOR = 35;

/** A release or namespace name no template can predict: a DNS label with a random suffix. */
export function randomName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function randomContext(): InstallContext {
  return { release: randomName('r'), namespace: randomName('ns') };
}

/** The oldest and newest Kubernetes minor versions the range admits (none when it admits none we know). */
export function kubeVersionEnds(range: string | undefined): string[] {
  if (range === undefined || semver.validRange(range) === null) return [];
  const fits: string[] = [];
  for (let minor = FIRST_MINOR; minor <= LAST_MINOR; minor++) {
    const v = `1.${minor}.0`;
    if (semver.satisfies(v, range, { includePrerelease: true })) fits.push(v);
  }
  if (fits.length === 0) return [];
  return fits.length === 1 ? [fits[0]!] : [fits[0]!, fits[fits.length - 1]!];
}

export interface NamedContext {
  /** Shown as the value set name: `install:upgrade`, `install:kube-1.25.0`. */
  name: string;
  context: InstallContext;
}

/** The contexts in which the chart is rendered again at its defaults. */
export function installContexts(kubeVersionRange: string | undefined): NamedContext[] {
  const out: NamedContext[] = [{ name: 'install:upgrade', context: { ...randomContext(), upgrade: true } }];
  for (const v of kubeVersionEnds(kubeVersionRange))
    out.push({ name: `install:kube-${v}`, context: { ...randomContext(), kubeVersion: v } });
  return out;
}
