import { describe, expect, test } from 'vitest';
import { readAppServer, readAppServerReading } from '../../../src/container/app-servers/index.js';
import { envFile, fsOf, processOf, repo, show, where } from './helpers.js';

describe('gunicorn: command line', () => {
  test('flags give values at the flag; sync with threads > 1 becomes gthread, whose timeout only heartbeats', () => {
    const ws = repo({ 'start.sh': 'gunicorn config.wsgi:application --bind 0.0.0.0:8000 -w 4 --threads 2 --timeout 60\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(f.kind).toBe('gunicorn');
    expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:8000', at: 'start.sh:1:41 0.0.0.0:8000' });
    expect(show(ws, f.port)).toEqual({ value: 8000, at: 'start.sh:1:41 0.0.0.0:8000' });
    expect(show(ws, f.processes)).toEqual({ value: 4, at: 'start.sh:1:57 4' });
    expect(show(ws, f.threads)).toEqual({ value: 2, at: 'start.sh:1:69 2' });
    expect(f.workerClass.kind === 'known' && f.workerClass.value).toBe('gthread');
    expect(f.workerClass.kind === 'known' && f.workerClass.isDefault).toBe(true);
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 60, at: 'start.sh:1:81 60' });
    expect(f.timeoutKills.kind === 'known' && f.timeoutKills.value).toBe(false);
    // gthread keeps connections alive for keepalive seconds (default 2), written nowhere: the command's span.
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 2, isDefault: true, at: `start.sh:1:1 ${ws.read('start.sh')!.text.trim()}` });
    expect(f.backlog.kind === 'known' && [f.backlog.value, f.backlog.isDefault]).toEqual([2048, true]);
    expect(show(ws, f.application)).toEqual({ value: 'config.wsgi:application', at: 'start.sh:1:10 config.wsgi:application' });
    expect(show(ws, f.interface)).toMatchObject({ value: 'wsgi' });
    expect(f.configFiles).toEqual([]);
  });

  test('documented defaults, marked isDefault: 127.0.0.1:8000, one sync worker, timeout 30 that kills, no keep-alive', () => {
    const ws = repo({ 'start.sh': 'exec gunicorn app.wsgi\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    const cmd = 'start.sh:1:6 gunicorn app.wsgi';
    expect(show(ws, f.bind)).toEqual({ value: '127.0.0.1:8000', isDefault: true, at: cmd });
    expect(show(ws, f.processes)).toEqual({ value: 1, isDefault: true, at: cmd });
    expect(show(ws, f.workerClass)).toEqual({ value: 'sync', isDefault: true, at: cmd });
    expect(show(ws, f.threads)).toEqual({ value: 1, isDefault: true, at: cmd });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 30, isDefault: true, at: cmd });
    expect(show(ws, f.timeoutKills)).toEqual({ value: true, isDefault: true, at: cmd });
    // "The sync worker does not support persistent connections and will ignore this option."
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 0, isDefault: true, at: cmd });
  });

  test('python -m gunicorn, wrappers and sh -c are looked through; -k uvicorn worker makes it ASGI', () => {
    for (const line of [
      'python -m gunicorn config.asgi:application -k uvicorn.workers.UvicornWorker -b :8000',
      'tini -- gosu app /venv/bin/gunicorn config.asgi:application -k uvicorn.workers.UvicornWorker -b :8000',
      'sh -c "exec gunicorn config.asgi:application --worker-class=uvicorn.workers.UvicornWorker -b :8000"',
    ]) {
      const ws = repo({ 'start.sh': `${line}\n` });
      const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
      expect(f.kind, line).toBe('gunicorn');
      expect(show(ws, f.interface), line).toMatchObject({ value: 'asgi' });
      expect(f.timeoutKills.kind === 'known' && f.timeoutKills.value, line).toBe(false);
      expect(f.port.kind === 'known' && f.port.value, line).toBe(8000);
      expect(where(ws, f.workerClass.span), line).toMatch(/uvicorn\.workers\.UvicornWorker$/);
    }
  });

  test('gevent workers: threads are unknown (greenlets up to worker_connections)', () => {
    const ws = repo({ 'start.sh': 'gunicorn app.wsgi -k gevent --worker-connections 500\n' });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, f.threads)).toEqual({ unknown: 'gevent workers serve up to worker_connections (500) requests each on greenlets, not threads' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: false });
  });

  test('an unset variable in a flag value is unknown with its reason; the flag is still known to be set', () => {
    const ws = repo({ 'start.sh': 'gunicorn app.wsgi -w $WORKERS\n' });
    const proc = processOf(ws, 'start.sh');
    // The process reader leaves unexpanded words unknown; mimic it for the one word.
    const argv = proc.argv.map((w) => (w.value.kind === 'known' && w.value.value === '$WORKERS' ? { ...w, value: { kind: 'unknown' as const, reason: 'WORKERS is not set', span: w.value.span } } : w));
    const f = readAppServer({ ...proc, argv }, fsOf(ws, []), ws)!;
    expect(show(ws, f.processes)).toEqual({ unknown: 'WORKERS is not set' });
  });
});

