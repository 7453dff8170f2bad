/**
 * Artifact upload by the action run in process, for real: @actions/artifact talks to a local results service (Twirp
 * JSON) and uploads to Azurite, the Azure Storage emulator, exactly as it would to GitHub's backend.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionFixture } from '../helpers/action-fixture';
import { ArtifactService, JOB_BACKEND_ID, RUN_BACKEND_ID, runtimeToken } from '../helpers/artifact-service';
import { runInProcess as runAction } from '../helpers/run-in-process';
import { readZip } from '../helpers/zip';

const service = new ArtifactService();
const fixture = useActionFixture({
  reset: { processingPolls: 0, resultBytes: 300_000 },
  services: [service],
  tempDir: true,
  inputs: () => ({ 'video-url': fixture.emulator.sourceUrl('clip.mp4'), 'download-path': fixture.dir }),
});
const { emulator, inputs } = fixture;

const RUN_PAGE = 'https://github.com/octo-org/video-pipeline/actions/runs/987654321/artifacts';

describe('artifact upload', () => {
  it('uploads a single result as the MP4 itself, with the chosen name and retention', async () => {
    const before = Date.now();
    const run = await runAction(inputs({ 'artifact-name': 'upscaled-trailer', 'retention-days': '7' }), { env: service.env() });
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);

    const [create] = service.callsTo('CreateArtifact');
    expect(create!.authorization).toBe(`Bearer ${runtimeToken()}`);
    expect(create!.body).toMatchObject({
      workflow_run_backend_id: RUN_BACKEND_ID,
      workflow_job_run_backend_id: JOB_BACKEND_ID,
      name: 'upscaled-trailer.mp4',
      mime_type: 'video/mp4',
    });
    const expiresInDays = (Date.parse(String(create!.body.expires_at)) - before) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(6.9);
    expect(expiresInDays).toBeLessThan(7.1);

    const result = emulator.resultBytes();
    const [finalize] = service.callsTo('FinalizeArtifact');
    expect(finalize!.body).toMatchObject({ name: 'upscaled-trailer.mp4', size: String(result.length) });
    expect(finalize!.body.hash).toBe(`sha256:${createHash('sha256').update(result).digest('hex')}`);
    expect((await service.blob('upscaled-trailer.mp4')).equals(result)).toBe(true);

    const id = String(service.artifacts.get('upscaled-trailer.mp4')!.id);
    expect(run.outputs['artifact-id']).toBe(id);
    expect(run.outputs['artifact-url']).toBe(`${RUN_PAGE}/${id}`);
    expect(run.summary).toContain(`[upscaled-trailer.mp4](${RUN_PAGE}/${id})`);
    expect(run.summary).toContain('kept 7 days');
    expect(run.summary).toMatch(/artifact upload [\d.]+s\)/);

    // The downloaded file stays where the outputs say, and nothing else is left around it.
    expect(run.outputs['video-path']).toBe(join(fixture.dir, 'clip-2x.mp4'));
    expect((await readFile(join(fixture.dir, 'clip-2x.mp4'))).equals(result)).toBe(true);
    expect(await readdir(fixture.dir)).toEqual(['clip-2x.mp4']);
    expect(run.stdout).toContain('::group::Uploading artifact upscaled-trailer');
  });

  it('uploads several results as one zip without compression, with the repository default retention', async () => {
    emulator.plan('pair', { processingPolls: 0, resultCount: 2 });
    const run = await runAction(inputs({ 'video-url': emulator.sourceUrl('pair.mp4'), 'artifact-name': 'pair-results' }), { env: service.env() });
    expect(run.errors).toEqual([]);

    const [create] = service.callsTo('CreateArtifact');
    expect(create!.body).toMatchObject({ name: 'pair-results', mime_type: 'application/zip' });
    expect(create!.body.expires_at).toBeUndefined();

    const zip = await service.blob('pair-results');
    const entries = readZip(zip);
    expect(entries.map((entry) => entry.name).sort()).toEqual(['pair-2x-1.mp4', 'pair-2x-2.mp4']);
    expect(entries.find((entry) => entry.name === 'pair-2x-1.mp4')!.data.equals(emulator.resultBytes(0))).toBe(true);
    expect(entries.find((entry) => entry.name === 'pair-2x-2.mp4')!.data.equals(emulator.resultBytes(1))).toBe(true);
    // The synthetic MP4s compress well; a zip at least as large as its contents shows compression was off.
    expect(zip.length).toBeGreaterThanOrEqual(2 * emulator.resultBytes().length);

    expect(run.outputs['artifact-url']).toBe(`${RUN_PAGE}/${service.artifacts.get('pair-results')!.id}`);
    expect(run.summary).toContain('repository default retention');
  });

  it('puts every clip of a batch into one artifact, in source order', async () => {
    const sources = [emulator.sourceUrl('intro.mp4'), emulator.sourceUrl('outro.mp4'), emulator.sourceUrl('credits.mp4')];
    const run = await runAction(inputs({ 'video-url': sources.join('\n'), 'artifact-name': 'release-clips', concurrency: '2' }), { env: service.env() });
    expect(run.errors).toEqual([]);
    expect(service.callsTo('CreateArtifact')).toHaveLength(1);
    expect(service.callsTo('CreateArtifact')[0]!.body).toMatchObject({ name: 'release-clips', mime_type: 'application/zip' });
    const entries = readZip(await service.blob('release-clips'));
    expect(entries.map((entry) => entry.name).sort()).toEqual(['credits-2x.mp4', 'intro-2x.mp4', 'outro-2x.mp4']);
    for (const entry of entries) expect(entry.data.equals(emulator.resultBytes())).toBe(true);
    expect(JSON.parse(run.outputs['video-paths']!)).toEqual(['intro-2x.mp4', 'outro-2x.mp4', 'credits-2x.mp4'].map((name) => join(fixture.dir, name)));
    expect(run.outputs['artifact-id']).toBe(String(service.artifacts.get('release-clips')!.id));
    expect(run.summary).toContain('3 clips done');
  });

  it('reports a refused upload in one line, keeping the downloaded file', async () => {
    // A token for another run and job: the results service refuses CreateArtifact with 401.
    const env = { ...service.env(), ACTIONS_RUNTIME_TOKEN: `e30.${Buffer.from('{"scp":"Actions.Results:other-run:other-job"}').toString('base64url')}.c2ln` };
    const run = await runAction(inputs({ 'artifact-name': 'refused' }), { env });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/Uploading the artifact 'refused\.mp4' failed: .*\(401\) Unauthorized/);
    expect(run.errors[0]).toMatch(/re-running with task-id: task_\w+ delivers it again without paying/);
    expect(run.outputs['video-path']).toBe(join(fixture.dir, 'clip-2x.mp4'));
    expect(run.outputs['artifact-id']).toBeUndefined();
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('artifact-name outside a runner', () => {
  it('fails before submitting anything when the runner variables are missing', async () => {
    const run = await runAction(inputs({ 'artifact-name': 'upscaled' }));
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      "Input 'artifact-name' needs a GitHub Actions runner, but ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set; outside a runner use download: true instead.",
    ]);
    expect(emulator.apiRequests()).toHaveLength(0);
  });

  it('fails before submitting anything on GitHub Enterprise Server', async () => {
    const run = await runAction(inputs({ 'artifact-name': 'upscaled' }), { env: { ...service.env(), GITHUB_SERVER_URL: 'https://git.example.com' } });
    expect(run.code).toBe(1);
    expect(run.errors[0]).toMatch(/not supported on GitHub Enterprise Server \(git\.example\.com\)/);
    expect(emulator.apiRequests()).toHaveLength(0);
    expect(service.calls).toHaveLength(0);
  });
});
