/** Every rule, in the order `--list-rules` prints them. One module per rule. */
import type { Rule } from '../types.js';
import absolutePath from './archive/absolute-path.js';
import parentPath from './archive/parent-path.js';
import drivePath from './archive/drive-path.js';
import link from './archive/link.js';
import specialFile from './archive/special-file.js';
import topLevel from './archive/top-level.js';
import fileSize from './archive/file-size.js';
import totalSize from './archive/total-size.js';
import compressionRatio from './archive/compression-ratio.js';
import entryCount from './archive/entry-count.js';
import malformed from './archive/malformed.js';
import chartYaml from './chart/chart-yaml.js';
import apiVersion from './chart/api-version.js';
import versionSemver from './chart/version-semver.js';
import chartName from './chart/name-matches-folder.js';
import kubeVersion from './chart/kube-version.js';
import valuesSchema from './chart/values-schema.js';
import rancherFiles from './chart/rancher-files.js';
import manifest from './chart/manifest.js';
import capabilityJustification from './chart/capability-justification.js';
import appMismatch from './chart/app-mismatch.js';
import catalogueVersion from './chart/catalogue-version.js';
import render from './chart/render.js';
import selfExemption from './chart/self-exemption.js';
import hostProcess from './pss/host-process.js';
import hostNamespaces from './pss/host-namespaces.js';
import privileged from './pss/privileged.js';
import capabilitiesBaseline from './pss/capabilities-baseline.js';
import hostPath from './pss/host-path.js';
import hostPorts from './pss/host-ports.js';
import hostProbes from './pss/host-probes.js';
import apparmor from './pss/apparmor.js';
import selinux from './pss/selinux.js';
import procMount from './pss/proc-mount.js';
import seccompBaseline from './pss/seccomp-baseline.js';
import sysctls from './pss/sysctls.js';
import volumeTypes from './pss/volume-types.js';
import privilegeEscalation from './pss/privilege-escalation.js';
import runAsNonRoot from './pss/run-as-non-root.js';
import runAsUser from './pss/run-as-user.js';
import seccompRestricted from './pss/seccomp-restricted.js';
import capabilitiesRestricted from './pss/capabilities-restricted.js';
import capabilityUndeclared from './workload/capability-undeclared.js';
import netCapabilityContainer from './workload/net-capability-container.js';
import resources from './workload/resources.js';
import imageDigest from './workload/image-digest.js';
import imagePlaceholder from './workload/image-placeholder.js';
import imageRegistry from './workload/image-registry.js';
import imageMismatch from './workload/image-matches-manifest.js';
import saToken from './workload/service-account-token.js';
import secretObject from './workload/secret-object.js';
import secretLiteral from './workload/secret-literal.js';
import rbacScope from './workload/rbac-scope.js';
import rbacWildcard from './workload/rbac-wildcard.js';
import clusterScoped from './workload/cluster-scoped.js';
import foreignNamespace from './workload/foreign-namespace.js';
import readOnlyRoot from './workload/read-only-root.js';
import serviceExposure from './workload/service-exposure.js';
import networkPolicy from './workload/network-policy.js';
import metricsEndpoint from './workload/metrics-endpoint.js';
import schedulingContract from './workload/scheduling-contract.js';

export const RULES: readonly Rule[] = [
  absolutePath, parentPath, drivePath, link, specialFile, topLevel, fileSize, totalSize, compressionRatio, entryCount, malformed,
  chartYaml, apiVersion, versionSemver, chartName, kubeVersion, valuesSchema, rancherFiles, manifest, capabilityJustification, appMismatch, catalogueVersion, render, selfExemption,
  hostProcess, hostNamespaces, privileged, capabilitiesBaseline, hostPath, hostPorts, hostProbes, apparmor, selinux, procMount, seccompBaseline, sysctls,
  volumeTypes, privilegeEscalation, runAsNonRoot, runAsUser, seccompRestricted, capabilitiesRestricted,
  capabilityUndeclared, netCapabilityContainer, resources, imageDigest, imagePlaceholder, imageRegistry, imageMismatch, saToken, secretObject, secretLiteral,
  rbacScope, rbacWildcard, clusterScoped, foreignNamespace, readOnlyRoot, serviceExposure, networkPolicy, metricsEndpoint, schedulingContract,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.meta.id, r]));
