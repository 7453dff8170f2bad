import { errorText } from './shared/errors';
import { run } from './main';
import { coreIO } from './report/reporter';

// The runner executes dist/index.js; everything happens in run().
run().then(
  ({ mustExit }) => {
    // A cancelled step ends now, even if an upload it stopped waiting for still holds a socket open;
    // so does one whose Actions cache call was abandoned at its time limit (skip-unchanged), once it has reported.
    if (mustExit) process.exit();
  },
  (error: unknown) => {
    // Only a failure to report (e.g. an unwritable GITHUB_OUTPUT) lands here: one line, no stack trace.
    coreIO().setFailed(`The action could not finish reporting: ${errorText(error)}`);
  },
);
