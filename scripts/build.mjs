// Bundles the CLI into one file (fast start-up, and the same file serves the GitHub Action).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'none',
  logLevel: 'warning',
  // `yaml` and ajv still use require() internally; an ESM bundle needs a require to give them.
  banner: { js: "import { createRequire as __arenaCreateRequire } from 'node:module'; const require = __arenaCreateRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/arena-lint.js', banner: { js: `#!/usr/bin/env node\n${common.banner.js}` } });
chmodSync('dist/arena-lint.js', 0o755);
