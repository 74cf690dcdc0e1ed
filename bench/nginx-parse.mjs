// Times the nginx parser on deep nesting and on long files at two sizes, and prints how the time grows
// (a ratio near the size ratio means linear). Usage: node bench/nginx-parse.mjs [size]
// It bundles src/parsers/nginx.ts with esbuild into a temporary file first, so it runs on a clean clone.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL, fileURLToPath } from 'node:url';

const size = Number(process.argv[2] ?? 20_000);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'arena-bench-nginx-'));
const entry = join(dir, 'nginx.mjs');
await build({ absWorkingDir: root, stdin: { contents: "export { parseNginx } from './src/parsers/nginx.ts'; export { createSourceFile } from './src/core/source.ts';", resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: entry, logLevel: 'warning' });
const { parseNginx, createSourceFile } = await import(pathToFileURL(entry).href);
const file = createSourceFile;

function time(text) {
  const runs = 5;
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    parseNginx(file('bench.conf', text));
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
const deep = (n) => 'a {'.repeat(n) + '}'.repeat(n);
const wide = (n) => 'server { listen 80; location / { return 200 "ok"; } }\n'.repeat(n);
for (const [name, make] of [['deep nesting', deep], ['long file', wide]]) {
  const small = time(make(size));
  const large = time(make(size * 4));
  console.log(`${name}: ${size} -> ${small.toFixed(1)} ms, ${size * 4} -> ${large.toFixed(1)} ms, x${(large / small).toFixed(2)} for x4 input`);
}
rmSync(dir, { recursive: true, force: true });
