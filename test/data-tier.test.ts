import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { Workspace } from '../src/workspace/workspace.js';
import { dataTier } from '../src/stack/data-tier.js';
import { pgbouncerNumber, pgbouncerValue } from '../src/inputs/pgbouncer.js';
import { buildStack } from '../src/stack/stack.js';
import { parseNginxTime } from '../src/facts/timeouts.js';
import { toLocated } from '../src/reporters/locate.js';
import { RULES } from '../rules/index.js';
import { DATA_RULES } from '../rules/registry-data.js';
import { FIXTURES, runFixture, UPDATE } from './helpers/fixtures.js';
import { formatPlain } from '../src/reporters/plain.js';
import { TmpStack } from './helpers/tmp-stack.js';

const SCALED = join(FIXTURES, 'arena-scaled');
const CURRENT = join(FIXTURES, 'arena-current');
const SPLIT = join(FIXTURES, 'settings-split');
// The nginx-side timeout rules (split from timeout-chain) are topology rules but belong to these stories.
const DATA_IDS = new Set([...DATA_RULES.map((r) => r.meta.id), 'upstream-keepalive-timeout', 'proxy-read-timeout']);

let tmp: TmpStack | undefined;
let scratch: string | undefined;
afterEach(() => {
  tmp?.remove();
  tmp = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

function dataFindings(dir: string) {
  const r = runFixture(dir);
  return r.findings.filter((f) => DATA_IDS.has(f.ruleId)).map((f) => ({ ...toLocated(r, f), ruleId: f.ruleId, message: f.message, severity: f.severity }));
}

function stackOf(dir: string, compose = 'docker-compose.loadbalanced.yml') {
  return buildStack(new Workspace(resolve(dir)), compose);
}

/** A throwaway stack written from a map of files. */
function writeStack(files: Record<string, string>): string {
  scratch = mkdtempSync(join(tmpdir(), 'arena-data-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, rel)), { recursive: true });
    writeFileSync(join(scratch, rel), text);
  }
  return scratch;
}

describe('the seed\'s target stack (SCALING_TO_1000_RPS.md sections 4-6, as written)', () => {
  const findings = dataFindings(SCALED);
  const ini = 'pgbouncer/pgbouncer.ini';

  it('refuses every pgbouncer line with an inline comment: pgbouncer 1.18 reads the comment as part of the value', () => {
    const bad = findings.filter((f) => f.ruleId === 'pgbouncer-unknown-setting');
    expect(bad.map((f) => f.file)).toEqual(Array(6).fill(ini));
    const t = new TmpStack(SCALED);
    tmp = t;
    expect(bad.map((f) => f.line)).toEqual(['max_client_conn', 'default_pool_size', 'reserve_pool_size', 'max_db_connections', 'max_user_connections', 'query_timeout'].map((k) => t.lineOf(ini, `${k} =`)));
    expect(bad[0]!.message).toBe('Invalid value "2000          # Was: 1000" for max_client_conn: expected an integer; pgbouncer 1.18.0 (edoburu/pgbouncer:1.18.0) refuses to start (pgbouncer has no inline comments: # and ; start a comment only at the beginning of a line)');
  });

  it('reports the statement_timeout option pgbouncer 1.18 refuses, at the OPTIONS line', () => {
    const f = findings.filter((x) => x.ruleId === 'pgbouncer-startup-parameter');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'backend/arena_backend/settings.py', severity: 'error' });
    expect(f[0]!.message).toContain('sends options "-c statement_timeout=30000" to pgbouncer 1.18.0 (edoburu/pgbouncer:1.18.0), which refuses it');
  });

  it('reports transaction pooling without DISABLE_SERVER_SIDE_CURSORS once for all 15 replicas', () => {
    const f = findings.filter((x) => x.ruleId === 'pgbouncer-server-side-cursors');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/^Database "default" of web-1, web-2 and 13 more goes through pgbouncer with pool_mode = transaction \(pgbouncer\/pgbouncer.ini:7\)/);
  });

  it('shows the Redis pool arithmetic: 15 x 8 processes x max_connections 100 = 12000 > maxclients 10000', () => {
    const f = findings.filter((x) => x.ruleId === 'redis-client-capacity');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('warning');
    expect(f[0]!.message).toContain('15 replicas x 8 workers x 100 max_connections = 12000 Redis connections allowed by the connection pools > maxclients 10000');
    expect(f[0]!.message).toContain('15 replicas x 8 workers x 4 threads = 480 requests at once');
  });

  it('reports maxmemory 8gb at 100% of the 8192M container limit', () => {
    const f = findings.filter((x) => x.ruleId === 'redis-maxmemory-headroom');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('maxmemory 8gb = 8.0 GiB is 100% of redis\'s memory limit 8192M = 8.0 GiB')]);
  });

  it('reports each upstream keepalive_timeout at or above gunicorn --keep-alive 5 (one finding per link)', () => {
    const f = findings.filter((x) => x.ruleId === 'upstream-keepalive-timeout');
    expect(f.map((x) => x.message.slice(0, x.message.indexOf(' (keepalive_timeout)')))).toEqual([
      'upstream django_backend keeps idle connections 60s',
      'upstream django_streaming keeps idle connections 120s',
      'upstream django_websocket keeps idle connections 300s',
    ]);
    for (const x of f) expect(x.message).toContain('closes them after --keep-alive 5s (docker-compose.loadbalanced.yml:6)');
  });

  it('keeps the other data rules silent and says why when a value pgbouncer refuses is needed', () => {
    // redis-eviction-loses-data needs no pgbouncer value: allkeys-lru with maxmemory 8gb holds the cache sessions and the Channels layer.
    expect(new Set(findings.map((f) => f.ruleId))).toEqual(new Set(['pgbouncer-unknown-setting', 'pgbouncer-startup-parameter', 'pgbouncer-server-side-cursors', 'redis-client-capacity', 'redis-maxmemory-headroom', 'redis-eviction-loses-data', 'upstream-keepalive-timeout']));
    const run = check({ dir: SCALED, rules: RULES });
    const why = run.unknowns.filter((u) => u.ruleId === 'pgbouncer-client-capacity').map((u) => u.reason);
    expect(why).toEqual([expect.stringContaining('max_client_conn of pgbouncer is unknown: pgbouncer refuses max_client_conn = "2000          # Was: 1000"')]);
  });

  it('once the comments are on their own lines, computes the client arithmetic (480 <= 2000) and reports it when max_client_conn is too small', () => {
    const t = new TmpStack(SCALED);
    tmp = t;
    const text = t.read('pgbouncer/pgbouncer.ini').replace(/^(\w+ = \S+)\s+#.*$/gm, '$1');
    t.write('pgbouncer/pgbouncer.ini', text);
    expect(dataFindings(t.dir).filter((f) => f.ruleId === 'pgbouncer-unknown-setting')).toEqual([]);
    expect(dataFindings(t.dir).filter((f) => f.ruleId === 'pgbouncer-client-capacity')).toEqual([]);
    t.edit('pgbouncer/pgbouncer.ini', 'max_client_conn = 2000', 'max_client_conn = 300');
    const f = dataFindings(t.dir).filter((x) => x.ruleId === 'pgbouncer-client-capacity');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'pgbouncer/pgbouncer.ini', line: t.lineOf('pgbouncer/pgbouncer.ini', 'max_client_conn') });
    expect(f[0]!.message).toBe('15 replicas x 8 workers x 4 threads = 480 persistent client connections (docker-compose.loadbalanced.yml:6) > max_client_conn 300 of pgbouncer 1.18.0 (edoburu/pgbouncer:1.18.0)');
  });

  it('follows pgbouncer versions: ignored options is a warning on 1.18, and 1.21 judges the -c setting inside options', () => {
    const t = new TmpStack(SCALED);
    tmp = t;
    t.edit('pgbouncer/pgbouncer.ini', 'pool_mode = transaction\n', 'pool_mode = transaction\nignore_startup_parameters = options\n');
    const ignored = dataFindings(t.dir).filter((x) => x.ruleId === 'pgbouncer-startup-parameter');
    expect(ignored.map((x) => [x.severity, x.message])).toEqual([['warning', expect.stringContaining('which drops it') as unknown as string]]);
    expect(ignored[0]!.message).toContain('statement_timeout=30000 never reaches PostgreSQL');
    t.edit('pgbouncer/pgbouncer.ini', 'ignore_startup_parameters = options\n', '');
    t.edit('docker-compose.loadbalanced.yml', 'edoburu/pgbouncer:1.18.0', 'edoburu/pgbouncer:1.21.0');
    const parsed = dataFindings(t.dir).filter((x) => x.ruleId === 'pgbouncer-startup-parameter');
    expect(parsed.map((x) => x.message)).toEqual([expect.stringContaining('sends -c statement_timeout=30000 in options to pgbouncer 1.21.0 (edoburu/pgbouncer:1.21.0), which refuses it: pgbouncer neither tracks nor ignores statement_timeout')]);
  });
});

