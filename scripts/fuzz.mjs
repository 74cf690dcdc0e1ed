// Runs every property test (test/helpers/property.ts) with fresh random seeds for a time budget,
// then reports what it tried: runs and seeds per property, and each counterexample, which it adds
// to test/regressions/counterexamples.json so that `npm test` replays it from then on.
// Not part of `npm test`: CI runs the same properties with fixed seeds.
//   npm run fuzz -- SECONDS
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.argv[2]);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('usage: npm run fuzz -- SECONDS   (the time budget, e.g. 60)');
  process.exit(2);
}

// The properties, found where they are declared: assertProperty('name', ...), each inside a test
// titled 'property: ...' so that only they run here.
const files = [];
const names = [];
const visit = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) visit(p);
    else if (e.name.endsWith('.test.ts')) {
      const found = [...readFileSync(p, 'utf8').matchAll(/assertProperty\(\s*'([^']+)'/g)].map((m) => m[1]);
      if (found.length) {
        files.push(relative(root, p));
        names.push(...found);
      }
    }
  }
};
visit(join(root, 'test'));

const started = Date.now();
// Leave time for the other tests in those files and for vitest to start and stop.
const reserve = Math.min(10_000, seconds * 100);
const deadline = started + seconds * 1000 - reserve;
mkdirSync(join(root, 'tmp'), { recursive: true });
const report = join(root, 'tmp', `fuzz-${started}.jsonl`);
rmSync(report, { force: true });
console.log(`fuzz: ${names.length} properties in ${files.length} files, random seeds, ${seconds} s budget`);

const vitest = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...files, '--no-file-parallelism', '--silent', '--testNamePattern', 'property: ', `--testTimeout=${seconds * 1000 + 120_000}`], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
  env: { ...process.env, ARENA_FUZZ_DEADLINE: String(deadline), ARENA_FUZZ_PROPERTIES: String(names.length), ARENA_FUZZ_REPORT: report },
});
const records = existsSync(report) ? readFileSync(report, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
rmSync(report, { force: true });
// Every seed of this run, for replay: fc.assert(property, { seed }) reproduces a run exactly.
const last = join(root, 'tmp', 'fuzz-last.json');
writeFileSync(last, `${JSON.stringify({ started: new Date(started).toISOString(), seconds, records }, null, 2)}\n`);

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('property', 30)}${pad('runs', 10)}${pad('seeds', 7)}${pad('ms', 8)}result`);
for (const r of records) {
  console.log(`${pad(r.property, 30)}${pad(r.runs, 10)}${pad(r.seeds.length, 7)}${pad(r.ms, 8)}${r.counterexample ? `COUNTEREXAMPLE (seed ${r.failingSeed}, path ${r.path})` : 'ok'}`);
  console.log(`${' '.repeat(30)}seeds: ${r.seeds.slice(0, 8).join(', ')}${r.seeds.length > 8 ? `, ... (${r.seeds.length - 8} more in ${relative(root, last)})` : ''}`);
}
for (const name of names.filter((n) => !records.some((r) => r.property === n))) {
  console.log(`${pad(name, 30)}not run (skipped: the program it needs is missing, or its file failed first)`);
}

// Keep every counterexample: the normal suite runs the stored ones before its fixed-seed runs.
const storePath = join(root, 'test', 'regressions', 'counterexamples.json');
const store = JSON.parse(readFileSync(storePath, 'utf8'));
const found = records.filter((r) => r.counterexample);
let added = 0;
for (const r of found) {
  const list = (store[r.property] ??= []);
  const key = JSON.stringify(r.counterexample);
  if (!list.some((c) => JSON.stringify(c) === key)) {
    list.push(r.counterexample);
    added++;
  }
  console.log(`\ncounterexample for ${r.property} (replay: seed ${r.failingSeed}, path "${r.path}"):\n  ${key}\n  ${r.error?.split('\n')[0] ?? ''}`);
}
if (added) writeFileSync(storePath, `${JSON.stringify(store, null, 2)}\n`);

const runs = records.reduce((n, r) => n + r.runs, 0);
const seeds = records.reduce((n, r) => n + r.seeds.length, 0);
console.log(`\n${runs} runs over ${seeds} seeds of ${records.length} properties in ${((Date.now() - started) / 1000).toFixed(1)} s; ${found.length} counterexample(s)${added ? `, ${added} new, kept in ${relative(root, storePath)}` : ''}`);
if (vitest.status !== 0 && found.length === 0) {
  // Not a property failure: show vitest's own account.
  console.log(`\nvitest exited ${vitest.status}:\n${(vitest.stdout ?? '').split('\n').filter((l) => /FAIL|×|Error/.test(l)).slice(0, 40).join('\n')}${vitest.stderr ? `\n${vitest.stderr.slice(0, 4000)}` : ''}`);
}
process.exit(found.length || vitest.status !== 0 ? 1 : 0);
