import { objectsRule } from '../define.js';
import { allContainers, arr, objectId, rec, str } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';
import type { Draft } from '../../types.js';

const SECRET_NAME = /(PASSW(OR)?D|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
/** Flags, numbers and paths: `ALLOW_EMPTY_PASSWORD=yes` or `TOKEN_FILE=/run/token` holds no secret. */
const NOT_A_SECRET = /^(true|false|yes|no|on|off|y|n|\d+|\/[\w./-]*)$/i;
/** Well-known credential shapes: these are secrets wherever they appear. */
const SECRET_VALUE: [string, RegExp][] = [
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ['a Slack token', /\bxox[abpr]-[A-Za-z0-9-]{10,}/],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
];

export function secretShape(value: string): string | undefined {
  return SECRET_VALUE.find(([, re]) => re.test(value))?.[0];
}

export default objectsRule(
  {
    id: 'NMAAS-SECRET-LITERAL',
    title: 'Secret-looking literal value',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A password, token or key written into env or a ConfigMap is readable by anyone who can read the chart or the pod spec.',
    fix: 'Remove the literal; take it from a user-provided Secret with env.valueFrom.secretKeyRef.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const c of allContainers(input.objects)) {
      for (const e of arr(c.c.env).map(rec)) {
        const name = str(e?.name) ?? '';
        const value = str(e?.value);
        if (value === undefined || value === '') continue;
        const shape = secretShape(value);
        if (shape) out.push(onContainer(c, `env ${name} holds ${shape}`, name));
        else if (SECRET_NAME.test(name) && !NOT_A_SECRET.test(value))
          out.push(onContainer(c, `env ${name} has a literal value; a secret belongs in a Secret reference`, name));
      }
    }
    for (const o of input.objects.filter((x) => x.object.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries(rec(o.object.data) ?? {})) {
        const shape = typeof value === 'string' ? secretShape(value) : undefined;
        if (shape)
          out.push({
            message: `data ${key} holds ${shape}`,
            object: objectId(o.object),
            ...(o.source ? { file: o.source } : {}),
            value: key,
          });
      }
    }
    return out;
  },
);
