/**
 * Artifact upload through dist/index.js in a child process (smoke): @actions/artifact, bundled, talks to a local
 * results service (Twirp JSON) and uploads to Azurite, the Azure Storage emulator. The behaviour:
 * test/integration/artifact.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { ArtifactService } from '../helpers/artifact-service';
import { runAction } from '../helpers/run-action';

const service = new ArtifactService();
const fixture = useActionFixture({
  reset: { processingPolls: 0, resultBytes: 300_000 },
  services: [service],
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), 'download-path': fixture.dir }),
});
const { emulator } = fixture;

describe('artifact upload (smoke)', () => {
  it('uploads the result as an artifact and outputs its id', async () => {
    const run = await runAction(fixture.inputs({ 'artifact-name': 'upscaled-trailer' }), { env: service.env() });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect((await service.blob('upscaled-trailer.mp4')).equals(emulator.resultBytes())).toBe(true);
    expect(run.outputs['artifact-id']).toBe(String(service.artifacts.get('upscaled-trailer.mp4')!.id));
  });
});
