/**
 * The `yaml` package, loaded on first use. It is the largest module a build loads, and the common
 * path (Chart.yaml files the fast reader understands, a fresh repository) never needs it.
 */
import { createRequire } from 'node:module';
import type * as YamlApi from 'yaml';

type YamlModule = typeof YamlApi;
let loaded: YamlModule | undefined;

export function yaml(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}
