// Writes everything derived from the rules: docs/rules/*.md and their index, the config schema and its
// compiled validator, and the README rules table. `--check` only lists stale files (exit 1 if any).
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const checkOnly = process.argv.includes('--check');

// The generator is TypeScript and runs the engine on the fixtures; bundle it to run it on plain node.
const outfile = join(root, 'tmp', `generate-${process.pid}.mjs`);
mkdirSync(dirname(outfile), { recursive: true });
await build({
  stdin: {
    contents: "export { generateFiles, staleFiles, writeFiles, RULE_DOCS_DIR } from './src/docs/generate.ts'; export { RULES } from './rules/index.ts';",
    resolveDir: root,
    sourcefile: 'generate-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
try {
  const { generateFiles, staleFiles, writeFiles, RULE_DOCS_DIR, RULES } = await import(pathToFileURL(outfile).href);
  const files = generateFiles(root, RULES);
  const stale = staleFiles(root, files);
  if (checkOnly) {
    if (stale.length) {
      console.error(`stale generated files (run npm run generate):\n${stale.map((p) => `  ${p}`).join('\n')}`);
      process.exitCode = 1;
    }
  } else {
    const written = writeFiles(root, files);
    // A rule that was removed or renamed leaves its old page behind.
    const orphans = stale.filter((p) => p.startsWith(`${RULE_DOCS_DIR}/`) && !files.has(p));
    for (const p of orphans) rmSync(join(root, p));
    for (const p of [...written, ...orphans.map((p) => `${p} (removed)`)]) console.log(`wrote ${p}`);
    if (written.length + orphans.length === 0) console.log('generated files are up to date');
  }
} finally {
  rmSync(outfile, { force: true });
}
