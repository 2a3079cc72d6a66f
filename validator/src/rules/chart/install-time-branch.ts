import { ADMISSION_PARAMETERS, namespaceGuardFiles } from '@nmaas/charts-gen';
import { chartRule } from '../define.js';
import type { Draft, Severity } from '../../types.js';

/** Template actions, `{{ … }}`, with their 1-based line; comments are skipped. */
function actions(text: string): { body: string; line: number }[] {
  const out: { body: string; line: number }[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}/g;
  let line = 1;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    const body = m[1]!.trim();
    if (!body.startsWith('/*')) out.push({ body, line });
  }
  return out;
}

const CONDITION = /^(if|else\s+if|with|range)\b|\bternary\b|:=|\bfail\b|\brequired\b/;
/** `eq .Release.Name "prod"`, `hasPrefix "kube-" .Release.Namespace`: a literal and the release as direct arguments. */
const LITERAL_RELEASE =
  /\b(eq|ne|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch)\s+(\.Release\.(Name|Namespace)\s+"[^"]*"|"[^"]*"\s+\.Release\.(Name|Namespace))/;
const CLOCK_OR_RANDOM =
  /\b(now|date|dateInZone|unixEpoch|randAlpha|randAlphaNum|randNumeric|randAscii|randInt|randBytes|uuidv4|shuffle)\b/;

interface Construct {
  test: RegExp;
  what: string;
  /** Severity when the construct decides a branch (a condition or a variable), and elsewhere. */
  inBranch: Severity;
  elsewhere: Severity;
}

const quoted = (text: string) => `"${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`;
/**
 * The platform's admission parameters, which charts-gen's capability guard reads only to refuse a
 * wrong namespace. Only that guard, byte for byte as charts-gen writes it for this app, earns the
 * note; the same lookup anywhere else is a lookup like any other.
 */
const PARAMETERS_LOOKUP = new RegExp(
  `\\blookup\\s+${quoted(ADMISSION_PARAMETERS.apiVersion)}\\s+${quoted(ADMISSION_PARAMETERS.kind)}`,
);

const GUARD_LOOKUP: Construct = {
  test: PARAMETERS_LOOKUP,
  what: "lookup of the platform's admission parameters in charts-gen's namespace guard (can only refuse the install)",
  inBranch: 'info',
  elsewhere: 'info',
};

const CONSTRUCTS: Construct[] = [
  // Reading a Namespace only says whether it exists; anything else reads what only the install can see.
  {
    test: /\blookup\s+"v1"\s+"Namespace"/,
    what: 'lookup of a Namespace (empty under helm template, so never rendered for review)',
    inBranch: 'info',
    elsewhere: 'info',
  },
  GUARD_LOOKUP,
  {
    test: /\blookup\s+(?!"v1"\s+"Namespace")/,
    what: 'lookup (reads the live cluster at install; empty under helm template, so never rendered for review)',
    inBranch: 'warning',
    elsewhere: 'warning',
  },
  {
    test: /\.Release\.(IsUpgrade|IsInstall)\b/,
    what: '.Release.IsUpgrade / .Release.IsInstall (rendered here as an install and as an upgrade)',
    inBranch: 'warning',
    elsewhere: 'warning',
  },
  {
    test: LITERAL_RELEASE,
    what: 'the release name or namespace compared with a fixed string (rendered here with random ones)',
    inBranch: 'warning',
    elsewhere: 'warning',
  },
  {
    test: /\.Capabilities\.(KubeVersion|APIVersions)\b/,
    what: '.Capabilities (rendered here at both ends of kubeVersion)',
    inBranch: 'info',
    elsewhere: 'info',
  },
  {
    test: CLOCK_OR_RANDOM,
    what: 'the clock or a random function (a different result at every install)',
    inBranch: 'warning',
    elsewhere: 'info',
  },
];

const TEMPLATE_FILE = /(^|\/)templates\/[^/]+(\/[^/]+)*\.(ya?ml|tpl|txt|json)$/;

export default chartRule(
  {
    id: 'NMAAS-INSTALL-TIME-BRANCH',
    title: 'Template that can render differently at install than in review',
    severity: 'warning',
    securitySeverity: 6.0,
    rationale:
      'Review renders the chart with helm template; the install runs against a live cluster with its own release name, namespace, Kubernetes version and clock. A template that branches on those (lookup, .Release.IsUpgrade, a fixed release name, now or rand) can install what review never saw.',
    fix: 'Decide objects from values only. Where a live-cluster branch is needed, make sure every branch renders a safe object and explain it to the reviewer.',
  },
  (chart) => {
    const out: Draft[] = [];
    const guards = chart.manifest ? namespaceGuardFiles(chart.manifest) : [];
    for (const [file, data] of chart.files) {
      if (!TEMPLATE_FILE.test(file)) continue;
      const text = data.toString('utf8');
      const isGuard = guards.some(
        ([name, content]) => (file === name || file.endsWith(`/${name}`)) && text === content,
      );
      for (const { body, line } of actions(text)) {
        const branch = CONDITION.test(body);
        for (const c of CONSTRUCTS) {
          if (c === GUARD_LOOKUP && !isGuard) continue;
          if (!c.test.test(body)) continue;
          const severity = branch ? c.inBranch : c.elsewhere;
          out.push({
            message: `${file}:${line} uses ${c.what}${branch ? ' to decide a branch or a variable' : ''}: {{ ${body.slice(0, 120)} }}`,
            file,
            line,
            value: c.what.split(' (')[0]!,
            severity,
          });
          break;
        }
      }
    }
    return out;
  },
);
