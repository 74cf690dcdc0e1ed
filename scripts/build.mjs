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

// @lezer/python's parser tables are strings in lezer's own encoding, decoded by a JavaScript loop
// when the bundle starts: ~40M instructions of every run, Python or not. The build writes the
// decoded tables (taken from the parser itself, so they are what lezer would decode) as base64,
// which Buffer decodes natively; lezer takes an already decoded array as it is.
const lezerPythonTables = {
  name: 'lezer-python-tables',
  setup(b) {
    b.onLoad({ filter: /[\\/]@lezer[\\/]python[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const { parser } = await import(args.path);
      const tokenData = parser.tokenizers.find((t) => t.data instanceof Uint16Array)?.data;
      const tables = { states: parser.states, stateData: parser.data, goto: parser.goto, tokenData };
      let contents = await readFile(args.path, 'utf8');
      for (const [field, array] of Object.entries(tables)) {
        const literal = new RegExp(`\\n  ${field}: "(?:[^"\\\\]|\\\\.)*",\\n`);
        if (!(array instanceof Uint16Array || array instanceof Uint32Array) || !literal.test(contents)) throw new Error(`@lezer/python: no ${field} table to precompute`);
        const bytes = new Uint8Array(array.length * array.BYTES_PER_ELEMENT);
        const view = new DataView(bytes.buffer);
        array.forEach((v, i) => (array.BYTES_PER_ELEMENT === 4 ? view.setUint32(i * 4, v, true) : view.setUint16(i * 2, v, true)));
        contents = contents.replace(literal, `\n  ${field}: __lezerTable(${JSON.stringify(Buffer.from(bytes).toString('base64'))}, ${array.constructor.name}),\n`);
      }
      // Little-endian, as written above; a big-endian machine reads it through a DataView.
      const decoder = `function __lezerTable(base64, Type) {
  const bytes = Buffer.from(base64, "base64");
  const out = new Type(bytes.length / Type.BYTES_PER_ELEMENT);
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] === 1) new Uint8Array(out.buffer).set(bytes);
  else { const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length); for (let i = 0; i < out.length; i++) out[i] = Type === Uint32Array ? view.getUint32(i * 4, true) : view.getUint16(i * 2, true); }
  return out;
}
`;
      return { contents: decoder + contents, loader: 'js' };
    });
  },
};

const common = {
  absWorkingDir: root,
  plugins: [yamlParserWithoutTokenLog, lezerPythonTables],
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
await keepAscii(cliBundle);
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
await keepAscii(join(outdir, 'action.js'));

/**
 * esbuild writes strings, regular expressions, templates and identifiers in ASCII (its default
 * charset), but copies the comments it keeps as they are, and two em-dashes in lezer's doc comments
 * made the whole 1.7 MB bundle a two-byte string in V8: every run spent about 80 ms more on it (the
 * source decoded to UTF-16 and scanned again). What is left outside ASCII is in comments, so writing
 * it as \u escapes changes no code.
 */
async function keepAscii(file) {
  const text = await readFile(file, 'utf8');
  writeFileSync(file, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
