/**
 * The forms an app name takes in a project: `my-probe` in package.json and nmaas.yaml,
 * `my_probe` as a metric prefix, `MyProbe` in alert names and `My probe` as a title. Replacing
 * all four keeps a copied template consistent without parsing its code.
 */
export interface NameForms {
  kebab: string;
  snake: string;
  pascal: string;
  display: string;
}

export function nameForms(name: string, display = displayNameOf(name)): NameForms {
  return {
    kebab: name,
    snake: name.replaceAll('-', '_'),
    pascal: name
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(''),
    display,
  };
}

/** `my-probe` → `My probe`. */
export function displayNameOf(name: string): string {
  const words = name.split('-').filter(Boolean);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Replaces every form of `from` by the same form of `to` in one pass (longest token first), so
 * a new name that contains an old token is never replaced twice.
 */
export function replaceNames(text: string, from: NameForms, to: NameForms): string {
  const forms = (['display', 'kebab', 'snake', 'pascal'] as const).filter((form) => from[form].length > 0);
  const byToken = new Map(forms.map((form) => [from[form], to[form]]));
  const tokens = [...byToken.keys()].sort((a, b) => b.length - a.length);
  if (tokens.length === 0) return text;
  const pattern = new RegExp(tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (token) => byToken.get(token) ?? token);
}