describe('the seed\'s current stack (the "Was:" values)', () => {
  it('has clean pgbouncer values and the same settings problems; keepalive 4s against gunicorn\'s default 2s', () => {
    const ids = dataFindings(CURRENT).map((f) => f.ruleId);
    expect(ids).not.toContain('pgbouncer-unknown-setting');
    expect(ids).toContain('pgbouncer-startup-parameter');
    expect(ids).toContain('pgbouncer-server-side-cursors');
    expect(ids.filter((id) => id === 'upstream-keepalive-timeout')).toHaveLength(3);
    // 10 replicas x 4 workers x 2 threads = 80 <= max_client_conn 1000; 10 x 4 x min(100, 2) Redis connections <= 10000.
    expect(ids).not.toContain('pgbouncer-client-capacity');
    expect(ids).not.toContain('redis-client-capacity');
  });
});

describe('the data-tier model', () => {
  it('is built once per stack and evaluates settings once for replicas that see the same environment', () => {
    const stack = stackOf(SCALED);
    const tier = dataTier(stack);
    expect(dataTier(stack)).toBe(tier);
    expect(tier.apps).toHaveLength(15);
    expect(new Set(tier.apps.map((a) => a.settings)).size).toBe(1);
    expect(tier.apps[0]!.settings!.entry).toBe('backend/arena_backend/settings.py');
    expect(stack.files.has('backend/arena_backend/settings.py')).toBe(true);
    expect(stack.files.has('pgbouncer/pgbouncer.ini')).toBe(true);
  });

  it('reads pgbouncer through its bind mount, with defaults marked and refused values unknown', () => {
    const [pgb] = dataTier(stackOf(SCALED)).pgbouncers;
    expect(pgb).toMatchObject({ version: '1.18.0', source: 'ini' });
    expect(pgb!.databases.map((d) => [d.name, d.params.get('host')])).toEqual([['arena', expect.objectContaining({ kind: 'known', value: 'db' })]]);
    const mode = pgbouncerValue(pgb!, 'pool_mode');
    expect(mode).toMatchObject({ kind: 'known', value: 'transaction' });
    expect(pgbouncerNumber(pgb!, 'server_check_delay')).toMatchObject({ kind: 'known', value: 30, isDefault: true });
    expect(pgbouncerNumber(pgb!, 'default_pool_size')).toMatchObject({ kind: 'unknown' });
  });

  it('routes Django\'s database through the env file values to pgbouncer, pointing at the env file line', () => {
    const [first] = dataTier(stackOf(SCALED)).databases;
    expect(first!.route.kind).toBe('pgbouncer');
    if (first!.route.kind !== 'pgbouncer') return;
    expect(first!.route.port.value).toBe(6432);
    expect(first!.route.database?.name).toBe('arena');
    expect(first!.route.host.via?.map((s) => s.file)).toContain('config.env');
  });

  it('reads a split settings package found through the wsgi module, with .env interpolation in compose', () => {
    const stack = buildStack(new Workspace(SPLIT), 'docker-compose.yml');
    const tier = dataTier(stack);
    expect(tier.apps.map((a) => a.settings?.entry)).toEqual(['backend/config/settings/production.py', 'backend/config/settings/production.py']);
    expect(tier.apps[0]!.settingsModule).toMatchObject({ kind: 'known', value: 'config.settings.production' });
    expect(tier.apps[0]!.settings!.files).toEqual(['backend/config/settings/production.py', 'backend/config/settings/base.py']);
    const { db, route } = tier.databases[0]!;
    expect(route.kind).toBe('pgbouncer');
    expect(db.connMaxAge).toMatchObject({ kind: 'known', value: 600, span: { file: 'backend/config/settings/production.py' } });
    expect(db.host).toMatchObject({ kind: 'known', value: 'pgbouncer', span: { file: 'backend/config/settings/base.py' } });
    expect(tier.pgbouncers[0]).toMatchObject({ version: '1.22.0', source: 'ini' });
    expect(tier.redisUses[0]?.redis?.service.name).toBe('redis');
  });

  it('parses nginx times the way nginx does', () => {
    expect(parseNginxTime('60s')).toBe(60_000);
    expect(parseNginxTime('75')).toBe(75_000);
    expect(parseNginxTime('1m30s')).toBe(90_000);
    expect(parseNginxTime('500ms')).toBe(500);
    expect(parseNginxTime('1.5s')).toBeUndefined();
    expect(parseNginxTime('10S')).toBeUndefined();
  });
});

