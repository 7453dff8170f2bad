/**
 * Every side effect the user sees goes through here: log lines, annotations,
 * outputs, the step's failure and the job summary. `ActionIO` is the injected
 * primitive (the runner's `@actions/core` in the action, a recorder in tests),
 * as actions/cache injects its StateProvider. `Reporter` is the run's `Log`,
 * makes one `Log` per clip, and turns the clips' events (ClipEvent) into their
 * lines and outputs. It is the only place that knows whether the run has one
 * clip or many, and lays logs and the summary out accordingly: one clip gets
 * log groups and the detailed card; several get prefixed lines (groups cannot
 * interleave) and a table.
 */
import * as core from '@actions/core';
import type { TaskEnvelope } from '../reapi/client';
import { runStatus, type ClipEvent, type ClipOutcome, type ClipPlan, type ClipStatus } from '../model/clip';
import type { Log } from '../shared/log';
import { replacedWarning } from '../delivery/targets';
import { resumeHint, resumedFromAttemptInfo, stagedKeptInfo } from '../shared/wording';
import { formatBytes, formatElapsed } from '../shared/format';
import { redact, registerSecret } from '../shared/redact';
import { clipLabel, clipResults, finalStatus, resumableTaskIds, stepFailure, type RunReport } from './outputs';
import { renderCard, renderTable } from './summary';
import { logLine, oneLine } from '../shared/text';

/** The primitive side effects of an action. */
export interface ActionIO {
  getInput(name: string): string;
  setSecret(value: string): void;
  info(line: string): void;
  debug(line: string): void;
  warning(line: string): void;
  /** An error annotation (the step does not fail by it). */
  error(line: string): void;
  startGroup(title: string): void;
  endGroup(): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  /** Appends Markdown to the job summary (nothing outside a runner). */
  appendSummary(markdown: string): Promise<void>;
}

/** One line, no secret, never the start of a workflow command: how every log line and annotation leaves the action. */
export function safeLine(text: string): string {
  return logLine(redact(text));
}

/**
 * The runner's side effects, through `@actions/core`. This is the last line of
 * defence for untrusted text: every line is scrubbed of the run's secrets and
 * made one line (so no value can print a workflow command such as
 * `::stop-commands::`), every output is scrubbed and made one line (JSON
 * escapes, so a JSON output stays valid), and the summary is scrubbed. Secrets
 * set here join the run's redactor. Nothing else in src/ calls @actions/core's
 * output functions (the lint config enforces it).
 */
