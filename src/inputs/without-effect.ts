/**
 * Inputs that were set but change nothing, given the others: each is worth a
 * warning (a typo'd or forgotten companion input), never an error, since the
 * run itself is valid.
 */
export interface InputWithoutEffect {
  input: string;
  /** What it needs to mean something, as the warning says it. */
  needs: string;
}

/** The raw text of each input (`get`) and what parsing made of the ones the others depend on. */
export function inputsWithoutEffect(
  get: (name: string) => string,
  parsed: { artifactName?: string; videoFiles: readonly string[]; bucketInputSet: boolean },
): InputWithoutEffect[] {
  const unused: InputWithoutEffect[] = [];
  if (get('retention-days') && !parsed.artifactName) unused.push({ input: 'retention-days', needs: "'artifact-name'" });
  if (get('source-bucket') && parsed.videoFiles.length === 0) unused.push({ input: 'source-bucket', needs: "'video-file'" });
  for (const input of ['s3-endpoint', 's3-region']) {
    if (get(input) && !parsed.bucketInputSet) unused.push({ input, needs: "'video-file' or 'result-bucket'" });
  }
  return unused;
}
