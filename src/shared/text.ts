/**
 * Safe text: any value, from the network or the inputs, made fit for a log
 * line, an annotation, an output or the Markdown job summary.
 */

/**
 * Characters that end a line or act invisibly: C0 and C1 controls, DEL, the
 * Unicode line and paragraph separators, and the bidirectional overrides.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\r`, `\t`, or `\u001b` style: the escapes JSON uses, so an escaped JSON text stays valid JSON. */
function escapeControl(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** True when the text holds a line break or another control character. */
export function hasControlCharacters(text: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return found;
}

/** Any value as a single line, every control character escaped visibly (a newline becomes `\n`). */
export function oneLine(value: unknown): string {
  return String(value).replace(CONTROL, escapeControl);
}

/** A sentence made a clause of another: its final period dropped ("… failed." → "… failed"). */
export function clause(sentence: string): string {
  return sentence.replace(/\.$/, '');
}

/** At most `max` characters (an ellipsis marks the cut); never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** A value quoted on one line for a message, e.g. "task\n::x" with the newline shown as \n. */
export function quoted(value: unknown, max = 80): string {
  return oneLine(JSON.stringify(truncate(String(value), max)));
}

/**
 * A log line that cannot be a workflow command: a line starting with `::`
 * (the runner ignores leading blanks) is prefixed with a backslash, and the
 * legacy `##[command]` form, which the runner finds anywhere in a line, is
 * broken up as `##\[`.
 */
export function logLine(text: string): string {
  const line = oneLine(text).replace(/##\[/g, '##\\[');
  return /^\s*::/.test(line) ? `\\${line}` : line;
}

/** ASCII punctuation that Markdown or GitHub's table syntax gives a meaning inline (HTML's < > & are entities). */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#!|~]/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text shown literally in the Markdown job summary: one line (breaks become
 * spaces, other controls are escaped), and every character Markdown or HTML
 * would act on is backslash-escaped (< > & become entities), so `[x](url)`, `<img>`, `**` or `|`
 * from a server show as typed.
 */
export function markdownText(text: string): string {
  return oneLine(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(MARKDOWN_SPECIAL, '\\$&')
    .replace(/[&<>]/g, (char) => HTML_ENTITIES[char] ?? char);
}

/** Text as inline code: one line, no backtick can close the span, no pipe can break a table row. */
export function markdownCode(text: string): string {
  return `\`${oneLine(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|')}\``;
}
