/**
 * Runs the reApi emulator until interrupted:
 *   npm run emulator -- [--port 8787] [--cdn-port 8788] [--key test-key] [--polls 2]
 * Prints one JSON line with the two origins and a sample source, so scripts can read them. The sample is a real
 * 3.2 s, 64×36 clip (test/fixtures/clip-3.2s-faststart.mp4), so its results are real upscaled MP4s.
 */
import { parseArgs } from 'node:util';
import { ReapiEmulator } from './emulator';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'cdn-port': { type: 'string', default: '0' },
    key: { type: 'string', default: 'test-key' },
    polls: { type: 'string', default: '2' },
  },
});

const emulator = new ReapiEmulator({ apiKey: values.key, processingPolls: Number(values.polls) });
await emulator.start({ api: Number(values.port), cdn: Number(values['cdn-port']) });
const sampleUrl = emulator.addFixture('sample.mp4', 'clip-3.2s-faststart.mp4');
console.log(JSON.stringify({ apiUrl: emulator.apiUrl, cdnUrl: emulator.cdnUrl, sampleUrl, apiKey: values.key }));

const stop = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
