/**
 * Everything the action prints or hands on goes through here: log lines,
 * annotations, groups, outputs and the failure. Each text is scrubbed of the
 * run's secrets and made one line, so no value from the network or the
 * inputs can print a workflow command (`::error::…`, `::stop-commands::…`)
 * or a key. Nothing else in src/ calls @actions/core's output functions
 * (the lint config enforces it).
 */
import * as core from '@actions/core';
import { redact } from './redact';
import { logLine, oneLine } from './text';

/** One line, no secret, never the start of a workflow command. */
export function safeLine(text: string): string {
  return logLine(redact(text));
}

export function info(message: string): void {
  core.info(safeLine(message));
}

export function debug(message: string): void {
  core.debug(safeLine(message));
}

export function notice(message: string): void {
  core.notice(safeLine(message));
}

export function warning(message: string): void {
  core.warning(safeLine(message));
}

export function error(message: string): void {
  core.error(safeLine(message));
}

export function setFailed(message: string): void {
  core.setFailed(safeLine(message));
}

export function startGroup(title: string): void {
  core.startGroup(safeLine(title));
}

export function endGroup(): void {
  core.endGroup();
}

/**
 * An output value: no secret, one line. The escapes are JSON's own (`\n`,
 * `\u2028`), so a JSON output stays valid and means the same.
 */
export function setOutput(name: string, value: string): void {
  core.setOutput(name, oneLine(redact(value)));
}

/** Appends Markdown to the job summary, scrubbed of secrets. */
export async function appendSummary(markdown: string): Promise<void> {
  await core.summary.addRaw(redact(markdown), true).write();
}
