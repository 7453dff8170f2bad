/**
 * End to end on an instant job: the action (submit → poll → outputs) against
 * the curl + jq loop doing the same calls, same emulator, same poll interval.
 */
import { join, resolve } from 'node:path';
import { ReapiEmulator } from '../test/emulator/emulator';
import { actionEnv, median, ms, ratio, rows, timeCommand } from './lib';
import { ACTION_NODE } from '../test/helpers/action-node';

const root = resolve(import.meta.dirname, '..');
const INTERVAL = '0.1';

export async function benchEndToEnd(runs: number): Promise<void> {
  const emulator = await new ReapiEmulator().start();
  const ours: number[] = [];
  const curl: number[] = [];
  const requests = { ours: 0, curl: 0, preflight: 0 };
  for (let i = 0; i <= runs; i++) {
    emulator.reset({ apiKey: 'bench', processingPolls: 0 });
    const source = emulator.sourceUrl();
    const env = actionEnv({ 'api-key': 'bench', 'api-base-url': emulator.apiUrl, 'video-url': source, 'poll-interval': INTERVAL });
    const action = await timeCommand(ACTION_NODE, [join(root, 'dist/index.js')], env);
    if (action.code !== 0) throw new Error(`the action failed: ${action.stdout}`);
    requests.ours = emulator.apiRequests().length;
    requests.preflight = emulator.cdnRequests().length;
    emulator.reset({ apiKey: 'bench', processingPolls: 0 });
    const script = await timeCommand('bash', [join(root, 'bench/curl-loop.sh'), emulator.apiUrl, 'bench', emulator.sourceUrl(), INTERVAL]);
    if (script.code !== 0) throw new Error('the curl loop failed');
    requests.curl = emulator.apiRequests().length;
    if (i === 0) continue; // warm-up
    ours.push(action.ms);
    curl.push(script.ms);
  }
  await emulator.stop();
  rows.push({
    section: 'End to end (instant job)',
    measure: `submit → completed → outputs, poll interval ${INTERVAL}s; API requests ${requests.ours} vs ${requests.curl}, plus ${requests.preflight} preflight requests to the source host (action only)`,
    ours: ms(median(ours)),
    baseline: `${ms(median(curl))} (curl + jq loop)`,
    ratio: ratio(median(ours), median(curl)),
  });
}
