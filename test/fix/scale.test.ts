import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import { check } from '../../src/engine/run.js';
import { RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { nginxAvailable, nginxTest } from '../oracles/nginx-harness.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'arena-scale-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
const SOURCE = join(FIXTURES, 'arena-current');
const COMPOSE = 'docker-compose.loadbalanced.yml';
const LB = 'nginx/load-balancer.conf';

function copy(): string {
  const dir = mkdtempSync(join(tmpRoot, 'arena-'));
  cpSync(SOURCE, dir, { recursive: true, filter: (p) => !p.endsWith('expected.txt') });
  return dir;
}

function cli(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  return { code: main(args, io), stdout, stderr };
}

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}

function serviceBlock(compose: string, name: string): string {
  const start = compose.indexOf(`\n  ${name}:\n`);
  expect(start, name).toBeGreaterThan(0);
  const next = compose.slice(start + 1).search(/\n {2}[A-Za-z][\w-]*:\n/);
  return compose.slice(start + 1, next < 0 ? undefined : start + 1 + next);
}

const TOPOLOGY = new Set(RULES.filter((r) => r.meta.category === 'topology').map((r) => r.meta.id));
const topologyFindings = (dir: string) => check({ dir, rules: RULES }).result.findings.filter((f) => TOPOLOGY.has(f.ruleId)).map((f) => f.ruleId);

describe('arena-lint scale web --replicas 15 --workers 8 --threads 4 on a copy of fixtures/arena-current', () => {
  const dir = copy();
  const before = tree(dir);
  const topologyBefore = topologyFindings(dir);
  const run = cli(['scale', 'web', '--replicas', '15', '--workers', '8', '--threads', '4', '.'], dir);
  const compose = readFileSync(join(dir, COMPOSE), 'utf8');
  const lb = readFileSync(join(dir, LB), 'utf8');

  it('writes and says what it did, with the capacity before and after', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`add web-11, web-12, web-13, web-14, web-15 (copies of web-10)`);
    expect(run.stdout).toMatch(/Before:[\s\S]*web \(web-1\.\.web-10\) +10 +4 +2 +80 +160/);
    expect(run.stdout).toMatch(/After:[\s\S]*web \(web-1\.\.web-15\) +15 +8 +4 +480 +960/);
    expect(run.stdout).toContain(`wrote ${COMPOSE}, ${LB}`);
  });

  it('section 1.1: every web container runs gunicorn with --workers 8 and --threads 4', () => {
    for (let n = 1; n <= 15; n++) {
      expect(serviceBlock(compose, `web-${n}`)).toContain('command: gunicorn --bind 0.0.0.0:8000 --workers 8 --worker-class gthread --threads 4 --timeout 300 --access-logfile - --error-logfile - arena_backend.wsgi\n');
    }
    expect(compose).not.toContain('--workers 4');
  });

  it('section 1.3: web-11..web-15 follow web-10, written like it with their own names', () => {
    const web10 = serviceBlock(compose, 'web-10');
    for (let n = 11; n <= 15; n++) {
      const block = serviceBlock(compose, `web-${n}`);
      expect(block).toBe(web10.replace('web-10:', `web-${n}:`).replace('arena-web-10', `arena-web-${n}`).replace('CONTAINER_NAME=web-10', `CONTAINER_NAME=web-${n}`));
      expect(block).toContain(`container_name: arena-web-${n}\n`);
      expect(block).toContain(`- CONTAINER_NAME=web-${n}\n`);
    }
    const order = [...compose.matchAll(/^ {2}(web-\d+):$/gm)].map((m) => m[1]);
    expect(order).toEqual(Array.from({ length: 15 }, (_, i) => `web-${i + 1}`));
  });

  it('section 2.1: every upstream lists web-11..web-15 with the parameters of its other servers', () => {
    for (const [name, params] of [['django_backend', 'max_fails=3 fail_timeout=30s max_conns=300 weight=1'], ['django_streaming', 'max_fails=2 fail_timeout=60s max_conns=150 weight=1'], ['django_websocket', 'max_fails=2 fail_timeout=60s max_conns=200 weight=1']] as const) {
      const block = lb.slice(lb.indexOf(`upstream ${name} {`), lb.indexOf('}', lb.indexOf(`upstream ${name} {`)));
      const servers = [...block.matchAll(/^ {4}server (web-\d+):8000 (.*);$/gm)];
      expect(servers.map((m) => m[1])).toEqual(Array.from({ length: 15 }, (_, i) => `web-${i + 1}`));
      for (const m of servers) expect(m[2]).toBe(params);
    }
  });

  it("section 7: nginx's depends_on lists web-1..web-15", () => {
    const nginx = serviceBlock(compose, 'nginx');
    const deps = nginx.slice(nginx.indexOf('depends_on:'));
    expect([...deps.matchAll(/^ {6}- (web-\d+)$/gm)].map((m) => m[1])).toEqual(Array.from({ length: 15 }, (_, i) => `web-${i + 1}`));
  });

  it('leaves every other file as it was', () => {
    const after = tree(dir);
    for (const [p, text] of before) if (p !== COMPOSE && p !== LB) expect(after.get(p), p).toBe(text);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });

  it('check reports no topology rule the stack did not trip before, and nothing about replicas', () => {
    // Before: the seed's websocket location on a WSGI tier, its upstream keepalive timeouts and
    // max_conns far above what a replica serves; those are the plan's other sections, not the resize.
    // Also each replica's depends_on on redis without condition: service_healthy and its curl healthcheck in
    // a slim image without curl (one line to edit per replica), and the /api/stream/ location on gthread workers.
    expect([...new Set(topologyBefore)].sort()).toEqual(['depends-on-backend', 'healthcheck-mismatch', 'streaming-sync-workers', 'upstream-keepalive-timeout', 'upstream-max-conns', 'websocket-to-wsgi']);
    const after = topologyFindings(dir);
    expect([...new Set(after)].sort()).toEqual([...new Set(topologyBefore)].sort());
    // Every other finding stays one per upstream or per group of replicas with the same numbers, so resizing
    // the tier changes none of their counts; depends-on-backend and healthcheck-mismatch are one per replica, 10 before and 15 after.
    const PER_REPLICA = new Set(['depends-on-backend', 'healthcheck-mismatch']);
    for (const id of PER_REPLICA) expect([topologyBefore.filter((x) => x === id).length, after.filter((x) => x === id).length], id).toEqual([10, 15]);
    expect(after.filter((id) => !PER_REPLICA.has(id))).toEqual(topologyBefore.filter((id) => !PER_REPLICA.has(id)));
    for (const id of ['upstream-missing-replica', 'depends-on-missing-replica', 'replica-drift', 'replica-identity', 'upstream-unknown-server']) expect(after).not.toContain(id);
  });

  it.skipIf(!nginxAvailable)('real nginx -t accepts the scaled load-balancer.conf', () => {
    const hosts = Array.from({ length: 15 }, (_, i) => `web-${i + 1}`);
    const verdict = nginxTest({ 'nginx.conf': `events {}\nhttp {\n    include load-balancer.conf;\n}\n`, 'load-balancer.conf': lb }, 'nginx.conf', hosts);
    expect(verdict).toEqual({ accepted: true });
    // The oracle resolves only the hosts it is given: without web-15 nginx refuses the same file.
    expect(nginxTest({ 'nginx.conf': `events {}\nhttp {\n    include load-balancer.conf;\n}\n`, 'load-balancer.conf': lb }, 'nginx.conf', hosts.slice(0, 14)).message).toMatch(/host not found in upstream "web-15/);
  });

  it('scaling back to 10 with the old workers and threads restores every file byte for byte', () => {
    const back = cli(['scale', 'web', '--replicas', '10', '--workers', '4', '--threads', '2'], dir);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('remove web-11, web-12, web-13, web-14, web-15');
    expect(tree(dir)).toEqual(before);
  });
});