describe('gunicorn: config file, GUNICORN_CMD_ARGS, environment, in gunicorn\'s precedence', () => {
  const conf = ['import multiprocessing', 'import os', 'bind = "0.0.0.0:9000"', 'workers = int(os.environ.get("GUNICORN_WORKERS", "3"))', 'worker_class = "gthread"', 'threads = 4', 'keepalive = 5', 'timeout = 120', ''].join('\n');

  test('./gunicorn.conf.py in the working directory is read (statically, without Django); its values point into it', () => {
    const ws = repo({ 'backend/gunicorn.conf.py': conf, 'start.sh': 'gunicorn config.wsgi\n' });
    const r = readAppServerReading(processOf(ws, 'start.sh', { workdir: '/app' }), fsOf(ws, [['/app', 'backend']]), ws)!;
    const f = r.facts;
    expect(f.configFiles.map((c) => c.path)).toEqual(['backend/gunicorn.conf.py']);
    expect(r.files.map((x) => x.path)).toEqual(['backend/gunicorn.conf.py']);
    expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:9000', at: 'backend/gunicorn.conf.py:3:8 "0.0.0.0:9000"' });
    expect(show(ws, f.processes)).toEqual({ value: 3, at: 'backend/gunicorn.conf.py:4:11 int(os.environ.get("GUNICORN_WORKERS", "3"))' });
    expect(show(ws, f.threads)).toEqual({ value: 4, at: 'backend/gunicorn.conf.py:6:11 4' });
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 5, at: 'backend/gunicorn.conf.py:7:13 5' });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 120, at: 'backend/gunicorn.conf.py:8:11 120' });
    expect(show(ws, f.timeoutKills)).toMatchObject({ value: false });
  });

  test('the issue\'s false warning: WEB_CONCURRENCY is set, but gunicorn.conf.py sets workers, which wins', () => {
    const env = { WEB_CONCURRENCY: '8' };
    const ws = repo({ 'backend/gunicorn.conf.py': 'workers = 2\n', 'start.sh': 'gunicorn config.wsgi\n', 'app.env': envFile(env) });
    const f = readAppServer(processOf(ws, 'start.sh', { env }), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(show(ws, f.processes)).toEqual({ value: 2, at: 'backend/gunicorn.conf.py:1:11 2' });
  });

  test('WEB_CONCURRENCY is the workers default when nothing else sets it; the span is the env line', () => {
    const env = { WEB_CONCURRENCY: '8' };
    const ws = repo({ 'start.sh': 'gunicorn config.wsgi\n', 'app.env': envFile(env) });
    const f = readAppServer(processOf(ws, 'start.sh', { env }), fsOf(ws, []), ws)!;
    expect(show(ws, f.processes)).toEqual({ value: 8, at: 'app.env:1:17 8' });
  });

  test('command line over GUNICORN_CMD_ARGS over the config file; PORT is the bind default', () => {
    const env = { GUNICORN_CMD_ARGS: '--workers 6 --timeout 90 --keep-alive 7', PORT: '5000' };
    const ws = repo({ 'backend/gunicorn.conf.py': 'workers = 2\ntimeout = 10\nkeepalive = 3\nthreads = 2\n', 'start.sh': 'gunicorn config.wsgi -w 5\n', 'app.env': envFile(env) });
    const f = readAppServer(processOf(ws, 'start.sh', { env }), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(show(ws, f.processes)).toEqual({ value: 5, at: 'start.sh:1:25 5' });
    expect(show(ws, f.requestTimeoutSeconds)).toEqual({ value: 90, at: 'app.env:1:41 90' });
    expect(show(ws, f.keepAliveSeconds)).toEqual({ value: 7, at: 'app.env:1:57 7' });
    expect(show(ws, f.threads)).toEqual({ value: 2, at: 'backend/gunicorn.conf.py:4:11 2' });
    expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:5000', at: 'app.env:2:6 5000' });
  });

  test('-c FILE is resolved in the container filesystem; ./gunicorn.conf.py is then not read', () => {
    const ws = repo({
      'deploy/gunicorn.py': 'workers = 9\n',
      'backend/gunicorn.conf.py': 'workers = 2\n',
      'start.sh': 'gunicorn -c /etc/gunicorn/gunicorn.py config.wsgi\n',
    });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, [['/app', 'backend'], ['/etc/gunicorn', 'deploy']]), ws)!;
    expect(f.configFiles).toEqual([{ path: 'deploy/gunicorn.py', via: expect.objectContaining({ file: 'start.sh' }) }]);
    expect(show(ws, f.processes)).toEqual({ value: 9, at: 'deploy/gunicorn.py:1:11 9' });
  });

  test('a config file the container does not have: every setting it could set is unknown, with the reason', () => {
    const ws = repo({ 'start.sh': 'gunicorn -c /etc/gunicorn.conf.py --bind :8000 config.wsgi\n' });
    const r = readAppServerReading(processOf(ws, 'start.sh'), fsOf(ws, []), ws)!;
    expect(show(ws, r.facts.processes)).toEqual({ unknown: "gunicorn reads its settings from /etc/gunicorn.conf.py, which is not in the container's filesystem as arena-lint sees it" });
    // The command line still wins over whatever the file says.
    expect(show(ws, r.facts.bind)).toMatchObject({ value: ':8000' });
    expect(r.unknowns.map((u) => u.what)).toEqual(['gunicorn config file']);
  });

  test('cpu_count() formulas are unknown with why; Django helpers are not modelled in a gunicorn config', () => {
    const ws = repo({
      'backend/gunicorn.conf.py': 'import multiprocessing\nimport environ\nworkers = multiprocessing.cpu_count() * 2 + 1\nthreads = environ.Env().int("THREADS", default=2)\n',
      'start.sh': 'gunicorn config.wsgi\n',
    });
    const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(show(ws, f.processes)).toEqual({ unknown: 'multiprocessing.cpu_count() is the number of CPUs of the machine the container runs on' });
    // threads cannot be known, so neither can the worker class (sync turns gthread above one thread).
    expect(f.threads.kind).toBe('unknown');
    expect(f.workerClass.kind === 'unknown' && f.workerClass.reason).toMatch(/^the sync worker becomes gthread when threads > 1, and threads cannot be known: .*environ/);
  });

  test('wsgi_app in the config file names the application; --env and --chdir reach the reading', () => {
    const ws = repo({ 'backend/gunicorn.conf.py': 'wsgi_app = "mysite.wsgi:application"\nraw_env = ["DJANGO_SETTINGS_MODULE=mysite.settings.prod"]\nchdir = "/app/src"\n', 'start.sh': 'gunicorn\n' });
    const r = readAppServerReading(processOf(ws, 'start.sh'), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(show(ws, r.facts.application)).toEqual({ value: 'mysite.wsgi:application', at: 'backend/gunicorn.conf.py:1:12 "mysite.wsgi:application"' });
    expect(show(ws, r.appEnv.get('DJANGO_SETTINGS_MODULE'))).toMatchObject({ value: 'mysite.settings.prod' });
    expect(show(ws, r.appDir)).toMatchObject({ value: '/app/src' });
  });
});

