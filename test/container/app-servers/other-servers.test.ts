import { describe, expect, test } from 'vitest';
import { readAppServer, readAppServerReading } from '../../../src/container/app-servers/index.js';
import { envFile, fsOf, processOf, repo, show } from './helpers.js';

describe('uvicorn', () => {
  test('--host/--port/--workers/--timeout-keep-alive/--backlog from the command line; no request timeout', () => {
    const ws = repo({ 'start.sh': 'uvicorn config.asgi:application --host 0.0.0.0 --port 8001 --workers 3 --timeout-keep-alive 15 --backlog 512\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(f.kind).toBe('uvicorn');
    expect(show(ws, f.bind)).toMatchObject({ value: '0.0.0.0:8001', at: 'start.sh:1:40 0.0.0.0' });
    expect(show(ws, f.port)).toEqual({ value: 8001, at: 'start.sh:1:55 8001' });
    expect(show(ws, f.processes)).toEqual({ value: 3, at: 'start.sh:1:70 3' });
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 15, at: 'start.sh:1:93 15' });
    expect(show(ws, f.backlog)).toEqual({ value: 512, at: 'start.sh:1:106 512' });
    expect(show(ws, f.interface)).toMatchObject({ value: 'asgi', isDefault: true });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ unknown: 'uvicorn has no request timeout' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: false, isDefault: true });
  });

  test('defaults: 127.0.0.1:8000, keep-alive 5, backlog 2048; WEB_CONCURRENCY and UVICORN_* set them, the command line wins', () => {
    const ws0 = repo({ 'start.sh': 'uvicorn app:app\n' });
    const d = readAppServer(processOf(ws0, 'start.sh'), fsOf(ws0, []), ws0)!;
    expect(show(ws0, d.bind)).toMatchObject({ value: '127.0.0.1:8000', isDefault: true });
    expect(show(ws0, d.keepAliveSeconds)).toMatchObject({ value: 5, isDefault: true });
    expect(show(ws0, d.backlog)).toMatchObject({ value: 2048, isDefault: true });
    expect(show(ws0, d.processes)).toMatchObject({ value: 1, isDefault: true });

    const env = { WEB_CONCURRENCY: '4', UVICORN_PORT: '9000', UVICORN_TIMEOUT_KEEP_ALIVE: '30' };
    const ws = repo({ 'start.sh': 'uvicorn app:app --timeout-keep-alive 10\n', 'app.env': envFile(env) });
    const f = readAppServer(processOf(ws, 'start.sh', { env }), fsOf(ws, []), ws)!;
    expect(show(ws, f.processes)).toEqual({ value: 4, at: 'app.env:1:17 4' });
    expect(show(ws, f.port)).toEqual({ value: 9000, at: 'app.env:2:14 9000' });
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 10, at: 'start.sh:1:38 10' });
  });

  test('--uds binds a unix socket (no TCP port); --reload runs one process; --interface wsgi is WSGI', () => {
    const ws = repo({ 'start.sh': 'uvicorn app:app --uds /run/app.sock --workers 4 --reload --interface wsgi\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, f.bind)).toMatchObject({ value: 'unix:/run/app.sock' });
    expect(f.port.kind).toBe('unknown');
    expect(show(ws, f.processes)).toMatchObject({ value: 1 });
    expect(show(ws, f.interface)).toMatchObject({ value: 'wsgi' });
  });
});

describe('daphne', () => {
  test('-b/-p, one process, ASGI; --http-timeout answers 503 without killing', () => {
    const ws = repo({ 'start.sh': 'daphne -b 0.0.0.0 -p 8001 --http-timeout 120 app.asgi:application\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(f.kind).toBe('daphne');
    expect(show(ws, f.bind)).toMatchObject({ value: '0.0.0.0:8001' });
    expect(show(ws, f.port)).toEqual({ value: 8001, at: 'start.sh:1:22 8001' });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 120, at: 'start.sh:1:42 120' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: false });
    expect(show(ws, f.processes)).toMatchObject({ value: 1, isDefault: true });
    expect(show(ws, f.application)).toMatchObject({ value: 'app.asgi:application' });
  });

  test('defaults 127.0.0.1:8000; a host alone gets port 8000; -u is a unix socket; -e tcp endpoint', () => {
    const cases: Array<[string, string]> = [
      ['daphne app.asgi:application', '127.0.0.1:8000'],
      ['daphne -b 0.0.0.0 app.asgi:application', '0.0.0.0:8000'],
      ['daphne -p 9000 app.asgi:application', '127.0.0.1:9000'],
      ['daphne -u /run/daphne.sock app.asgi:application', 'unix:/run/daphne.sock'],
      ['daphne -e tcp:port=8002:interface=0.0.0.0 app.asgi:application', '0.0.0.0:8002'],
    ];
    for (const [line, bind] of cases) {
      const ws = repo({ 'start.sh': `${line}\n` });
      const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
      expect(f.bind.kind === 'known' && f.bind.value, line).toBe(bind);
    }
  });
});

