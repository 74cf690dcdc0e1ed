// Times `arena-lint check` as a fresh process on generated stacks of N web replicas behind nginx
// (3 upstreams listing every replica), so model or rule costs that grow with the stack show up.
// The sizes run interleaved, round after round, so a busy machine slows them alike, and the ratio of
// the largest to the smallest is printed next to the times. Usage:
//   node scripts/build.mjs && node bench/large-stack.mjs [runs] [replicas...]     (default: 5 100 1000)
// Targets (issue 8): 1000 replicas under 1 s, time(1000) / time(100) <= 8.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[2] ?? 5);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [100, 1000];
const root = mkdtempSync(join(tmpdir(), 'arena-bench-'));

function writeStack(replicas) {
  const dir = join(root, String(replicas));
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  const web = (n) => `  web-${n}:
    build: ./backend
    container_name: app-web-${n}
    command: gunicorn --bind 0.0.0.0:8000 --workers 8 --worker-class gthread --threads 4 --timeout 60 --keep-alive 5 app.wsgi
    environment:
      - CONTAINER_NAME=web-${n}
    deploy:
      resources:
        limits: { cpus: '2.0', memory: 2048M }
`;
  const names = Array.from({ length: replicas }, (_, i) => `web-${i + 1}`);
  writeFileSync(join(dir, 'docker-compose.yml'), `services:\n${names.map((_, i) => web(i + 1)).join('')}  nginx:
    image: nginx:1.27-alpine
    volumes: ["./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [${names.join(', ')}]
`);
  const upstream = (u) => `upstream ${u} {\n    keepalive 64;\n${names.map((n) => `    server ${n}:8000 max_fails=3;\n`).join('')}}\n`;
  writeFileSync(join(dir, 'nginx', 'default.conf'), `${['a', 'b', 'c'].map((u) => upstream(`app_${u}`)).join('\n')}
server {
    listen 80;
${['a', 'b', 'c'].map((u) => `    location /${u}/ {\n        proxy_pass http://app_${u};\n        proxy_http_version 1.1;\n        proxy_set_header Connection "";\n    }\n`).join('')}}
`);
  return dir;
}

try {
  const dirs = sizes.map(writeStack);
  // One untimed run writes the command's compile cache (src/launch.ts), as the first run after an install does.
  try {
    execFileSync(process.execPath, ['dist/arena-lint.js', 'check', dirs[0], '--format', 'json'], { stdio: 'pipe', maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    if (e.status !== 1) throw e;
  }
  const times = sizes.map(() => []);
  for (let i = 0; i < runs; i++) {
    dirs.forEach((dir, j) => {
      const t0 = performance.now();
      try {
        execFileSync(process.execPath, ['dist/arena-lint.js', 'check', dir, '--format', 'json'], { stdio: 'pipe', maxBuffer: 256 * 1024 * 1024 });
      } catch (e) {
        if (e.status !== 1) throw e;
      }
      times[j].push(performance.now() - t0);
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  sizes.forEach((n, j) => {
    const sorted = [...times[j]].sort((a, b) => a - b);
    console.log(`${String(n).padStart(5)} replicas, 3 upstreams: median ${median(times[j]).toFixed(0).padStart(5)} ms, min ${sorted[0].toFixed(0).padStart(5)} ms over ${runs} fresh processes`);
  });
  if (sizes.length > 1) {
    const ratio = median(times[times.length - 1]) / median(times[0]);
    const minRatio = Math.min(...times[times.length - 1]) / Math.min(...times[0]);
    console.log(`time(${sizes[sizes.length - 1]}) / time(${sizes[0]}) = ${ratio.toFixed(2)} (medians, same run; ${minRatio.toFixed(2)} of the minima)`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
