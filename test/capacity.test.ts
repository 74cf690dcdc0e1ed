import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCapacityReport, capacityMarkdown, renderCapacityText, type CapacityReport, type SourcedNumber } from '../src/capacity/index.js';
import { main, type CliIO } from '../src/cli.js';
import { check } from '../src/engine/run.js';
import { parseComposeCpus, parseComposeMemory } from '../src/reference/units.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function report(name: string): { report: CapacityReport; dir: string; markdown: string } {
  const dir = join(FIXTURES, name);
  const run = check({ dir, rules: [] });
  return { report: buildCapacityReport(run.stacks, run.config, name), dir, markdown: capacityMarkdown(run.stacks, run.config, name) };
}

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: FIXTURES };
  const code = main(args, io);
  return { code, stdout, stderr };
}

describe('the seed stacks, against a hand calculation', () => {
  it('current: 10 x 4 x 2 = 80 concurrent requests, 160 RPS at 500 ms, 800 at 100 ms; 11.5 CPUs', () => {
    const s = report('arena-current').report.stacks[0]!;
    expect(s.tiers.map((t) => [t.name, t.replicas, t.workers.value, t.perWorker.value, t.concurrency, t.rpsAtLatency, t.rpsAt100ms])).toEqual([['web', 10, 4, 2, 80, 160, 800]]);
    expect(s.total).toEqual({ concurrency: 80, rpsAtLatency: 160, rpsAt100ms: 800, meetsTarget: false });
    expect(s.resources.limits.cpus.value).toBe(11.5);
    expect(s.resources.limits.memoryBytes.value).toBe((10 * 1024 + 512 + 2048 + 256) * MiB);
  });

  it('scaled: 15 x 8 x 4 = 480, 960 RPS at 500 ms (below the plan\'s 1000), 35 CPUs and 39.5 GiB on a 48-CPU, 96 GiB host', () => {
    const { report: r } = report('arena-scaled');
    expect(r.plan.host).toMatchObject({ instance: 'aws/c5.12xlarge', cpus: { value: 48, source: '.arena-lint.yaml:3' }, memoryBytes: { value: 96 * GiB } });
    expect([r.plan.targetRps.value, r.plan.targetRps.source, r.plan.latencyMs.value]).toEqual([1000, '.arena-lint.yaml:6', 500]);
    const s = r.stacks[0]!;
    expect(s.tiers.map((t) => [t.replicas, t.workers.value, t.perWorker.value, t.concurrency, t.rpsAtLatency, t.rpsAt100ms])).toEqual([[15, 8, 4, 480, 960, 4800]]);
    expect(s.total.meetsTarget).toBe(false);
    const { limits, reservations } = s.resources;
    expect([limits.cpus.value, limits.cpus.percentOfHost]).toEqual([35, 72.9]);
    expect([limits.memoryBytes.value! / GiB, limits.memoryBytes.percentOfHost]).toEqual([39.5, 41.1]);
    expect(limits.cpus.arithmetic).toBe('15 x web 2.0 + nginx 2.0 + redis 2.0 + pgbouncer 1.0 = 35.0 CPUs');
    expect([reservations.cpus.value, reservations.memoryBytes.value]).toEqual([17.5, (15 * 1024 + 512 + 4096 + 256) * MiB]);
  });

  it('follows the connection funnel from nginx to Redis; pgbouncer refuses the seed\'s inline comments, so its numbers are unknown at their line', () => {
    const f = report('arena-scaled').report.stacks[0]!.funnel;
    expect(f.map((x) => [x.id, x.value.value, x.value.source])).toEqual([
      ['nginx-connections', 16 * 10000, 'nginx/nginx.conf:9'],
      ['upstream-max-conns', 15 * 300, 'nginx/load-balancer.conf:12'],
      ['upstream-max-conns', 15 * 150, 'nginx/load-balancer.conf:34'],
      ['upstream-max-conns', 15 * 200, 'nginx/load-balancer.conf:56'],
      ['app-concurrency', 480, 'docker-compose.loadbalanced.yml:6'],
      // CONN_MAX_AGE 600 in every replica: 15 x 8 x 4 persistent client connections to pgbouncer.
      ['pgbouncer-clients', 480, 'docker-compose.loadbalanced.yml:6'],
      ['pgbouncer-max-client-conn', null, 'pgbouncer/pgbouncer.ini:10'],
      ['pgbouncer-pool', null, 'pgbouncer/pgbouncer.ini:11'],
      ['postgres-max-connections', null, 'unknown'],
      ['redis-maxclients', 10000, 'docker-compose.loadbalanced.yml:599'],
      ['redis-clients', 15 * 8 * 4, 'docker-compose.loadbalanced.yml:6'],
    ]);
    expect(f.find((x) => x.id === 'pgbouncer-max-client-conn')?.value.note).toContain('pgbouncer refuses max_client_conn');
  });

  it('reads pgbouncer and Redis numbers from the data tier once the ini is valid', () => {
    const tmp = new TmpStack(join(FIXTURES, 'arena-scaled'));
    try {
      const ini = tmp.read('pgbouncer/pgbouncer.ini').replace(/[ \t]+#.*$/gm, '');
      tmp.write('pgbouncer/pgbouncer.ini', ini);
      const run = check({ dir: tmp.dir, rules: [] });
      const f = buildCapacityReport(run.stacks, run.config).stacks[0]!.funnel;
      expect(f.filter((x) => x.id.startsWith('pgbouncer')).map((x) => [x.label, x.value.value, x.value.source, x.detail])).toEqual([
        ['pgbouncer (pgbouncer) clients: persistent Django connections of app servers and workers', 480, 'docker-compose.loadbalanced.yml:6', '15 replicas x 8 workers x 4 threads'],
        ['pgbouncer (pgbouncer) max_client_conn', 2000, `pgbouncer/pgbouncer.ini:${tmp.lineOf('pgbouncer/pgbouncer.ini', 'max_client_conn')}`, undefined],
        ['pgbouncer (pgbouncer) default_pool_size per database and user', 50, `pgbouncer/pgbouncer.ini:${tmp.lineOf('pgbouncer/pgbouncer.ini', 'default_pool_size')}`, '+ reserve_pool_size 10; max_db_connections 100'],
      ]);
    } finally {
      tmp.remove();
    }
  });
});

describe('background workers in the funnel', () => {
  // web 2 replicas x 4 workers x 4 threads; a Celery worker --pool=threads -c 30; beat with django_celery_beat's DatabaseScheduler.
  const dir = join(FIXTURES, 'rules', 'postgres-connection-capacity', 'invalid-close-after-request');
  it('counts Celery workers and beat beside the app servers, and their connections straight to Postgres', () => {
    const run = check({ dir, rules: [] });
    const f = buildCapacityReport(run.stacks, run.config).stacks[0]!.funnel;
    expect(f.map((x) => [x.id, x.value.value, x.value.source, x.detail])).toEqual([
      ['app-concurrency', 32, 'docker-compose.yml:6', 'web 2 x 4 x 4'],
      ['background-workers', 31, 'docker-compose.yml:13', 'worker (Celery worker) 1 x 1 x 30 + beat (Celery beat) 1 x 1 x 1'],
      ['pgbouncer-max-client-conn', null, 'unknown', undefined],
      ['postgres-clients', 63, 'docker-compose.yml:6', '2 replicas x 4 workers x 4 threads + worker x 30 threads + beat x 1 process'],
      ['postgres-max-connections', 50, 'docker-compose.yml:23', undefined],
    ]);
  });
  it('says which worker is not counted when its concurrency is unknown', () => {
    const run = check({ dir: join(FIXTURES, 'rules', 'postgres-connection-capacity', 'invalid-worker-concurrency-unknown'), rules: [] });
    const f = buildCapacityReport(run.stacks, run.config).stacks[0]!.funnel;
    const workers = f.find((x) => x.id === 'background-workers')!;
    expect([workers.value.value, workers.value.source, workers.value.note]).toEqual([null, 'docker-compose.yml:13', 'worker: --concurrency is not set: Celery starts one pool process per CPU of the host']);
    const direct = f.find((x) => x.id === 'postgres-clients')!;
    expect([direct.value.value, direct.detail]).toEqual([null, '3 replicas x 8 workers x 4 threads + reports x 2 processes']);
    expect(direct.value.note).toContain('not counted: worker (Celery worker, --concurrency is not set');
  });
});

/** Every sourced number in the report, with its path in the document. */
function sourcedNumbers(node: unknown, path = ''): Array<[string, SourcedNumber]> {
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  if ('source' in o && 'value' in o && (typeof o.value === 'number' || o.value === null)) return [[path, o as unknown as SourcedNumber]];
  return Object.entries(o).flatMap(([k, v]) => sourcedNumbers(v, `${path}.${k}`));
}

describe('every number says where it came from', () => {
  for (const name of ['arena-current', 'arena-scaled']) {
    it(`${name}: each file:line source is a line that writes the value`, () => {
      const { report: r, dir } = report(name);
      const numbers = sourcedNumbers(r).filter(([path]) => !path.includes('.funnel.'));
      expect(numbers.length).toBeGreaterThan(20);
      for (const [path, n] of numbers) {
        expect(['default', 'unknown', 'computed'].includes(n.source) || /^[^:]+:\d+$/.test(n.source), `${path}: ${n.source}`).toBe(true);
        const m = /^(.+):(\d+)$/.exec(n.source);
        if (!m || n.value === null || n.note === 'from the instance type') continue;
        const line = readFileSync(join(dir, m[1]!), 'utf8').split('\n')[Number(m[2]) - 1]!;
        const words = line.split(/[\s=:'",\[\]]+/).filter(Boolean);
        const writes = words.some((w) => Number(w) === n.value || parseComposeCpus(w) === n.value || parseComposeMemory(w) === n.value);
        expect(writes, `${path} = ${n.value} is not written on ${n.source}: ${line}`).toBe(true);
      }
    });
  }

  it('the json contract documents every field the report emits', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', 'src', 'capacity', 'json-contract.md'), 'utf8');
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) keys.add(k), walk(x);
    };
    walk(JSON.parse(JSON.stringify(report('arena-scaled').report)));
    walk(JSON.parse(JSON.stringify(report('rules/capacity-target/valid-asgi-unknown').report)));
    for (const k of keys) expect(doc, `field ${k}`).toContain(`\`${k}\``);
  });
});

