import { describe, expect, it } from 'vitest';
import { createSourceFile, positionAt, type SourceFile } from '../../src/core/source.js';
import type { Value } from '../../src/core/value.js';
import { readCompose } from '../../src/inputs/compose.js';
import { findAppServer, readGunicornOptions } from '../../src/container/gunicorn.js';
import { findTiers } from '../../src/stack/stack.js';
import { parseYaml } from '../../src/parsers/yaml.js';

function compose(text: string, env: Record<string, string> = {}) {
  const file = createSourceFile('docker-compose.yml', text);
  const doc = parseYaml(file).doc!;
  const vars = { lookup: (n: string) => (n in env ? { value: env[n]!, span: { file: '.env', start: 0, end: 1 } } : undefined) };
  return { file, c: readCompose(file, doc, '', vars) };
}

const at = (file: SourceFile, v: { span: { start: number } } | undefined) => (v ? positionAt(file, v.span.start) : undefined);
const val = <T>(v: Value<T> | undefined) => (v?.kind === 'known' ? v.value : v?.kind);

describe('compose reading', () => {
  const text = [
    'x-base: &base',
    '  image: app:1',
    '  environment:',
    '    A: "1"',
    'services:',
    '  web-1:',
    '    <<: *base',
    '    command: >',
    '      gunicorn app.wsgi',
    '      --workers ${W:-4} --threads 2',
    '    depends_on: { db: { condition: service_healthy } }',
    '    volumes: ["./conf/app.conf:/etc/app.conf:ro", "data:/data"]',
    '    deploy: { resources: { limits: { cpus: "2.0", memory: 2048M } } }',
    '    ulimits: { nofile: { soft: 65535, hard: 65535 } }',
    '    sysctls: ["net.core.somaxconn=1024"]',
    '  web-2:',
    '    <<: *base',
    '    command: ["gunicorn", "app.wsgi", "--workers", "4"]',
    '    environment:',
    '      - B=2',
    '      - FROM_SHELL',
    '  db: { image: postgres:16 }',
    '',
  ].join('\n');
  const { file, c } = compose(text, { W: '8' });
  const web1 = c.services.find((s) => s.name === 'web-1')!;
  const web2 = c.services.find((s) => s.name === 'web-2')!;

  it('applies merge keys and keeps the span where the merged value is written', () => {
    expect(val(web1.image)).toBe('app:1');
    expect(at(file, web1.image)).toEqual({ line: 2, column: 10 });
    expect(web1.environment.map((e) => [e.key, val(e.value)])).toEqual([['A', '1']]);
  });

  it('reads a folded command with interpolation into words with their own positions', () => {
    const words = web1.command!.words.filter((w) => !w.operator);
    expect(words.map((w) => val(w.value))).toEqual(['gunicorn', 'app.wsgi', '--workers', '8', '--threads', '2']);
    expect(at(file, words[3]!.value)).toEqual({ line: 10, column: 17 });
    expect(words[3]!.value.kind === 'known' && words[3]!.value.via).toEqual([{ file: '.env', start: 0, end: 1 }]);
    expect(at(file, words[4]!.value)).toEqual({ line: 10, column: 25 });
  });

  it('reads list forms, maps and own environment over merged environment', () => {
    expect(web2.command!.form).toBe('list');
    expect(web2.environment.map((e) => [e.key, val(e.value)])).toEqual([['B', '2'], ['FROM_SHELL', 'unknown']]);
    expect(web1.dependsOn.map((d) => d.name)).toEqual(['db']);
    expect(web1.volumes.map((v) => [v.type, v.source, v.target, v.readOnly])).toEqual([
      ['bind', './conf/app.conf', '/etc/app.conf', true],
      ['volume', 'data', '/data', false],
    ]);
    expect(val(web1.resources!.limits.memory)).toBe('2048M');
    expect(web1.ulimits.map((u) => [u.name, val(u.soft), val(u.hard)])).toEqual([['nofile', 65535, 65535]]);
    expect(web1.sysctls.map((s) => [s.key, val(s.value)])).toEqual([['net.core.somaxconn', '1024']]);
  });

  it('groups numbered services into a replica tier', () => {
    const tiers = findTiers(c.services);
    expect(tiers.map((t) => [t.name, t.replicas.map((r) => r.name)])).toEqual([['web', ['web-1', 'web-2']]]);
  });
});

describe('gunicorn options', () => {
  const opts = (cmd: string, env: Record<string, string> = {}) => {
    const { c } = compose(`services:\n  web:\n    command: ${cmd}\n`);
    const server = findAppServer(c.services[0]!.command)!;
    return readGunicornOptions(server, (n) => (n in env ? { kind: 'known', value: env[n]!, span: { file: 'x', start: 0, end: 0 } } : undefined));
  };

  it('reads flags in every spelling and marks defaults', () => {
    const o = opts('gunicorn -w 8 --threads=4 -b 0.0.0.0:8000 -k gthread --access-logfile - --keep-alive 5 app.wsgi:application');
    expect([val(o.workers), val(o.threads), val(o.workerClass), val(o.keepAlive), val(o.app)]).toEqual([8, 4, 'gthread', 5, 'app.wsgi:application']);
    expect(o.timeout).toMatchObject({ kind: 'known', value: 30, isDefault: true });
    expect(o.backlog).toMatchObject({ kind: 'known', value: 2048, isDefault: true });
  });

  it('finds gunicorn behind sh -c, exec and python -m', () => {
    const o = opts(`sh -c "python manage.py migrate && exec python -m gunicorn --workers 3 app.wsgi"`);
    expect(val(o.workers)).toBe(3);
  });

  it('turns the sync default into gthread when threads are set, and reads WEB_CONCURRENCY', () => {
    const o = opts('gunicorn --threads 2 app.wsgi', { WEB_CONCURRENCY: '5' });
    expect(val(o.workerClass)).toBe('gthread');
    expect(val(o.workers)).toBe(5);
  });

  it('makes defaults unknown when a config file may set them', () => {
    const o = opts('gunicorn -c gunicorn.conf.py app.wsgi');
    expect(o.workers.kind).toBe('unknown');
  });
});
