/**
 * `.helmignore` rules, with Helm's own semantics (helm/helm pkg/ignore/rules.go): one glob per
 * line matched with Go's filepath.Match; a pattern without `/` matches the base name only; a
 * leading `/` anchors it at the chart root; a trailing `/` matches directories only; `!` negates
 * (with Helm's quirk that a non-matching negative rule ignores the path); `**` is refused.
 * Helm always adds `templates/.?*` so hidden files in templates/ never ship.
 */
export interface IgnoreRule {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  match: (relPath: string) => boolean;
}

/** Go filepath.Match as a RegExp: `*` and `?` never cross `/`; `[...]`/`[^...]` classes; `\` escapes. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]!);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) throw new Error(`unterminated character class in pattern ${glob}`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\]\\]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
}

export function parseHelmignore(text: string, file = '.helmignore'): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    let rule = line.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**'))
      throw new Error(
        `${file}:${index + 1}: double-star (**) patterns are not supported by Helm; list the folders instead`,
      );
    const raw = rule;
    const negate = rule.startsWith('!') && rule.length > 1;
    if (negate) rule = rule.slice(1);
    const mustDir = rule.endsWith('/');
    if (mustDir) rule = rule.slice(0, -1);
    let match: (p: string) => boolean;
    if (rule.startsWith('/')) {
      const re = globToRegExp(rule.slice(1));
      match = (p) => re.test(p);
    } else if (rule.includes('/')) {
      const re = globToRegExp(rule);
      match = (p) => re.test(p);
    } else {
      const re = globToRegExp(rule);
      match = (p) => re.test(p.slice(p.lastIndexOf('/') + 1));
    }
    rules.push({ raw, negate, mustDir, match });
  });
  return rules;
}

export const DEFAULT_IGNORE_RULES: IgnoreRule[] = parseHelmignore('templates/.?*');

/** Helm's Rules.Ignore, literally (including its handling of negative rules). */
export function isIgnored(rules: readonly IgnoreRule[], relPath: string, isDir: boolean): boolean {
  if (relPath === '' || relPath === '.' || relPath === './') return false;
  for (const rule of rules) {
    if (rule.negate) {
      if (rule.mustDir && !isDir) return true;
      if (!rule.match(relPath)) return true;
      continue;
    }
    if (rule.mustDir && !isDir) continue;
    if (rule.match(relPath)) return true;
  }
  return false;
}
