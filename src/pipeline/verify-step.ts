/**
 * The verify step of a clip (input `verify`): once its task completed, and
 * after its result was saved when it is downloaded, reads what each result is
 * (from the saved file, else over a few range requests) and checks it against
 * the source preflight read. It fills the clip's media facts for the outputs
 * and the summary; problems are one warning, or under `verify: fail` the
 * clip's failure. A result that cannot be read is not checked: one notice.
 */
import type { ClipPlan, ClipProgress, MediaSummary, SourceMedia } from '../model/clip';
import { formatBytes } from '../shared/format';
import type { ActionInputs } from '../inputs/parse';
import { sourceName } from '../shared/urls';
import { VerifyError } from '../shared/errors';
import {
  describeUpscale,
  mediaResultFields,
  probeResultFile,
  probeResultUrl,
  uncheckedMessage,
  verificationMessage,
  verifyResult,
  type ResultFacts,
  type ResultProbe,
} from '../media/result-check';

export interface VerifyContext {
  inputs: Pick<ActionInputs, 'verify' | 'upscaleFactor'>;
  signal: AbortSignal;
}

/** The part of a clip's log the step writes to (a ClipLog). */
export interface VerifyLog {
  info(message: string): void;
  warning(message: string): void;
}

/**
 * Probes and checks a completed clip's results; does nothing under `verify:
 * off` or when the task did not complete. Throws VerifyError under `verify:
 * fail` when a result is not what was asked for (its facts are kept first, so
 * the outputs still say what it is), and CancelledError when cancelled.
 */
export async function verifyClip(plan: ClipPlan, progress: ClipProgress, ctx: VerifyContext, log: VerifyLog): Promise<void> {
  const { inputs, signal } = ctx;
  if (inputs.verify === 'off' || progress.stage !== 'completed' || !progress.taskId) return;
  const taskId = progress.taskId;
  const clip = plan.source ? sourceName(plan.source) : taskId;
  const source = plan.sourceMedia;
  const count = progress.videoUrls.length;
  const problems: string[] = [];
  let first: ResultFacts | undefined;
  for (const [index, url] of progress.videoUrls.entries()) {
    // A saved result is read from disk: not one more request to the result host.
    const file = progress.files[index];
    const probe = file ? await probeResultFile(file.path) : await probeResultUrl(url, { signal });
    const which = count > 1 ? `result ${index + 1} of ${count}: ` : '';
    if (index === 0) first = probe.facts;
    if (!probe.facts) {
      const notice = uncheckedMessage(clip, taskId, `${which}${probe.reason ?? 'its header could not be read'}`);
      // Asked to fail on a wrong result, the user should see that this one went unchecked.
      if (inputs.verify === 'fail') log.warning(notice);
      else log.info(notice);
      continue;
    }
    log.info(`Result${count > 1 ? ` ${index + 1}` : ''} of task ${taskId}: ${describeUpscale(source, probe.facts)} (${probeCost(probe, file !== undefined)}).`);
    problems.push(...verifyResult(source, probe.facts, inputs.upscaleFactor).map((problem) => `${which}${problem}`));
  }
  progress.media = mediaSummary(source, first);
  if (problems.length === 0) return;
  const message = verificationMessage(clip, taskId, problems);
  if (inputs.verify === 'fail') throw new VerifyError(message, taskId, problems);
  log.warning(message);
}

/** The outputs' and the summary's view of the source and the first result; no description when nothing is known. */
export function mediaSummary(source: SourceMedia | undefined, result: ResultFacts | undefined): MediaSummary {
  const fields = mediaResultFields(source, result);
  const description = describeUpscale(source, result);
  return {
    width: fields.width ?? undefined,
    height: fields.height ?? undefined,
    duration: fields.duration ?? undefined,
    sourceWidth: fields.source_width ?? undefined,
    sourceHeight: fields.source_height ?? undefined,
    sourceDuration: fields.source_duration ?? undefined,
    description: description === '?' ? undefined : description,
  };
}

function probeCost(probe: ResultProbe, fromDisk: boolean): string {
  const read = formatBytes(probe.bytesFetched);
  return fromDisk ? `read from the saved file, ${read}` : `${probe.requests} request${probe.requests === 1 ? '' : 's'}, ${read} read`;
}
