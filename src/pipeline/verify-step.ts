/**
 * The verify step of a clip (input `verify`): once its task completed, and
 * after its result was saved when it is downloaded, reads what each result is
 * (from the saved file, else over a few range requests) and checks it against
 * the source preflight read. It returns the clip's media facts for the outputs
 * and the summary; problems are one warning, or under `verify: fail` the
 * clip's failure. A result that cannot be read is not checked: one notice.
 */
import type { ClipMedia, ClipPlan } from '../model/clip';
import type { DownloadedFile } from '../delivery/download';
import { formatBytes } from '../shared/format';
import type { ActionInputs } from '../inputs/parse';
import { sourceName } from '../shared/urls';
import { VerifyError } from '../shared/errors';
import type { Log } from '../shared/log';
import {
  describeUpscale,
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

/** What the step found: the upscale's media facts, and under `verify: fail` the clip's failure when a result is not what was asked for. */
export interface Verified {
  media: ClipMedia;
  failure?: VerifyError;
  /** A result is not what was asked for (a warning, or the failure): whatever the verify mode, it is not remembered for reuse. */
  wrong?: boolean;
}

/** The completed task whose results are checked: their URLs, and the files they were saved to, when downloaded. */
export interface DeliveredTask {
  taskId: string;
  videoUrls: readonly string[];
  files: readonly DownloadedFile[];
}

/**
 * Probes and checks a completed clip's results; undefined under `verify:
 * off`. Returns the media facts (the source's and the first result's) even
 * when a result is wrong, so the outputs still say what it is; problems are
 * one warning, or under `verify: fail` the returned failure. Throws only
 * CancelledError.
 */
export async function verifyResults(
  plan: ClipPlan,
  task: DeliveredTask,
  ctx: VerifyContext,
  log: Pick<Log, 'info' | 'warning'>,
): Promise<Verified | undefined> {
  const { inputs, signal } = ctx;
  if (inputs.verify === 'off') return undefined;
  const { taskId } = task;
  const clip = plan.source ? sourceName(plan.source) : taskId;
  const source = plan.sourceMedia;
  const count = task.videoUrls.length;
  const problems: string[] = [];
  let first: ResultFacts | undefined;
  for (const [index, url] of task.videoUrls.entries()) {
    // A saved result is read from disk: not one more request to the result host.
    const file = task.files[index];
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
  const media: ClipMedia = { source, result: first };
  if (problems.length === 0) return { media };
  const message = verificationMessage(clip, taskId, problems);
  if (inputs.verify === 'fail') return { media, failure: new VerifyError(message, taskId), wrong: true };
  log.warning(message);
  return { media, wrong: true };
}

function probeCost(probe: ResultProbe, fromDisk: boolean): string {
  const read = formatBytes(probe.bytesFetched);
  return fromDisk ? `read from the saved file, ${read}` : `${probe.requests} request${probe.requests === 1 ? '' : 's'}, ${read} read`;
}
