/**
 * The newcomer's first command (`npm start`): starts the local reApi emulator,
 * runs the bundled action against it exactly as the runner would, and prints
 * the outputs and the job summary. No API key or network needed.
 */
import { ReapiEmulator } from '../test/emulator/emulator';
import { runAction } from '../test/helpers/run-action';

const emulator = await new ReapiEmulator({ apiKey: 'local-demo-key', processingPolls: 3 }).start();
// A real 3.2 s, 64×36 clip (test/fixtures/): preflight reads its duration for the billable seconds, and the emulator's
// result is the same clip upscaled by ffmpeg, which the action probes and checks against it.
const videoUrl = emulator.addFixture('sample.mp4', 'clip-3.2s-faststart.mp4');
const inputs = {
  'api-key': 'local-demo-key',
  'api-base-url': emulator.apiUrl,
  'video-url': videoUrl,
  'upscale-factor': '2',
  'poll-interval': '0.5s',
  timeout: '1m',
};

console.log(`reApi emulator on ${emulator.apiUrl} (results served from ${emulator.cdnUrl})`);
console.log('Running dist/index.js with:');
for (const [name, value] of Object.entries(inputs)) console.log(`  ${name}: ${value}`);
console.log('\n--- action log ---');
const run = await runAction(inputs, { onStdout: (text) => process.stdout.write(text) });
process.stderr.write(run.stderr);
await emulator.stop();

console.log('--- outputs ---');
for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name} = ${value}`);
console.log('\n--- job summary ---');
console.log(run.summary.trim());
console.log(`\nExit code ${run.code} after ${run.durationMs} ms.`);
process.exitCode = run.code ?? 1;
