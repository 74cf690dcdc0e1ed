// Wall time of a fresh `arena-lint check` process on the seed's scaled stack, with and without a
// config file, against bare `node -e 0`: start-up is what a pre-commit hook and a CI step pay every
// time. Usage: node scripts/build.mjs && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const cli = join(root, 'dist', 'arena-lint.js');

// A copy with a config, so the config validator is on the measured path too.
const withConfig = mkdtempSync(join(tmpdir(), 'arena-startup-'));
cpSync(join(root, 'fixtures', 'arena-scaled'), withConfig, { recursive: true });
writeFileSync(join(withConfig, '.arena-lint.yaml'), 'host: { cpus: 48, memory: 96GiB }\ncapacity: { targetRps: 1000 }\nrules: { replica-drift: error }\n');

function time(args) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    ms.push(performance.now() - t0);
    // Exit 1 means findings; 2 would be a broken run, and its time would mean nothing.
    if (r.status === 2 || r.status === null) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], max: ms[ms.length - 1] };
}

try {
  const rows = [
    ['node -e 0', time(['-e', '0'])],
    ['check fixtures/arena-scaled', time([cli, 'check', join(root, 'fixtures', 'arena-scaled'), '--format', 'json'])],
    ['check (with .arena-lint.yaml)', time([cli, 'check', withConfig, '--format', 'json'])],
  ];
  console.log(`${runs} runs each, wall time in ms`);
  for (const [name, t] of rows) console.log(`${name.padEnd(32)} median ${t.median.toFixed(0).padStart(5)}  min ${t.min.toFixed(0).padStart(5)}  max ${t.max.toFixed(0).padStart(5)}`);
} finally {
  rmSync(withConfig, { recursive: true, force: true });
}
