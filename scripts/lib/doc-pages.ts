/**
 * The user documentation: README.md plus one page per topic in docs/. Finds
 * the pages, their links and their heading anchors, so `npm run docs -- --check`
 * and the tests can refuse a link to a missing page or anchor.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { REPO_ROOT } from './action-metadata';

export const README_PAGE = 'README.md';
export const DOCS_DIR = 'docs';

export interface DocPage {
  /** Repository-relative, with forward slashes: `README.md`, `docs/billing.md`. */
  path: string;
  text: string;
}

export interface DocLink {
  target: string;
  line: number;
}

/** README.md, then every docs/*.md in name order. */
export function readDocPages(root = REPO_ROOT): DocPage[] {
  const docs = readdirSync(join(root, DOCS_DIR))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `${DOCS_DIR}/${name}`);
  return [README_PAGE, ...docs].map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** The pages whose links are checked: the documentation, plus CONTRIBUTING.md. */
export function readLinkCheckedPages(root = REPO_ROOT): DocPage[] {
  return [...readDocPages(root), { path: 'CONTRIBUTING.md', text: readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8') }];
}

/** The markdown with fenced code blocks blanked (line count kept), so nothing in them is taken for a heading or link. */
function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined && marker !== undefined) {
        fence = marker;
        return '';
      }
      if (fence !== undefined) {
        if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** The anchor GitHub gives a heading: lower case, punctuation and symbols dropped, spaces as hyphens. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: one per heading (repeats get -1, -2… as on GitHub), plus explicit `id`/`name` attributes. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = withoutFences(markdown);
  for (const [, heading] of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm)) {
    const slug = githubSlug((heading as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(id as string);
  return anchors;
}

/** Inline links and images (`[text](target)`), outside code; the target without its title. */
export function markdownLinks(markdown: string): DocLink[] {
  const links: DocLink[] = [];
  const lines = withoutFences(markdown).split('\n');
  lines.forEach((line, index) => {
    const prose = line.replace(/(`+)(?:(?!\1).)+?\1/g, 'code');
    for (const [, target] of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: target as string, line: index + 1 });
    }
  });
  return links;
}

/** True for links that leave the repository (`https:`, `mailto:`, `//host`): those are not checked here. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('//');
}

/** Where a relative link from `page` lands: the repository-relative path (empty for the page itself) and the anchor. */
export function resolveLink(page: string, target: string): { path: string; anchor: string } {
  const hash = target.indexOf('#');
  const file = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
  const path = file === '' ? page : posix.normalize(posix.join(posix.dirname(page), file)).replace(/\/$/, '');
  return { path, anchor };
}

/** Reads a repository file for the link check; undefined when it does not exist. Directories read as ''. */
export function repositoryReader(root = REPO_ROOT): (path: string) => string | undefined {
  return (path) => {
    const full = join(root, path);
    if (path.startsWith('..') || relative(root, full).split(sep)[0] === '..' || !existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
  };
}

/**
 * One line per broken relative link in the pages: a file that does not exist, or an anchor that no heading of the
 * target Markdown page has. Pages given are read from memory, other files through `read`.
 */
export function linkProblems(pages: readonly DocPage[], read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  const texts = new Map(pages.map((page) => [page.path, page.text] as const));
  const anchorsOf = new Map<string, Set<string>>();
  for (const page of pages) {
    for (const link of markdownLinks(page.text)) {
      if (isExternal(link.target)) continue;
      const where = `${page.path} line ${link.line}: link to ${link.target}`;
      const { path, anchor } = resolveLink(page.path, link.target);
      const text = texts.get(path) ?? read(path);
      if (text === undefined) {
        problems.push(`${where}: ${path} does not exist`);
        continue;
      }
      if (anchor === '' || !path.endsWith('.md')) continue;
      let anchors = anchorsOf.get(path);
      if (!anchors) anchorsOf.set(path, (anchors = headingAnchors(text)));
      if (!anchors.has(anchor)) problems.push(`${where}: ${path} has no heading #${anchor}`);
    }
  }
  return problems;
}

/** The docs/ pages that README.md does not link to. */
export function unlinkedPages(pages: readonly DocPage[]): string[] {
  const readme = pages.find((page) => page.path === README_PAGE);
  const linked = new Set(
    (readme ? markdownLinks(readme.text) : []).filter((link) => !isExternal(link.target)).map((link) => resolveLink(README_PAGE, link.target).path),
  );
  return pages.filter((page) => page.path !== README_PAGE && !linked.has(page.path)).map((page) => page.path);
}
