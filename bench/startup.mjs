// Wall time of a fresh `arena-lint check` process on the seed's scaled stack (which has a settings.py
// and a config), and on a copy without a config, against bare `node -e 0`: start-up is what a
// pre-commit hook and a CI step pay every time. The commands run interleaved, round after round, so
// a busy machine slows them alike; the ratio to `node -e 0` is printed. Target (issue 8): 2.5x.
// Usage: node scripts/build.mjs && node bench/startup.mjs [runs]
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const cli = join(root, 'dist', 'arena-lint.js');

// A copy without the config, so a run that needs no config validator is measured too.
const noConfig = mkdtempSync(join(tmpdir(), 'arena-startup-'));
cpSync(join(root, 'fixtures', 'arena-scaled'), noConfig, { recursive: true });
rmSync(join(noConfig, '.arena-lint.yaml'));
// And a copy whose settings.py changes before every run, so the command's Python tree cache
// (src/parsers/python-tree-cache.ts) never has its tree: a commit that edits settings.py.
const edited = mkdtempSync(join(tmpdir(), 'arena-startup-'));
cpSync(join(root, 'fixtures', 'arena-scaled'), edited, { recursive: true });
let edits = 0;
const editSettings = () => appendFileSync(join(edited, 'backend', 'arena_backend', 'settings.py'), `# edit ${++edits}\n`);

/** Runs every command once per round, `runs` rounds; returns each command's times. */
function timeInterleaved(commands) {
  const ms = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach(({ args, env, before }, j) => {
      before?.();
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
      ms[j].push(performance.now() - t0);
      // Exit 1 means findings; 2 would be a broken run, and its time would mean nothing.
      if (r.status === 2 || r.status === null) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    });
  }
  return ms.map((xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
  });
}

try {
  const scaled = join(root, 'fixtures', 'arena-scaled');
  // The command keeps a V8 code cache of its bundle (src/launch.ts) and the Python trees it parsed;
  // one run first writes them, as the first run after an install or upgrade does. The last rows are
  // runs whose settings.py was just edited, and runs with both caches off.
  spawnSync(process.execPath, [cli, 'check', scaled], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '' } });
  const commands = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'check fixtures/arena-scaled', args: [cli, 'check', scaled] },
    { name: 'check (without .arena-lint.yaml)', args: [cli, 'check', noConfig] },
    { name: 'check, settings.py just edited', args: [cli, 'check', edited], before: editSettings },
    { name: 'check, caches off', args: [cli, 'check', scaled], env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
  ];
  const rows = timeInterleaved(commands);
  console.log(`${runs} rounds, wall time in ms; ratios to node -e 0 of the medians and of the minima`);
  rows.forEach((t, i) => {
    const ratio = i === 0 ? '' : `  ${(t.median / rows[0].median).toFixed(2)}x (min ${(t.min / rows[0].min).toFixed(2)}x) node -e 0`;
    console.log(`${commands[i].name.padEnd(34)} median ${t.median.toFixed(0).padStart(5)}  min ${t.min.toFixed(0).padStart(5)}  max ${t.max.toFixed(0).padStart(5)}${ratio}`);
  });
} finally {
  rmSync(noConfig, { recursive: true, force: true });
  rmSync(edited, { recursive: true, force: true });
}
