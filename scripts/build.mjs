// Bundles the CLI and the GitHub Action, each into one self-contained file (fast start-up; the
// action runs from the committed dist/ with no install step).
// `node scripts/build.mjs --outdir DIR` writes the bundles elsewhere, so a test can compare a fresh
// build with the committed dist/.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { outdir: { type: 'string', default: fileURLToPath(new URL('../dist', import.meta.url)) } } });
const outdir = resolve(values.outdir);
const root = fileURLToPath(new URL('..', import.meta.url));

// yaml's parser reads process.env.LOG_TOKENS (a debugging switch) once per token, and every read of
// process.env is a call into the runtime: on a 1000-replica compose file that was a tenth of parsing.
const yamlParserWithoutTokenLog = {
  name: 'yaml-parser-without-token-log',
  setup(b) {
    b.onLoad({ filter: /[\\/]yaml[\\/]dist[\\/]parse[\\/]parser\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace('if (node_process.env.LOG_TOKENS)', 'if (false)'),
      loader: 'js',
    }));
  },
};

const common = {
  absWorkingDir: root,
  plugins: [yamlParserWithoutTokenLog],
  bundle: true,
  platform: 'node',
  // node20 output also runs on the action's node24 runtime, and the tests run the action on Node 20.
  target: 'node20',
  // CommonJS, all three: Node starts a CommonJS file without its ES module loader (resolve, translate,
  // module jobs: a few ms of every run), and Node 20 can give cached code only to a vm.Script.
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
};

// The package is "type": "module" (its sources and scripts are ES modules); this makes the .js files
// of dist/ CommonJS, so `node dist/arena-lint.js` and the action's `node dist/action.js` keep their names.
mkdirSync(outdir, { recursive: true });
writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// The CLI is the bundle dist/arena-lint.cjs, started by the small dist/arena-lint.js (src/launch.ts),
// which compiles it with a V8 code cache (start-up is what a hook pays on every run).
const cliBundle = join(outdir, 'arena-lint.cjs');
await build({ ...common, entryPoints: ['src/bin.ts'], outfile: cliBundle });
const bundleHash = createHash('sha256').update(await readFile(cliBundle)).digest('hex').slice(0, 16);
const cli = join(outdir, 'arena-lint.js');
await build({
  ...common,
  entryPoints: ['src/launch.ts'],
  outfile: cli,
  define: { __ARENA_LINT_BUNDLE_HASH__: JSON.stringify(bundleHash) },
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(cli, 0o755);
await build({ ...common, entryPoints: ['src/action/index.ts'], outfile: join(outdir, 'action.js') });
