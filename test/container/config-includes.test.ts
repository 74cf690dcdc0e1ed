import { afterEach, describe, expect, it } from 'vitest';
import { effectivePgbouncerSettings } from '../../src/parsers/pgbouncer.js';
import { parseRedisArgs } from '../../src/parsers/redis.js';
import { known } from '../../src/core/value.js';
import { loadPgbouncerIni, loadRedisConf } from '../../src/container/config-includes.js';
import { buildContainerView } from '../../src/container/view.js';
import { Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

function fsOf(files: Record<string, string>, target: string, source: string) {
  repo = new Repo({ 'docker-compose.yml': 'services:\n  db:\n    image: x\n', ...files });
  const r = repo;
  const view = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'db', { image: r.value('docker-compose.yml', 'x'), mounts: [r.mount('docker-compose.yml', 'image: x', { type: 'bind', source, target })] }));
  return { r, fs: view.filesystem };
}

describe('%include and include as the server loads them', () => {
  it('pgbouncer: the included text takes the include\'s place, its leading keys join the current section', () => {
    const { r, fs } = fsOf({
      'pgb/pgbouncer.ini': '[pgbouncer]\nmax_client_conn = 100\n%include /etc/pgbouncer/extra.ini\ndefault_pool_size = 5\n',
      'pgb/extra.ini': 'max_client_conn = 900\n[databases]\napp = host=db\n',
    }, '/etc/pgbouncer', 'pgb');
    const merged = loadPgbouncerIni(r.ws, fs, fs.resolve('/etc/pgbouncer/pgbouncer.ini')!)!;
    expect(merged.files.map((f) => [f.path, f.problems.length])).toEqual([['pgb/pgbouncer.ini', 0], ['pgb/extra.ini', 0]]);
    expect(merged.ini.sections.map((s) => [s.name, s.entries.map((e) => e.key)])).toEqual([['pgbouncer', ['max_client_conn', 'max_client_conn']], ['databases', ['app', 'default_pool_size']]]);
    const settings = effectivePgbouncerSettings(merged.ini);
    const max = settings.get('max_client_conn')!;
    expect(max).toMatchObject({ kind: 'known', value: '900' });
    expect(max.span.file).toBe('pgb/extra.ini');
    expect(r.line(max.span)).toBe(1);
  });

  it('pgbouncer: an include the container does not have stays unresolved, so what it may set is unknown', () => {
    const { r, fs } = fsOf({ 'pgb/pgbouncer.ini': '[pgbouncer]\n%include /etc/secret/pgb.ini\n' }, '/etc/pgbouncer', 'pgb');
    const merged = loadPgbouncerIni(r.ws, fs, fs.resolve('/etc/pgbouncer/pgbouncer.ini')!)!;
    expect(merged.ini.includes.map((i) => i.path)).toEqual(['/etc/secret/pgb.ini']);
    expect(effectivePgbouncerSettings(merged.ini).get('max_client_conn')).toMatchObject({ kind: 'unknown' });
  });

  it('redis: include lines in order, last wins, globs followed', () => {
    const { r, fs } = fsOf({
      'redis/redis.conf': 'maxmemory 1gb\ninclude /usr/local/etc/redis/conf.d/*.conf\nmaxclients 50\n',
      'redis/conf.d/a.conf': 'maxmemory 2gb\nmaxclients 900\n',
    }, '/usr/local/etc/redis', 'redis');
    const merged = loadRedisConf(r.ws, fs, fs.resolve('/usr/local/etc/redis/redis.conf')!)!;
    expect(merged.conf.get('maxmemory')).toMatchObject({ value: '2gb', span: { file: 'redis/conf.d/a.conf' } });
    expect(merged.conf.get('maxclients')).toMatchObject({ value: '50', span: { file: 'redis/redis.conf' } });
    expect(merged.conf.includes).toEqual([]);
    expect(merged.files.map((f) => f.path)).toEqual(['redis/redis.conf', 'redis/conf.d/a.conf']);
  });

  it('the valkey-server binary is not a config file', () => {
    const at = { file: 'docker-compose.yml', start: 0, end: 1 };
    const parsed = parseRedisArgs([known('valkey-server', at), known('--maxmemory', at), known('1gb', at)]);
    expect(parsed.configFile).toBeUndefined();
    expect(parsed.settings.get('maxmemory')).toMatchObject({ value: '1gb' });
  });
});
