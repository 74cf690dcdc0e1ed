import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// `arena-lint check . | head`: the reader closes the pipe after a few lines. The built CLI must end
// quietly (no EPIPE trace) with the exit code the whole run has.
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'arena-lint.js');
const root = mkdtempSync(join(tmpdir(), 'arena-pipe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Far more than a pipe buffer (64 KiB) of findings: `replicas` web services whose workers drift. */
function stack(name: string, replicas: number, upstreamTypo: boolean): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  const web = Array.from({ length: replicas }, (_, i) => `  web-${i + 1}:\n    image: shop:1\n    command: gunicorn --bind 0.0.0.0:8000 --workers ${(i % 3) + 1} shop.wsgi\n`).join('');
  writeFileSync(join(dir, 'docker-compose.yml'), `services:\n${web}  nginx:\n    image: nginx:1.27\n    volumes: ["./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro"]\n`);
  // Every other server mistyped: one finding per server (a file whose every server is wrong would be one finding).
  const servers = Array.from({ length: replicas }, (_, i) => `    server ${upstreamTypo && i % 2 === 0 ? 'wbe' : 'web'}-${i + 1}:8000;\n`).join('');
  writeFileSync(join(dir, 'nginx', 'default.conf'), `upstream app {\n${servers}}\nserver {\n    listen 80;\n    location / { proxy_pass http://app; }\n}\n`);
  return dir;
}

/** `arena-lint ARGS | head -n 1`, as a shell runs it; the exit code is the CLI's (PIPESTATUS). */
function closedEarly(args: string[]): { code: number | null; stderr: string; read: string } {
  const r = spawnSync('bash', ['-c', '"$@" | head -n 1; exit "${PIPESTATUS[0]}"', 'pipe', process.execPath, CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, read: r.stdout };
}

describe('writing to a closed pipe', () => {
  const cases = [
    { name: 'errors (exit 1)', dir: stack('errors', 600, true), format: 'stylish', code: 1 },
    { name: 'warnings only (exit 0)', dir: stack('warnings', 300, false), format: 'json', code: 0 },
  ];
  it.each(cases)('$name: ends quietly with the exit code of the whole run', ({ dir, format, code }) => {
    const whole = spawnSync(process.execPath, [CLI, 'check', dir, '--format', format], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    expect(whole.status).toBe(code);
    expect(whole.stdout.length).toBeGreaterThan(2 * 64 * 1024);
    const early = closedEarly(['check', dir, '--format', format]);
    expect(early.read.length).toBeGreaterThan(0);
    expect(early.stderr).toBe('');
    expect(early.code).toBe(whole.status);
  });
});
