/**
 * The validator's vocabulary: findings, rules and the inputs rules look at. Rules are pure
 * functions of these inputs (Helm's pkg/lint/rules style): everything impure (reading the
 * archive, running helm) happens before, in input/ and render/, so a rule is tested with data.
 */
import type { AppManifest } from '@nmaas/sdk/model';
import type { PeerRules } from './rules/peers.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];
export type PssLevel = 'baseline' | 'restricted';

/** Which input a rule reads. */
export type RuleScope = 'archive' | 'chart' | 'objects';

export interface RuleMeta {
  /** Stable id, `NMAAS-<AREA>-<WHAT>`. Never reuse an id for a different check. */
  id: string;
  title: string;
  severity: Severity;
  /** The Pod Security Standards level whose control this rule enforces, when it is one. */
  pss?: PssLevel;
  /** Why the check exists: the attack or accident it prevents. */
  rationale: string;
  /** How to fix a finding. */
  fix: string;
  scope: RuleScope;
  /** SARIF `security-severity` (0.1–10.0) for GitHub code scanning. */
  securitySeverity: number;
  /** The other scanners' rules that check the same thing, where one exists. */
  peers?: PeerRules;
}

/** What a rule reports; the engine adds the rule's id, default severity and the app. */
export interface Draft {
  message: string;
  /** `Kind/name` of the rendered object, or a file for chart-level findings. */
  object?: string;
  container?: string;
  /** The offending value (capability, image, path…): exemptions may name it. */
  value?: string;
  /** File the finding is about, relative to the submission root. */
  file?: string;
  line?: number;
  /** Overrides the rule's default severity for this one finding. */
  severity?: Severity;
}

export interface Finding extends Draft {
  ruleId: string;
  severity: Severity;
  title: string;
  app?: string;
  /** Names of the value sets (defaults, lower-bounds, upper-bounds) whose render showed it. */
  valueSets?: string[];
}

// ---- archive / folder scan ----

export type EntryType =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo' | 'other';

export interface ScannedEntry {
  /** The path exactly as the archive (or folder walk) gives it. */
  path: string;
  type: EntryType;
  /** Declared size in bytes (tar header or lstat). */
  size: number;
  linkpath?: string;
}

/** Everything the archive rules need: the entry list and the byte counts, no file contents. */
export interface ArchiveScan {
  /** 'archive' for a .tgz read from its stream, 'folder' for a chart or app folder walk. */
  source: 'archive' | 'folder';
  /** The chart name the `<name>-<version>.tgz` file name implies, when it follows Helm's naming. */
  expectedTopLevel?: string;
  /** `name` from the archive's `<top>/Chart.yaml`, when it parses. */
  chartName?: string;
  entries: ScannedEntry[];
  compressedBytes: number;
  decompressedBytes: number;
  /** Set when the scan stopped early because a hard limit was crossed. */
  stoppedAt?: { limit: 'total-size' | 'ratio' | 'entries'; afterBytes: number; afterEntries: number };
  /** Entries whose declared size exceeded the per-file limit (content not kept). */
  oversized: string[];
  /** Structural problems of the tar stream: bad checksums, bodies shorter than their header says. */
  malformed: string[];
}

// ---- chart ----

export interface ChartFile {
  /** Path relative to the chart root, with '/' separators. */
  path: string;
  data: Buffer;
}

export interface ChartInput {
  /** Folder name of the chart (top-level folder of the archive, or the chart folder's name). */
  dirName: string;
  files: Map<string, Buffer>;
  /** Parsed nmaas.yaml when present and valid. */
  manifest?: AppManifest;
  /** Versions already published for this chart name (from --catalogue), when given. */
  publishedVersions?: string[];
  /** helm template failures, by value set. */
  renderErrors?: { valueSet: string; message: string; refused: boolean }[];
  /** Rendered documents Kubernetes would read differently from a reviewer, or not at all, by value set. */
  /** Every successful render: value set, the release and namespace it was rendered into, its objects. */
  renders?: { valueSet: string; release: string; namespace: string; objects: RenderedObject[] }[];
  decodeProblems?: {
    valueSet: string;
    kind: 'duplicate-key' | 'unparsable';
    message: string;
    source?: string;
    line?: number;
  }[];
}

// ---- rendered objects ----

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export interface RenderedObject {
  object: K8sObject;
  /** Template file that produced it, relative to the chart root (from helm's `# Source:` line). */
  source?: string;
  /** Value set names whose render produced this object. */
  valueSets: string[];
}

export interface ObjectsInput {
  objects: RenderedObject[];
  /** The value set these objects were rendered with: `defaults`, `lower-bounds`, `upper-bounds`, `switches-off`. */
  valueSet: string;
  /** That value set's overrides on top of values.yaml (none for the defaults): what the user chose in the form. */
  values?: Record<string, unknown>;
  /** The namespace the chart was rendered into: objects must stay there. */
  namespace: string;
  manifest?: AppManifest;
  /** Registries images may come from (policy `allowedRegistries`, or the default list). */
  allowedRegistries: string[];
}

interface RuleBase {
  meta: RuleMeta;
}
export interface ArchiveRule extends RuleBase {
  meta: RuleMeta & { scope: 'archive' };
  check(scan: ArchiveScan): Draft[];
}
export interface ChartRule extends RuleBase {
  meta: RuleMeta & { scope: 'chart' };
  check(chart: ChartInput): Draft[];
}
export interface ObjectsRule extends RuleBase {
  meta: RuleMeta & { scope: 'objects' };
  check(input: ObjectsInput): Draft[];
}
export type Rule = ArchiveRule | ChartRule | ObjectsRule;

export interface ExemptionUse {
  rule: string;
  app: string;
  container?: string;
  value?: string;
  justification: string;
  expires: string;
}

export interface ValidationReport {
  target: string;
  kind: 'app' | 'chart' | 'archive';
  chart?: { name: string; version?: string };
  /** Active findings (exempted ones are in `exempted`). */
  findings: Finding[];
  exempted: { finding: Finding; exemption: ExemptionUse }[];
  /** Value sets rendered with helm template (install contexts are named `install:…`). */
  valueSets: string[];
  /** How many times helm template ran. */
  renderCount?: number;
  /** Whether archive checks stopped the validation before anything was unpacked. */
  rejectedBeforeUnpack: boolean;
  summary: Record<Severity, number>;
}
