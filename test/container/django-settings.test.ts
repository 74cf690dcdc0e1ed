import { afterEach, describe, expect, it } from 'vitest';
import { findDjango } from '../../src/container/django-settings.js';
import { buildContainerView } from '../../src/container/view.js';
import { build, Repo, spec } from './helpers.js';
import { envFile, fsOf, processOf, repo as diskRepo, where } from './app-servers/helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

const WSGI = 'import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")\napplication = get_wsgi_application()\n';

describe('findDjango', () => {
  it('DJANGO_SETTINGS_MODULE from the process environment, resolved to a package settings module in the container', () => {
    const env = { DJANGO_SETTINGS_MODULE: 'config.settings' };
    const ws = diskRepo({ 'backend/config/settings/__init__.py': 'DEBUG = False\n', 'backend/config/wsgi.py': WSGI, 'start.sh': 'gunicorn config.wsgi\n', 'app.env': envFile(env) });
    const d = findDjango(processOf(ws, 'start.sh', { env }), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(d.settingsModule).toMatchObject({ kind: 'known', value: 'config.settings' });
    expect(d.settingsFile).toBe('backend/config/settings/__init__.py');
    expect(where(ws, d.via[0]!)).toBe('app.env:1:24 config.settings');
  });

  it('else the setdefault in the wsgi module the app server loads (found from the working directory)', () => {
    const ws = diskRepo({ 'backend/config/settings/production.py': 'DEBUG = False\n', 'backend/config/wsgi.py': WSGI, 'start.sh': 'gunicorn config.wsgi:application -b :8000\n' });
    const d = findDjango(processOf(ws, 'start.sh'), fsOf(ws, [['/app', 'backend']]), ws)!;
    expect(d.settingsModule).toMatchObject({ kind: 'known', value: 'config.settings.production' });
    expect(d.settingsFile).toBe('backend/config/settings/production.py');
    expect(where(ws, d.via[0]!)).toBe('backend/config/wsgi.py:3:49 "config.settings.production"');
    expect(where(ws, d.via[1]!)).toBe('start.sh:1:10 config.wsgi:application');
  });

  it('gunicorn --chdir and PYTHONPATH change where modules are found; uWSGI env= sets the variable', () => {
    const ws = diskRepo({
      'src/mysite/settings.py': 'DEBUG = False\n',
      'src/mysite/wsgi.py': WSGI.replace('config.settings.production', 'mysite.settings'),
      'a.sh': 'gunicorn --chdir /srv/src mysite.wsgi\n',
      'b.sh': 'uwsgi --socket :3031 --module mysite.wsgi --env DJANGO_SETTINGS_MODULE=mysite.settings\n',
      'c.sh': 'daphne mysite.asgi:application\n',
      'app.env': envFile({ PYTHONPATH: '/srv/src' }),
    });
    const fs = fsOf(ws, [['/srv', '']]);
    expect(findDjango(processOf(ws, 'a.sh', { workdir: '/srv' }), fs, ws)?.settingsFile).toBe('src/mysite/settings.py');
    const b = findDjango(processOf(ws, 'b.sh', { workdir: '/srv/src' }), fs, ws)!;
    expect([b.settingsFile, where(ws, b.via[0]!)]).toEqual(['src/mysite/settings.py', 'b.sh:1:72 mysite.settings']);
    // No asgi.py, but PYTHONPATH finds manage.py-less settings through the environment's path.
    expect(findDjango(processOf(ws, 'c.sh', { workdir: '/', env: { PYTHONPATH: '/srv/src' } }), fs, ws)).toBeUndefined();
  });

  it('manage.py: the setdefault inside main() is read; an unknown variable stays unknown with its reason', () => {
    const manage = 'import os\nimport sys\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n\nif __name__ == "__main__":\n    main()\n';
    const ws = diskRepo({ 'manage.py': manage, 'proj/settings.py': 'DEBUG = True\n', 'run.sh': 'python manage.py runserver 0.0.0.0:8000\n' });
    const d = findDjango(processOf(ws, 'run.sh'), fsOf(ws, [['/app', '']]), ws)!;
    expect([d.settingsModule.kind === 'known' && d.settingsModule.value, d.settingsFile]).toEqual(['proj.settings', 'proj/settings.py']);
    expect(where(ws, d.via[0]!)).toBe('manage.py:5:54 proj.settings');

    const proc = processOf(ws, 'run.sh');
    const env = new Map(proc.environment);
    env.set('DJANGO_SETTINGS_MODULE', { kind: 'unknown', reason: 'set from the shell', span: { file: 'run.sh', start: 0, end: 0 } });
    const u = findDjango({ ...proc, environment: env }, fsOf(ws, [['/app', '']]), ws)!;
    expect(u.settingsModule).toEqual({ kind: 'unknown', reason: 'set from the shell', span: { file: 'run.sh', start: 0, end: 0 } });
    expect(u.settingsFile).toBeUndefined();
  });

  it('manage.py --settings=X wins over the environment; a manage.py named by path puts its folder on the import path', () => {
    const env = { DJANGO_SETTINGS_MODULE: 'plane.settings.production' };
    const ws = diskRepo({
      'apiserver/manage.py': 'import os\n',
      'apiserver/plane/settings/local.py': 'DEBUG = True\n',
      'apiserver/plane/settings/production.py': 'DEBUG = False\n',
      'a.sh': 'python manage.py runserver 0.0.0.0:8000 --settings=plane.settings.local\n',
      'b.sh': 'python3 /opt/netbox/manage.py rqworker\n',
      'app.env': envFile(env),
    });
    const a = findDjango(processOf(ws, 'a.sh', { env, workdir: '/code' }), fsOf(ws, [['/code', 'apiserver']]), ws)!;
    expect([a.settingsFile, where(ws, a.via[0]!)]).toEqual(['apiserver/plane/settings/local.py', 'a.sh:1:52 plane.settings.local']);
    const b = findDjango(processOf(ws, 'b.sh', { env, workdir: '/' }), fsOf(ws, [['/opt/netbox', 'apiserver']]), ws)!;
    expect(b.settingsFile).toBe('apiserver/plane/settings/production.py');
  });

  it('a process that is not Python has no Django entry, even with DJANGO_SETTINGS_MODULE in its environment', () => {
    const env = { DJANGO_SETTINGS_MODULE: 'proj.settings' };
    const ws = diskRepo({ 'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n', 'proj/settings.py': 'DEBUG = False\n', 'run.sh': 'redis-server --appendonly yes\n', 'worker.sh': 'exec celery -A proj worker -l info\n', 'app.env': envFile(env) });
    expect(findDjango(processOf(ws, 'run.sh', { env }), fsOf(ws, [['/app', '']]), ws)).toBeUndefined();
    // A celery worker is Python and loads the same settings.
    expect(findDjango(processOf(ws, 'worker.sh', { env }), fsOf(ws, [['/app', '']]), ws)?.settingsFile).toBe('proj/settings.py');
  });
});

describe('the container view carries the app server and Django', () => {
  it('Dockerfile COPY + ENTRYPOINT script that execs gunicorn + gunicorn.conf.py + wsgi.py setdefault', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  web:\n    build: ./backend\n    environment:\n      WEB_CONCURRENCY: "8"\n',
      'backend/Dockerfile': 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nENTRYPOINT ["/app/docker-entrypoint.sh"]\n',
      'backend/docker-entrypoint.sh': '#!/bin/sh\nset -e\npython manage.py migrate --noinput\nexec gunicorn config.wsgi:application\n',
      'backend/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\nworkers = 3\nthreads = 4\n',
      'backend/config/wsgi.py': WSGI,
      'backend/config/settings/production.py': 'DEBUG = False\n',
      'backend/manage.py': 'import os\n',
    });
    const r = repo;
    const view = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'web', {
      build: build(r, 'docker-compose.yml', './backend', 'backend', 'backend/Dockerfile'),
      environment: new Map([['WEB_CONCURRENCY', r.value('docker-compose.yml', '8')]]),
    }));
    const app = view.appServer!;
    expect(app.kind).toBe('gunicorn');
    // gunicorn.conf.py's workers = 3 wins over WEB_CONCURRENCY=8 (no false warning).
    expect(app.processes).toMatchObject({ kind: 'known', value: 3, span: r.span('backend/gunicorn.conf.py', '3') });
    expect(app.workerClass).toMatchObject({ kind: 'known', value: 'gthread' });
    expect(app.configFiles.map((c) => c.path)).toEqual(['backend/gunicorn.conf.py']);
    expect(view.django?.settingsFile).toBe('backend/config/settings/production.py');
    expect(view.files.map((f) => f.path)).toEqual(expect.arrayContaining(['backend/gunicorn.conf.py', 'backend/config/wsgi.py']));
  });
});
