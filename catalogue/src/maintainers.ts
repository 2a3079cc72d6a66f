/**
 * Placeholder maintainers are refused from what the catalogue publishes: Rancher's app page and
 * Artifact Hub show Chart.yaml's `maintainers` as the people to contact, so an address at a
 * reserved example domain (RFC 2606 / RFC 6761: example.com/.net/.org, the `.example`, `.test`,
 * `.invalid` and `.localhost` names) or a template's dummy name sends users nowhere.
 */
import type { ChartMaintainer } from './chart-metadata.js';

const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
/** Names templates and generators leave behind. */
const DUMMY_NAME =
  /^(your[ -]?name|name|maintainers?|author|owner|todo|tbd|fixme|changeme|john doe|jane doe|foo|bar|me|someone|nobody)$/i;

function hostOfUrl(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** Every reason the chart's maintainers are placeholders; empty when they are real (or absent). */
export function placeholderMaintainerProblems(maintainers: ChartMaintainer[] | undefined): string[] {
  const problems: string[] = [];
  (maintainers ?? []).forEach((m, i) => {
    const at = `maintainers[${i}]`;
    const name = (m.name ?? '').trim();
    if (name === '' || DUMMY_NAME.test(name) || /[<>]/.test(name))
      problems.push(`${at}.name ${JSON.stringify(m.name ?? '')} is a placeholder: name the person or project`);
    if (m.email !== undefined && m.email !== '') {
      const domain = m.email.slice(m.email.lastIndexOf('@') + 1);
      if (!m.email.includes('@') || RESERVED_DOMAIN.test(domain))
        problems.push(
          `${at}.email ${JSON.stringify(m.email)} is a reserved example address nobody reads: give a real one or leave the email out and set url`,
        );
    }
    if (m.url !== undefined && m.url !== '') {
      const host = hostOfUrl(m.url);
      if (host === null || RESERVED_DOMAIN.test(host))
        problems.push(
          `${at}.url ${JSON.stringify(m.url)} is not a real page: point it at the project (e.g. its issue tracker)`,
        );
    }
  });
  return problems;
}
