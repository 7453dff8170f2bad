/**
 * An ActionIO that records what the action would show on a runner: log lines
 * (in the runner's `::command::` form, so tests read them as a user would),
 * outputs, the failure and the job summary. Inputs come from a plain object.
 */
import type { ActionIO } from '../../src/report/reporter';

export class RecordingIO implements ActionIO {
  readonly lines: string[] = [];
  readonly outputs: Record<string, string> = {};
  readonly secrets: string[] = [];
  failed?: string;
  summary = '';

  constructor(private readonly inputs: Record<string, string> = {}) {}

  getInput(name: string): string {
    return this.inputs[name] ?? '';
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  info(line: string): void {
    this.lines.push(line);
  }
  debug(line: string): void {
    this.lines.push(`::debug::${line}`);
  }
  warning(line: string): void {
    this.lines.push(`::warning::${line}`);
  }
  error(line: string): void {
    this.lines.push(`::error::${line}`);
  }
  startGroup(title: string): void {
    this.lines.push(`::group::${title}`);
  }
  endGroup(): void {
    this.lines.push('::endgroup::');
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  setFailed(message: string): void {
    this.failed = message;
    this.lines.push(`::error::${message}`);
  }
  appendSummary(markdown: string): Promise<void> {
    this.summary += markdown;
    return Promise.resolve();
  }

  /** Annotations of level error, as the run page shows them. */
  get errors(): string[] {
    return this.lines.filter((line) => line.startsWith('::error::')).map((line) => line.slice('::error::'.length));
  }
}
