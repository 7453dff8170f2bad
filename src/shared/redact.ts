/**
 * The one place that knows every secret the run holds (the API key and the
 * github-token) and scrubs them from text. Every text that comes from the
 * network is scrubbed as soon as it is read, before it is cut to a length (a
 * cut key is a prefix no mask catches), and everything the action emits is
 * scrubbed again on the way out (see report/reporter.ts).
 */
import * as core from '@actions/core';
import { markdownCode, markdownText } from './text';

export const REDACTED = '***';

/**
 * The spellings a secret can take when a server echoes it back, each also as
 * the Markdown job summary escapes it (`rk_live_x` reads `rk\_live\_x` there),
 * so text escaped before it was scrubbed is still caught on the way out.
 */
export function secretVariants(secret: string): string[] {
  const echoed = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    encodeURI(secret),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
  ];
  const variants = new Set<string>(echoed.flatMap((variant) => [variant, markdownText(variant), markdownCode(variant).slice(1, -1)]));
  return [...variants].filter((variant) => variant.length > 0);
}

/** A pattern for one variant; percent escapes match in either case (%2f as well as %2F). */
function variantPattern(variant: string): string {
  return variant
    .split(/(%[0-9A-F]{2})/)
    .map((part) =>
      /^%[0-9A-F]{2}$/.test(part)
        ? `%[${part[1]}${part[1]?.toLowerCase()}][${part[2]}${part[2]?.toLowerCase()}]`
        : part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
}

/** Knows a set of secrets and replaces each, in every variant, with `***`. */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Adds a secret (blank values are ignored). */
  add(secret: string): void {
    if (!secret || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    // Longest first, so a variant that contains another is replaced whole.
    const variants = [...this.secrets].flatMap(secretVariants).sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(variants.map(variantPattern).join('|'), 'g');
  }

  /** The text with every known secret replaced by `***`. */
  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, REDACTED) : text;
  }

  /** True when the text holds a known secret in any variant. */
  holdsSecret(text: string): boolean {
    return this.redact(text) !== text;
  }
}

const run = new Redactor();

/** Registers a secret of this run: masked by the runner (core.setSecret) and scrubbed by `redact`. */
export function registerSecret(secret: string): void {
  if (!secret) return;
  core.setSecret(secret);
  run.add(secret);
}

/** Text with every secret this run holds replaced by `***`; call it before cutting text to a length. */
export function redact(text: string): string {
  return run.redact(text);
}

/** True when the text holds a secret of this run (a task id or result URL that does must not be used). */
export function holdsSecret(text: string): boolean {
  return run.holdsSecret(text);
}