test('one exec-form word "-c /etc/x.py" (as netbox-docker writes it) names /etc/x.py: gunicorn strips the value', () => {
  const ws = repo({ 'conf/gunicorn_config.py': 'workers = 5\n', 'start.sh': "gunicorn '-c /etc/netbox/gunicorn_config.py' netbox.wsgi\n" });
  const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, [['/etc/netbox', 'conf']]), ws)!;
  expect(f.configFiles.map((c) => c.path)).toEqual(['conf/gunicorn_config.py']);
  expect(show(ws, f.processes)).toEqual({ value: 5, at: 'conf/gunicorn_config.py:1:11 5' });
});

test('bind as a list in gunicorn.conf.py: the first address is the one facts report', () => {
  const ws = repo({ 'backend/gunicorn.conf.py': 'bind = ["0.0.0.0:8001", "unix:/run/gunicorn.sock"]\n', 'start.sh': 'gunicorn config.wsgi\n' });
  const f = readAppServer(processOf(ws, 'start.sh'), fsOf(ws, [['/app', 'backend']]), ws)!;
  expect(show(ws, f.bind)).toEqual({ value: '0.0.0.0:8001', at: 'backend/gunicorn.conf.py:1:9 "0.0.0.0:8001"' });
  expect(show(ws, f.port)).toEqual({ value: 8001, at: 'backend/gunicorn.conf.py:1:9 "0.0.0.0:8001"' });
});
