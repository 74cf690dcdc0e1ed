// The GitHub Action's entry point (action.yml runs the bundle of this file, dist/action.js).
import { runAction } from './main.js';

process.exitCode = runAction({
  env: process.env,
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
});
