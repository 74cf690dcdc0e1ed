import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ORACLE_TIMEOUT_MS, runToExit } from '../helpers/oracle.js';

export const REPO = join(import.meta.dirname, '..', '..');

/** True when `program` can be started (the oracle and packaging tests skip visibly otherwise). */
export function hasProgram(program: string, versionFlag = '--version'): boolean {
  const r = spawnSync(program, [versionFlag], { stdio: 'ignore', timeout: ORACLE_TIMEOUT_MS });
  return r.error === undefined && r.status === 0;
}

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `arena-lint-${prefix}-`));
  made.push(dir);
  return dir;
}

/** For afterAll: every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/**
 * The smallest stack every rule accepts: one gunicorn service behind nginx, both with limits.
 * `BROKEN_PORT` turns it into a stack with exactly one error (nginx proxies to a port gunicorn does
 * not bind), `UNLIMITED_NGINX` into one with exactly one warning (nginx without limits).
 */
export const CLEAN_STACK: Readonly<Record<string, string>> = {
  'docker-compose.yml': `services:
  web:
    image: example/web:1
    command: gunicorn app.wsgi:application --bind 0.0.0.0:8000 --workers 2
    deploy:
      resources:
        limits: { cpus: '1', memory: 512M }
  nginx:
    image: nginx:1.27-alpine
    volumes:
      - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro
    depends_on: [web]
    deploy:
      resources:
        limits: { cpus: '0.5', memory: 128M }
`,
  'nginx/default.conf': `server {
    listen 80;
    location / {
        proxy_pass http://web:8000;
    }
}
`,
};

export function brokenPort(stack: Readonly<Record<string, string>> = CLEAN_STACK): Record<string, string> {
  return { ...stack, 'nginx/default.conf': replaceOnce(stack['nginx/default.conf'] ?? '', 'http://web:8000;', 'http://web:8001;') };
}

export function unlimitedNginx(stack: Readonly<Record<string, string>> = CLEAN_STACK): Record<string, string> {
  const compose = stack['docker-compose.yml'] ?? '';
  const nginxLimits = "    deploy:\n      resources:\n        limits: { cpus: '0.5', memory: 128M }\n";
  const at = compose.lastIndexOf(nginxLimits);
  if (at < 0) throw new Error('CLEAN_STACK changed: no nginx limits to remove');
  return { ...stack, 'docker-compose.yml': compose.slice(0, at) + compose.slice(at + nginxLimits.length) };
}

/** Replaces exactly one occurrence, so a changed fixture fails loudly instead of testing nothing. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one "${from}"`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export function run(program: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): SpawnSyncReturns<string> {
  return runToExit(program, args, { cwd: opts.cwd, env: opts.env ?? process.env, ...(opts.timeout ? { timeout: opts.timeout } : {}) });
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
