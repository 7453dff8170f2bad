// Cold-start floor: a bundle that only loads @actions/core and reads one input.
import * as core from '@actions/core';

core.getInput('api-key');
