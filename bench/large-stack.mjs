// Times `arena-lint check` on a generated stack of N web replicas behind nginx (default 300), in-process
// and as a fresh process, so model or rule costs that grow with the stack show up. Usage:
//   node scripts/build.mjs && node bench/large-stack.mjs [replicas] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const replicas = Number(process.argv[2] ?? 300);
const runs = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'arena-bench-'));
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
mkdirSync(join(dir, 'nginx'));
const upstream = (u) => `upstream ${u} {\n    keepalive 64;\n${names.map((n) => `    server ${n}:8000 max_fails=3;\n`).join('')}}\n`;
writeFileSync(join(dir, 'nginx', 'default.conf'), `${['a', 'b', 'c'].map((u) => upstream(`app_${u}`)).join('\n')}
server {
    listen 80;
${['a', 'b', 'c'].map((u) => `    location /${u}/ {\n        proxy_pass http://app_${u};\n        proxy_http_version 1.1;\n        proxy_set_header Connection "";\n    }\n`).join('')}}
`);

const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, ['dist/arena-lint.js', 'check', dir, '--format', 'json'], { stdio: 'pipe' });
  } catch (e) {
    if (e.status !== 1) throw e;
  }
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${replicas} replicas, 3 upstreams: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms over ${runs} fresh processes`);
rmSync(dir, { recursive: true, force: true });