export function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    setSecret: (value) => registerSecret(value),
    info: (line) => core.info(safeLine(line)),
    debug: (line) => core.debug(safeLine(line)),
    warning: (line) => core.warning(safeLine(line)),
    error: (line) => core.error(safeLine(line)),
    startGroup: (title) => core.startGroup(safeLine(title)),
    endGroup: () => core.endGroup(),
    setOutput: (name, value) => core.setOutput(name, oneLine(redact(value))),
    setFailed: (message) => core.setFailed(safeLine(message)),
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      try {
        await core.summary.addRaw(redact(markdown), true).write();
      } catch (error) {
        core.warning(safeLine(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`));
      }
    },
  };
}

/** How often a run of several clips says how far it has got. */
const PROGRESS_EVERY_MS = 30_000;

export class Reporter implements Log {
  private plans: readonly ClipPlan[] = [];
  private readonly started = new Map<number, string>();
  private readonly byTask = new Map<string, ClipPlan>();
  private readonly settled = new Map<number, ClipOutcome>();

  constructor(
    private readonly io: ActionIO,
    private readonly startedAt = Date.now(),
  ) {}

  private get many(): boolean {
    return this.plans.length > 1;
  }

  /** The clips of the run, once known: from here on, logs are laid out for one clip or many. */
  setClips(plans: readonly ClipPlan[]): void {
    this.plans = plans;
  }

  info(line: string): void {
    this.io.info(line);
  }

  warning(line: string): void {
    this.io.warning(line);
  }

  debug(line: string): void {
    this.io.debug(line);
  }

  /** "#3 clip.mp4" among several, "clip.mp4" alone; a resumed task without a source by its id. */
  label(plan: ClipPlan): string {
    return clipLabel(plan, this.many);
  }

  /** A part of the run in its own collapsible log group. */
  async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.io.startGroup(title);
    try {
      return await work();
    } finally {
      this.io.endGroup();
    }
  }

  /** Where one clip's lines go: prefixed among several clips, whose parts are lines rather than groups (groups cannot interleave). */
  clipLog(plan: ClipPlan): Log {
    const prefix = this.many ? `[${this.label(plan)}] ` : '';
    return {
      info: (message) => this.io.info(`${prefix}${message}`),
      debug: (message) => this.io.debug(message),
      warning: (message) => this.io.warning(`${prefix}${message}`),
      group: (title, work) => {
        if (!this.many) return this.group(title, work);
        this.io.info(`${prefix}${title}`);
        return work();
      },
    };
  }

  /** What happened to a clip, as lines (through its log) and outputs. */
  clipEvent(plan: ClipPlan, event: ClipEvent, log: Log = this.clipLog(plan)): void {
    switch (event.type) {
      case 'resuming':
        return log.info(`Resuming task ${event.taskId} (no new submission, nothing billed again).`);
      case 'resumed-rerun':
        return log.info(resumedFromAttemptInfo(event.taskId, event.attempt));
      case 'submitted':
        return log.info(`Task ${event.taskId} created (status: ${event.status}).`);
      case 'task-started': {
        this.started.set(plan.index, event.taskId);
        this.byTask.set(event.taskId, plan);
        this.publishTaskIds();
        // A clip not settled yet is still on its way.
        this.io.setOutput('status', runStatus(this.liveStatus().map((status) => (status === 'pending' ? 'processing' : status))));
        return;
      }
      case 'task-completed':
        return log.info(`Task ${event.taskId} completed in ${formatElapsed(event.elapsedMs)}: ${event.videoUrls.join(', ')}`);
      case 'not-waiting':
        return log.info(`wait is false: not waiting. ${event.running ? resumeHint(event.taskId) : ''}`.trim());
      case 'saved':
        log.info(`Saved ${event.file.path} (${formatBytes(event.file.bytes)}).`);
        if (event.replaced) log.warning(replacedWarning(event.file.path));
        return;
      case 'staged':
        return log.info(`Staged ${event.path} as ${event.object} (${formatBytes(event.bytes)} in ${formatElapsed(event.elapsedMs)}).`);
      case 'staged-deleted':
        return log.info(`Deleted the staged ${event.object}.`);
      case 'staged-kept':
        return log.info(stagedKeptInfo(event.object, event.taskId));
      case 'stored':
        return log.info(`Stored ${event.object} (${formatBytes(event.bytes)}).`);
      case 'failed':
        // Each failure of several is its own annotation; the step's final line sums them up.
        if (this.many) this.io.error(`${this.label(plan)}: ${event.message}`);
        return;
    }
  }

  /** A poll found a task still running: a line for one clip, debug detail among several. */
  pollProgress(task: TaskEnvelope, elapsedMs: number, polls: number): void {
    const line = `Task ${task.id}: ${task.status} after ${formatElapsed(elapsedMs)} (poll ${polls})`;
    const plan = this.byTask.get(task.id);
    if (!this.many || !plan) this.io.info(line);
    else this.io.debug(`[${this.label(plan)}] ${line}`);
  }

  clipSettled(outcome: ClipOutcome): void {
    this.settled.set(outcome.plan.index, outcome);
  }

  /** Starts the clips' work: among several, a line now and a progress line every 30 s; returns what ends it. */
  startClips(concurrency: number): () => void {
    if (!this.many) return () => undefined;
    this.io.info(`Upscaling ${this.plans.length} clips, at most ${concurrency} at a time.`);
    const timer = setInterval(() => this.io.info(this.progressLine()), PROGRESS_EVERY_MS);
    timer.unref();
    return () => {
      clearInterval(timer);
      this.io.info(this.progressLine());
    };
  }

  private liveStatus(): Array<ClipStatus | 'pending'> {
    return this.plans.map((plan) => this.settled.get(plan.index)?.status ?? (this.started.has(plan.index) ? 'processing' : 'pending'));
  }

  private progressLine(): string {
    const counts = new Map<string, number>();
    for (const status of this.liveStatus()) counts.set(status, (counts.get(status) ?? 0) + 1);
    const order = ['completed', 'processing', 'pending', 'failed', 'skipped'];
    const parts = order.filter((status) => counts.has(status)).map((status) => `${counts.get(status)} ${status === 'pending' ? 'waiting for a slot' : status}`);
    return `Progress after ${formatElapsed(Date.now() - this.startedAt)}: ${parts.join(', ')}.`;
  }

  /** task-id (the first clip's) and task-ids, set as soon as a task exists so a step that later fails or is killed still hands them on. */
  private publishTaskIds(outcomes?: readonly ClipOutcome[]): void {
    const ids = outcomes
      ? outcomes.map((outcome) => outcome.taskId).filter((id): id is string => id !== undefined)
      : this.plans.map((plan) => this.started.get(plan.index)).filter((id): id is string => id !== undefined);
    if (ids[0]) this.io.setOutput('task-id', ids[0]);
    this.io.setOutput('task-ids', JSON.stringify(ids));
  }

  /** Outputs, the step's failure and the job summary, at the end of the run. */
  async report(report: RunReport): Promise<void> {
    const { outcomes, artifact } = report;
    this.publishTaskIds(outcomes);
    const status = finalStatus(report);
    const failure = stepFailure(report);
    if (status) this.io.setOutput('status', status);
    const urls = outcomes.flatMap((outcome) => outcome.videoUrls);
    if (urls.length > 0) {
      this.io.setOutput('video-url', urls[0] as string);
      this.io.setOutput('video-urls', JSON.stringify(urls));
    }
    const paths = outcomes.flatMap((outcome) => outcome.files.map((file) => file.path));
    if (paths.length > 0) {
      this.io.setOutput('video-path', paths[0] as string);
      this.io.setOutput('video-paths', JSON.stringify(paths));
    }
    if (report.billableSeconds !== undefined) this.io.setOutput('billable-seconds', String(report.billableSeconds));
    if (artifact) {
      this.io.setOutput('artifact-id', String(artifact.id));
      this.io.setOutput('artifact-url', artifact.url ?? '');
    }
    if (report.release) {
      this.io.setOutput('release-url', report.release.url);
      this.io.setOutput('release-asset-urls', JSON.stringify(outcomes.flatMap((outcome) => (outcome.releaseAssets ?? []).map((asset) => asset.url))));
    }
    if (outcomes.some((outcome) => outcome.bucketObjects)) {
      this.io.setOutput('bucket-objects', JSON.stringify(outcomes.flatMap((outcome) => outcome.bucketObjects ?? [])));
    }
    const results = clipResults(outcomes);
    // The first clip's result, as its results[] entry has it.
    const { width, height, duration } = results[0] ?? {};
    if (width != null) this.io.setOutput('video-width', String(width));
    if (height != null) this.io.setOutput('video-height', String(height));
    if (duration != null) this.io.setOutput('video-duration', String(duration));
    this.io.setOutput('results', JSON.stringify(results));
    if (failure) this.io.setFailed(failure);
    const summary = { ...report, status: status ?? 'skipped', failure, resumeTaskIds: failure ? resumableTaskIds(outcomes) : [] };
    await this.io.appendSummary(this.many ? renderTable(summary) : renderCard(summary));
  }
}