describe('renderings', () => {
  it('markdown: GitHub tables with the seed\'s numbers, the same as the CLI prints', () => {
    const { markdown } = report('arena-scaled');
    expect(markdown).toContain('| web (web-1..web-15) | 15 | 8 | 4 | 480 | 960 | 4800 | docker-compose.loadbalanced.yml:6 |');
    expect(markdown).toContain('| total |   | 35.0 | 39.5 GiB | 17.5 | 19.8 GiB | computed |');
    expect(markdown).toContain('- 480 concurrent requests / 0.5 s = 960 RPS: below the target of 1000 RPS');
    const viaCli = cli(['capacity', 'arena-scaled', '--format', 'markdown']);
    expect(viaCli.code).toBe(0);
    expect(viaCli.stdout).toBe(markdown);
  });

  it('text: aligned columns, no colour unless asked', () => {
    const { report: r } = report('arena-current');
    const text = renderCapacityText(r);
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/web \(web-1\.\.web-10\)\s+10\s+4\s+2\s+80\s+160\s+800\s+docker-compose\.loadbalanced\.yml:6/);
    expect(text).toContain('CPU limits: 10 x web 1.0 + nginx 0.5 + redis 0.5 + pgbouncer 0.5 = 11.5 CPUs');
    expect(renderCapacityText(r, { color: true })).toContain('\u001b[1m');
  });

  it('json: the stable contract, parseable, version 1', () => {
    const out = cli(['capacity', 'arena-current', '-f', 'json']);
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as CapacityReport;
    expect([parsed.version, parsed.root, parsed.stacks[0]!.total.concurrency]).toEqual([1, 'arena-current', 80]);
  });

  it('refuses an unknown format and an unknown host instance (exit 2, with the config line)', () => {
    expect(cli(['capacity', 'arena-current', '-f', 'html'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown format "html"') });
    const bad = cli(['capacity', 'rules/host-capacity/invalid-unknown-instance']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('.arena-lint.yaml:2: host.instance: unknown instance type "aws/c5.12xlage"; did you mean aws/c5.12xlarge');
  });
});