describe('uWSGI', () => {
  test('command line: --socket speaks the uwsgi protocol; processes, threads, harakiri (kills), listen', () => {
    const ws = repo({ 'run.sh': 'uwsgi --socket :9000 --workers 4 --threads 2 --master --enable-threads --harakiri 60 --listen 1024 --module app.wsgi\n' });
    const f = readAppServer(processOf(ws, 'run.sh'), fsOf(ws, []), ws)!;
    expect(f.kind).toBe('uwsgi');
    expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:9000', at: 'run.sh:1:16 :9000' });
    expect(show(ws, f.listenProtocol)).toEqual({ value: 'uwsgi', at: 'run.sh:1:16 :9000' });
    expect(show(ws, f.processes)).toEqual({ value: 4, at: 'run.sh:1:32 4' });
    expect(show(ws, f.threads)).toEqual({ value: 2, at: 'run.sh:1:44 2' });
    expect(show(ws, f.workerClass)).toMatchObject({ value: 'threaded' });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 60, at: 'run.sh:1:83 60' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: true });
    expect(show(ws, f.backlog)).toEqual({ value: 1024, at: 'run.sh:1:95 1024' });
    expect(show(ws, f.keepAliveSeconds)).toMatchObject({ value: 0, isDefault: true });
    expect(show(ws, f.application)).toMatchObject({ value: 'app.wsgi' });
  });

  test('an ini file (--ini and positional), %(option) and $(ENV) placeholders; UWSGI_* variables come first; defaults', () => {
    const env = { UWSGI_PROCESSES: '8', UWSGI_LISTEN: '256', APP_PORT: '8080' };
    const ini = ['[uwsgi]', '# comment', 'base = /srv/app', 'chdir = %(base)', 'http-socket = 0.0.0.0:$(APP_PORT)', 'module = mysite.wsgi:application', 'processes = 3', 'env = DJANGO_SETTINGS_MODULE=mysite.settings', '[other]', 'processes = 99', ''].join('\n');
    const ws = repo({ 'deploy/uwsgi.ini': ini, 'run.sh': 'uwsgi --ini /etc/uwsgi/uwsgi.ini\n', 'run2.sh': 'uwsgi /etc/uwsgi/uwsgi.ini --processes 5\n', 'app.env': envFile(env) });
    const fs = fsOf(ws, [['/etc/uwsgi', 'deploy']]);
    const r = readAppServerReading(processOf(ws, 'run.sh', { env }), fs, ws)!;
    const f = r.facts;
    expect(f.configFiles.map((c) => c.path)).toEqual(['deploy/uwsgi.ini']);
    expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:8080', at: 'deploy/uwsgi.ini:5:15 0.0.0.0:$(APP_PORT)' });
    expect(show(ws, f.listenProtocol)).toMatchObject({ value: 'http' });
    // The ini comes after the environment: its processes wins; listen only the environment sets.
    expect(show(ws, f.processes)).toEqual({ value: 3, at: 'deploy/uwsgi.ini:7:13 3' });
    expect(show(ws, f.backlog)).toEqual({ value: 256, at: 'app.env:2:14 256' });
    expect(show(ws, f.requestTimeoutSeconds)).toMatchObject({ unknown: 'harakiri is off: uWSGI never ends a request for taking too long' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: false, isDefault: true });
    expect(show(ws, r.appDir)).toMatchObject({ value: '/srv/app' });
    expect(show(ws, r.appEnv.get('DJANGO_SETTINGS_MODULE'))).toMatchObject({ value: 'mysite.settings' });
    const r2 = readAppServer(processOf(ws, 'run2.sh', { env }), fs, ws)!;
    expect(show(ws, r2.processes)).toEqual({ value: 5, at: 'run2.sh:1:40 5' });
  });

  test('--protocol http makes a plain socket speak HTTP; --http starts the HTTP router; yaml files are read', () => {
    const ws = repo({
      'a.sh': 'uwsgi --socket 0.0.0.0:3031 --protocol http --module app.wsgi\n',
      'b.sh': 'uwsgi --http :8000 --module app.wsgi\n',
      'c.sh': 'uwsgi --yaml /app/uwsgi.yml\n',
      'uwsgi.yml': 'uwsgi:\n  socket: /run/uwsgi.sock\n  processes: 6\n  module: app.wsgi\n',
    });
    const fs = fsOf(ws, [['/app', '']]);
    expect(show(ws, readAppServer(processOf(ws, 'a.sh'), fs, ws)!.listenProtocol)).toMatchObject({ value: 'http' });
    const b = readAppServer(processOf(ws, 'b.sh'), fs, ws)!;
    expect([show(ws, b.listenProtocol), show(ws, b.bind)]).toMatchObject([{ value: 'http' }, { value: '0.0.0.0:8000' }]);
    const c = readAppServer(processOf(ws, 'c.sh'), fs, ws)!;
    expect(show(ws, c.bind)).toEqual({ value: 'unix:/run/uwsgi.sock', at: 'uwsgi.yml:2:11 /run/uwsgi.sock' });
    expect(show(ws, c.processes)).toEqual({ value: 6, at: 'uwsgi.yml:3:14 6' });
  });

  test('an ini the container does not have makes every setting unknown; an unset $(VAR) is unknown with why', () => {
    const ws = repo({ 'run.sh': 'uwsgi --ini /etc/uwsgi/app.ini\n', 'u.ini': '[uwsgi]\nsocket = :$(PORT)\n', 'run2.sh': 'uwsgi --ini /app/u.ini\n' });
    const f = readAppServer(processOf(ws, 'run.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, f.processes)).toEqual({ unknown: "uWSGI reads its settings from /etc/uwsgi/app.ini, which is not in the container's filesystem as arena-lint sees it" });
    const g = readAppServer(processOf(ws, 'run2.sh'), fsOf(ws, [['/app', '']]), ws)!;
    expect(show(ws, g.bind)).toEqual({ unknown: "$(PORT) is not set in the container's environment" });
  });
});