describe('the split-settings stack', () => {
  it('reports exactly its expected data-tier findings (settings spread over base.py and production.py)', () => {
    const r = runFixture(SPLIT);
    const actual = formatPlain({ ...r, findings: r.findings.filter((f) => DATA_IDS.has(f.ruleId)) });
    const file = join(SPLIT, 'expected.txt');
    if (UPDATE) writeFileSync(file, actual);
    expect(actual).toBe(readFileSync(file, 'utf8'));
    expect(actual).toContain('related backend/config/settings/production.py:4:40 CONN_MAX_AGE 600: connections persist');
  });
});

describe('environment and images', () => {
  const settings = `import os
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "app",
    "HOST": os.environ["DB_HOST"],
    "PORT": os.getenv("DB_PORT", "6432"),
    "DISABLE_SERVER_SIDE_CURSORS": True,
}}
`;
  const web = (env: string) => `  web:
    build: ./backend
    command: gunicorn --workers 2 --threads 2 mysite.wsgi
    env_file: [./web.env]
    environment:
      DJANGO_SETTINGS_MODULE: mysite.settings
${env}`;

  it('lets compose environment override env_file, and reports the port at the compose line', () => {
    const dir = writeStack({
      'docker-compose.yml': `services:\n${web('      DB_PORT: "5432"\n')}  pgbouncer:\n    image: bitnami/pgbouncer:1.22.0\n    environment:\n      POSTGRESQL_HOST: db\n`,
      'web.env': 'DB_HOST=pgbouncer\nDB_PORT=6432\n',
      'backend/mysite/__init__.py': '',
      'backend/mysite/settings.py': settings,
    });
    const f = dataFindings(dir).filter((x) => x.ruleId === 'django-db-bypasses-pgbouncer');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ file: 'docker-compose.yml', line: 8 });
    expect(f[0]!.message).toBe('Database "default" of web connects to pgbouncer:5432, but pgbouncer 1.22.0 (bitnami/pgbouncer:1.22.0) listens on 6432 (docker-compose.yml:10, default)');
  });

  it('knows edoburu\'s env-configured image listens on 5432, unlike pgbouncer\'s own default', () => {
    const dir = writeStack({
      'docker-compose.yml': `services:\n${web('')}  pgbouncer:\n    image: edoburu/pgbouncer:1.23.1\n    environment:\n      DB_HOST: db\n      POOL_MODE: transaction\n`,
      'web.env': 'DB_HOST=pgbouncer\n',
      'backend/mysite/__init__.py': '',
      'backend/mysite/settings.py': settings,
    });
    const f = dataFindings(dir);
    expect(f.map((x) => x.ruleId)).toEqual(['django-db-bypasses-pgbouncer']);
    expect(f[0]!.message).toContain('connects to pgbouncer:6432, but pgbouncer 1.23.1 (edoburu/pgbouncer:1.23.1) listens on 5432 (docker-compose.yml:9, default)');
  });

  it('stays silent, and says why, when HOST comes from the deploying shell', () => {
    const dir = writeStack({
      'docker-compose.yml': `services:\n${web('      DB_HOST:\n')}  pgbouncer:\n    image: edoburu/pgbouncer:1.23.1\n    environment:\n      DB_HOST: db\n`,
      'web.env': '# DB_HOST comes from the deploy system\n',
      'backend/mysite/__init__.py': '',
      'backend/mysite/settings.py': settings,
    });
    const run = check({ dir, rules: RULES });
    expect(run.result.findings.filter((x) => DATA_IDS.has(x.ruleId))).toEqual([]);
    expect(run.unknowns.filter((u) => u.ruleId === 'django-db-bypasses-pgbouncer').map((u) => u.reason)).toEqual([expect.stringContaining('HOST of "default" is unknown')]);
  });

  it('never executes a settings module: its side effects do not happen, and its values are still read', () => {
    const dir = writeStack({
      'docker-compose.yml': `services:\n${web('')}  pgbouncer:\n    image: edoburu/pgbouncer:1.23.1\n    environment:\n      DB_HOST: db\n`,
      'web.env': 'DB_HOST=pgbouncer\nDB_PORT=6432\n',
      'backend/mysite/__init__.py': '',
      'backend/mysite/settings.py': `import os, subprocess
subprocess.run(["touch", "executed-by-subprocess"])
open("executed-by-open", "w").write("ran")
os.system("touch executed-by-system")
${settings}`,
    });
    const tier = dataTier(buildStack(new Workspace(dir), 'docker-compose.yml'));
    expect(tier.databases[0]!.db.host).toMatchObject({ kind: 'known', value: 'pgbouncer' });
    for (const marker of ['executed-by-subprocess', 'executed-by-open', 'executed-by-system']) {
      expect(existsSync(join(dir, marker))).toBe(false);
      expect(existsSync(join(dir, 'backend', marker))).toBe(false);
      expect(existsSync(join(process.cwd(), marker))).toBe(false);
    }
  });
});
