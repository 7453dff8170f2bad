/** How URLs are shown to the user: signed queries and credentials are never printed. */

/** The URL without query string, fragment or credentials: signed URLs carry secrets in the query. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.slice(0, 100);
  }
}

/** The file name of a source, for lists. */
export function sourceName(url: string): string {
  try {
    const { pathname } = new URL(url);
    return decodeURIComponent(pathname.split('/').filter(Boolean).pop() ?? '') || displayUrl(url);
  } catch {
    return url.slice(0, 60);
  }
}
