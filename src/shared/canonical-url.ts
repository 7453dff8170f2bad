/**
 * One spelling per URL, for telling whether two `video-url` items are the
 * same source (each would be billed). Only equivalences that never change
 * which resource is fetched are folded: scheme and host case, the default
 * port, `.` and `..` segments (the WHATWG URL parser does these), the
 * fragment (never sent), an empty `?`, and percent-escapes of unreserved
 * characters and their hex case (RFC 3986 §6.2.2).
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normaliseEscapes(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** The canonical form of an absolute URL; text that is not one is returned unchanged. */
export function canonicalUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  url.hash = '';
  url.pathname = normaliseEscapes(url.pathname);
  // Setting an empty search drops a bare `?`.
  url.search = normaliseEscapes(url.search);
  return url.href;
}
