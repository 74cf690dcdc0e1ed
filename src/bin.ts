import { join } from 'node:path';
import { main } from './cli.js';
import { userCacheDir } from './core/cache-dir.js';
import { usePythonTreeCache } from './parsers/python-tree-cache.js';

// The command keeps Python syntax trees between runs (a hook checks the same settings.py again and
// again); the library and the GitHub Action do not.
const cacheDir = userCacheDir();
usePythonTreeCache(cacheDir ? join(cacheDir, 'python-trees') : undefined);

// `arena-lint check . | head`: the reader may close the pipe before the report is written. The run's
// verdict stands and only unread output is lost, so end quietly with the exit code the run has.
// (Node reports a write to a closed pipe as an 'error' event after main() has returned.)
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

const code = main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