describe('granian', () => {
  test('--interface wsgi, --workers, --blocking-threads, --host/--port; GRANIAN_* variables under the command line', () => {
    const env = { GRANIAN_WORKERS: '2', GRANIAN_BLOCKING_THREADS: '8' };
    const ws = repo({ 'start.sh': 'granian --interface wsgi --host 0.0.0.0 --port 8000 --workers 4 config.wsgi:application\n', 'app.env': envFile(env) });
    const f = readAppServer(processOf(ws, 'start.sh', { env }), fsOf(ws, []), ws)!;
    expect(f.kind).toBe('granian');
    expect(show(ws, f.interface)).toEqual({ value: 'wsgi', at: 'start.sh:1:21 wsgi' });
    expect(show(ws, f.processes)).toEqual({ value: 4, at: 'start.sh:1:63 4' });
    expect(show(ws, f.threads)).toEqual({ value: 8, at: 'app.env:2:26 8' });
    expect(show(ws, f.bind)).toMatchObject({ value: '0.0.0.0:8000' });
    expect(show(ws, f.backlog)).toMatchObject({ value: 1024, isDefault: true });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ unknown: 'granian has no request timeout' });
  });

  test('the default interface is RSGI, neither WSGI nor ASGI; ASGI uses one blocking thread; --no-http1-keep-alive', () => {
    const ws = repo({ 'a.sh': 'granian app:app\n', 'b.sh': 'python -m granian --interface asgi --no-http1-keep-alive app:app\n' });
    const a = readAppServer(processOf(ws, 'a.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, a.interface)).toEqual({ unknown: 'granian serves the RSGI interface (its default; Django needs --interface wsgi or asgi), neither WSGI nor ASGI' });
    const b = readAppServer(processOf(ws, 'b.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, b.interface)).toMatchObject({ value: 'asgi' });
    expect(show(ws, b.threads)).toMatchObject({ value: 1, isDefault: true });
    expect(show(ws, b.keepAliveSeconds)).toMatchObject({ value: 0 });
  });
});

test('a process that starts no app server we read gives no facts', () => {
  const ws = repo({ 'a.sh': 'celery -A proj worker\n', 'b.sh': 'python manage.py runserver 0.0.0.0:8000\n' });
  expect(readAppServer(processOf(ws, 'a.sh'), fsOf(ws, []), ws)).toBeUndefined();
  expect(readAppServer(processOf(ws, 'b.sh'), fsOf(ws, []), ws)).toBeUndefined();
});
