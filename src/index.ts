import { run } from './main';

// The runner executes dist/index.js; everything happens in run().
void run();
