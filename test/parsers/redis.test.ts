import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { known, unknown, type Value } from '../../src/core/value.js';
import { parseRedisArgs, parseRedisConf, parseRedisMemory, REDIS_DEFAULTS } from '../../src/parsers/redis.js';

const FILE = 'docker-compose.yml';
function argv(line: string): Value<string>[] {
  const words: Value<string>[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(known(m[1] ?? m[2]!, { file: FILE, start: m.index, end: m.index + m[0].length }));
  return words;
}

describe('parseRedisArgs', () => {
  it('reads the plan\'s redis command with the span of each value', () => {
    const line = 'redis-server --maxmemory 8gb --maxmemory-policy allkeys-lru --maxclients 10000 --tcp-backlog 511 --timeout 0 --tcp-keepalive 300';
    const { settings, problems, configFile } = parseRedisArgs(argv(line));
    expect(problems).toEqual([]);
    expect(configFile).toBeUndefined();
    expect(Object.fromEntries([...settings].map(([k, v]) => [k, v.kind === 'known' ? v.value : '?']))).toEqual({
      maxmemory: '8gb', 'maxmemory-policy': 'allkeys-lru', maxclients: '10000', 'tcp-backlog': '511', timeout: '0', 'tcp-keepalive': '300',
    });
    const v = settings.get('maxmemory')!;
    expect(line.slice(v.span.start, v.span.end)).toBe('8gb');
  });

  it('reads a config file, --save "", multi-word options and repeated save', () => {
    const line = '/usr/local/etc/redis/redis.conf --save "" --appendonly yes --save 900 1 --save 300 10 --MaxClients 50';
    const { settings, configFile } = parseRedisArgs(argv(line));
    expect(configFile).toMatchObject({ value: '/usr/local/etc/redis/redis.conf' });
    expect(settings.get('save')).toMatchObject({ value: '900 1 300 10' });
    expect(settings.get('maxclients')).toMatchObject({ value: '50' });
    const save = settings.get('save')!;
    expect(line.slice(save.span.start, save.span.end)).toBe('900 1 --save 300 10');
    expect(parseRedisArgs(argv('--save ""')).settings.get('save')).toMatchObject({ value: '' });
  });

  it('keeps a value with an unset variable unknown', () => {
    const words = [known('--maxmemory', { file: FILE, start: 0, end: 11 }), unknown('REDIS_MAXMEMORY is not set', { file: FILE, start: 12, end: 30 })];
    expect(parseRedisArgs(words).settings.get('maxmemory')).toMatchObject({ kind: 'unknown', span: { start: 12, end: 30 } });
  });
});

describe('parseRedisConf', () => {
  it('reads directives, quotes, comments and includes', () => {
    const text = '# comment\nmaxmemory 2gb\nMAXCLIENTS 20000\nsave 900 1\nsave 60 10000\nrequirepass "a b\\"c"\ninclude /etc/redis/extra.conf\nbind 127.0.0.1 -::1\n';
    const { doc, problems, comments } = parseRedisConf(createSourceFile('redis.conf', text));
    expect(problems).toEqual([]);
    expect(Object.fromEntries([...doc!].map(([k, v]) => [k, v.value]))).toEqual({
      maxmemory: '2gb', maxclients: '20000', save: '900 1 60 10000', requirepass: 'a b"c', bind: '127.0.0.1 -::1',
    });
    const mm = doc!.get('maxmemory')!;
    expect(text.slice(mm.span.start, mm.span.end)).toBe('2gb');
    expect(doc!.includes.map((i) => i.path)).toEqual(['/etc/redis/extra.conf']);
    expect(comments.map((c) => c.text)).toEqual(['comment']);
  });

  it('reports unbalanced quotes', () => {
    const text = 'requirepass "abc\n';
    expect(parseRedisConf(createSourceFile('redis.conf', text)).problems.map((p) => p.message)).toEqual(['Unbalanced quotes']);
  });
});

describe('parseRedisMemory', () => {
  it('implements redis units exactly', () => {
    expect(parseRedisMemory('0')).toBe(0);
    expect(parseRedisMemory('100')).toBe(100);
    expect(parseRedisMemory('1b')).toBe(1);
    expect(parseRedisMemory('1k')).toBe(1000);
    expect(parseRedisMemory('1kb')).toBe(1024);
    expect(parseRedisMemory('1m')).toBe(1_000_000);
    expect(parseRedisMemory('1MB')).toBe(1024 ** 2);
    expect(parseRedisMemory('8g')).toBe(8e9);
    expect(parseRedisMemory('8Gb')).toBe(8 * 1024 ** 3);
  });
  it('refuses what redis refuses', () => {
    for (const bad of ['1.5gb', '1 gb', '1tb', 'gb', '', '1kib']) expect(parseRedisMemory(bad), bad).toBeUndefined();
  });
  it('knows the defaults the rules rely on', () => {
    expect(REDIS_DEFAULTS.get('maxclients')).toBe('10000');
    expect(REDIS_DEFAULTS.get('tcp-backlog')).toBe('511');
    expect(REDIS_DEFAULTS.get('maxmemory')).toBe('0');
    expect(REDIS_DEFAULTS.get('tcp-keepalive')).toBe('300');
  });
});

const CORPUS = '/work/shared/corpus';
describe.skipIf(!existsSync(CORPUS))('redis.conf files of the corpus', () => {
  it('parse without throwing, with every span inside the file', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/^redis.*\.conf$/.test(name)) files.push(path);
      }
    };
    walk(CORPUS);
    expect(files.length).toBeGreaterThan(0);
    for (const path of files) {
      const file = createSourceFile(relative(CORPUS, path), readFileSync(path, 'utf8'));
      const { doc } = parseRedisConf(file);
      for (const v of doc!.values()) {
        expect(v.span.start).toBeGreaterThanOrEqual(0);
        expect(v.span.end).toBeLessThanOrEqual(file.text.length);
      }
      const mm = doc!.get('maxmemory');
      if (mm) expect(parseRedisMemory(mm.value), `${path} maxmemory ${mm.value}`).toBeDefined();
    }
  });
});
if (!existsSync(CORPUS)) console.warn(`[redis parser] corpus not found at ${CORPUS}; corpus tests skipped`);
