import { describe, expect, it } from 'vitest';
import { artifactUrl, checkArtifactRuntime, singleFileArtifactName } from '../../src/delivery/artifact';
import { InputError } from '../../src/shared/errors';

const runner = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results.example/' };

describe('checkArtifactRuntime', () => {
  it('accepts a github.com or GHE.com runner', () => {
    expect(() => checkArtifactRuntime(runner)).not.toThrow();
    expect(() => checkArtifactRuntime({ ...runner, GITHUB_SERVER_URL: 'https://github.com' })).not.toThrow();
    expect(() => checkArtifactRuntime({ ...runner, GITHUB_SERVER_URL: 'https://octo.ghe.com' })).not.toThrow();
  });

  it.each([
    [{}, /ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set/],
    [{ ACTIONS_RUNTIME_TOKEN: 't' }, /but ACTIONS_RESULTS_URL is not set/],
    [{ ...runner, GITHUB_SERVER_URL: 'https://ghes.corp.example' }, /GitHub Enterprise Server \(ghes\.corp\.example\)/],
    [{ ...runner, GITHUB_SERVER_URL: 'not a url' }, /GITHUB_SERVER_URL is not a URL/],
  ])('refuses %o in one line', (env, pattern) => {
    expect(() => checkArtifactRuntime(env)).toThrow(InputError);
    expect(() => checkArtifactRuntime(env)).toThrow(pattern);
    expect(() => checkArtifactRuntime(env)).toThrow(/^[^\n]+$/);
  });
});

describe('artifactUrl', () => {
  it('links the artifact on the run page like actions/upload-artifact', () => {
    const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/repo', GITHUB_RUN_ID: '123' };
    expect(artifactUrl(42, env)).toBe('https://github.com/octo/repo/actions/runs/123/artifacts/42');
    expect(artifactUrl(42, { ...env, GITHUB_SERVER_URL: 'https://octo.ghe.com/' })).toBe('https://octo.ghe.com/octo/repo/actions/runs/123/artifacts/42');
  });

  it('gives no link without the run context', () => {
    expect(artifactUrl(42, { GITHUB_REPOSITORY: 'octo/repo' })).toBeUndefined();
    expect(artifactUrl(42, { GITHUB_REPOSITORY: 'not-a-repo', GITHUB_RUN_ID: '1' })).toBeUndefined();
  });
});

describe('singleFileArtifactName', () => {
  it('keeps the .mp4 extension so the artifact downloads as a playable file', () => {
    expect(singleFileArtifactName('upscaled')).toBe('upscaled.mp4');
    expect(singleFileArtifactName('trailer.MP4')).toBe('trailer.MP4');
  });
});