describe('scale writes nothing when it should not', () => {
  it('--diff prints the unified diff and writes nothing', () => {
    const dir = copy();
    const before = tree(dir);
    const r = cli(['scale', 'web', '--replicas', '12', '--diff'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--- a/${COMPOSE}\n+++ b/${COMPOSE}\n`);
    expect(r.stdout).toContain('+  web-12:\n');
    expect(r.stdout).toContain('+    server web-11:8000 max_fails=3 fail_timeout=30s max_conns=300 weight=1;\n');
    expect(tree(dir)).toEqual(before);
  });

  it('a size that causes a new error is refused (exit 1) unless --force', () => {
    const dir = copy();
    const before = tree(dir);
    // 15 x 16 x 8 = 1920 connections at once against pgbouncer's max_client_conn = 1000.
    const r = cli(['scale', 'web', '--replicas', '15', '--workers', '16', '--threads', '8', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/new finding[\s\S]*error[\s\S]*\[pgbouncer-client-capacity\]/);
    expect(r.stderr).toMatch(/^nothing written: the new size causes \d+ new errors?; .* --force\n$/);
    expect(tree(dir)).toEqual(before);
    const forced = cli(['scale', 'web', '--replicas', '15', '--workers', '16', '--threads', '8', '--force', '.'], dir);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, COMPOSE), 'utf8')).toContain('  web-15:\n');
  });

  it('a tier no stack has is a usage error', () => {
    const r = cli(['scale', 'api', '--replicas', '3', '.'], copy());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('arena-lint: no stack has a tier or service named api\n');
  });

  it('same size changes nothing', () => {
    const dir = copy();
    const r = cli(['scale', 'web', '--replicas', '10'], dir);
    expect(r).toEqual({ code: 0, stdout: `${COMPOSE}: web already has that size; nothing to change\n`, stderr: '' });
    expect(existsSync(join(dir, COMPOSE))).toBe(true);
  });
});
