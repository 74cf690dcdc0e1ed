import { afterEach, describe, expect, it } from 'vitest';
import { known } from '../../src/core/value.js';
import { buildContainerView } from '../../src/container/view.js';
import { build, Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

type View = ReturnType<typeof buildContainerView>;
const argvOf = (v: View) => v.process?.argv.map((w) => (w.value.kind === 'known' ? w.value.value : `?${w.value.reason}`));

function view(files: Record<string, string>, extra: (r: Repo) => Partial<Parameters<typeof spec>[3]> = () => ({})): { r: Repo; v: View } {
  repo = new Repo({ 'docker-compose.yml': 'services:\n  web:\n    build: .\n', ...files });
  const r = repo;
  const v = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'web', { build: build(r, 'docker-compose.yml', '.', '', 'Dockerfile'), ...extra(r) }));
  return { r, v };
}

describe('ENTRYPOINT and CMD by Docker\'s rules', () => {
  it('an exec-form ENTRYPOINT takes CMD as its arguments', () => {
    const { v } = view({ Dockerfile: 'FROM python:3.12\nENTRYPOINT ["tini", "--"]\nCMD ["gunicorn", "-w", "3", "app.wsgi"]\n' });
    expect(argvOf(v)).toEqual(['gunicorn', '-w', '3', 'app.wsgi']);
    expect(v.process!.steps.map((s) => s.description)).toEqual([
      'ENTRYPOINT of the image', 'CMD of the image', 'tini starts the rest of the command',
    ]);
  });

  it('wait-for-it.sh runs the command after -- once the host answers, whatever its own argument loop', () => {
    const waitForIt = '#!/bin/bash\nwhile [[ $# -gt 0 ]]; do\n  case "$1" in\n    --) shift; CLI=("$@"); break;;\n    *) HOST="$1"; shift;;\n  esac\ndone\nexec "${CLI[@]}"\n';
    const { v } = view({
      Dockerfile: 'FROM python:3.12\nCOPY wait-for-it.sh /wait-for-it.sh\nCOPY start.sh /start.sh\nENTRYPOINT ["/wait-for-it.sh", "db:5432", "-t", "30", "--", "/start.sh"]\n',
      'wait-for-it.sh': waitForIt,
      // A readiness loop that gives up with `exit 1` is the failure path: the exec below still runs.
      'start.sh': '#!/bin/sh\nn=0\nuntil python manage.py dbshell; do\n  n=$((n+1))\n  if [ "$n" = 30 ]; then\n    exit 1\n  fi\ndone\nexec gunicorn -w 3 app.wsgi\n',
    });
    expect(argvOf(v)).toEqual(['gunicorn', '-w', '3', 'app.wsgi']);
    expect(v.process!.steps.map((s) => s.description)).toContain('wait-for-it.sh waits for db:5432, then runs the command after --');
  });

  it('a branch that may `exit 0` still leaves the process unknown', () => {
    const { v } = view({
      Dockerfile: 'FROM python:3.12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
      'start.sh': '#!/bin/sh\nif [ "$(cat /run/mode)" = migrate ]; then\n  python manage.py migrate\n  exit 0\nfi\nexec gunicorn app.wsgi\n',
    });
    expect(v.process).toBeUndefined();
    expect(v.unknowns.map((u) => u.reason).join('\n')).toMatch(/may exec or exit in a branch/);
  });

  it('an entrypoint set by the spec drops the image\'s CMD', () => {
    const { v } = view(
      { 'docker-compose.yml': 'services:\n  web:\n    build: .\n    entrypoint: gunicorn app.wsgi\n', Dockerfile: 'FROM python:3.12\nCMD ["--workers", "9"]\n' },
      (r) => ({ entrypoint: r.command('docker-compose.yml', 'gunicorn app.wsgi') }),
    );
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi']);
  });

  it('a shell-form ENTRYPOINT ignores CMD and runs under /bin/sh -c', () => {
    const { v, r } = view({ Dockerfile: 'FROM python:3.12\nENTRYPOINT exec gunicorn "app.wsgi" -w 2\nCMD ["ignored"]\n' });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi', '-w', '2']);
    expect(r.line(v.process!.argvSpan)).toBe(2);
    expect(v.process!.argv[1]!.value.span).toEqual(r.span('Dockerfile', 'app.wsgi'));
  });

  it('a shell-form CMD is handed to the ENTRYPOINT as /bin/sh -c', () => {
    const { v } = view({ Dockerfile: 'FROM python:3.12\nENTRYPOINT ["dumb-init"]\nCMD gunicorn app.wsgi\n' });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi']);
    expect(v.process!.steps.map((s) => s.description)).toContain('shell-form CMD runs as /bin/sh -c');
  });

  it('an ENTRYPOINT resets the CMD inherited from an earlier stage', () => {
    const { v } = view({ Dockerfile: 'FROM python:3.12 AS base\nCMD ["python"]\nFROM base\nENTRYPOINT ["gunicorn"]\n' });
    expect(argvOf(v)).toEqual(['gunicorn']);
  });

  it('the postgres image prepends postgres to a command of options', () => {
    repo = new Repo({ 'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n    command: -c max_connections=200\n' });
    const r = repo;
    const v = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'db', { image: r.value('docker-compose.yml', 'postgres:16'), command: r.command('docker-compose.yml', '-c max_connections=200') }));
    expect(argvOf(v)).toEqual(['postgres', '-c', 'max_connections=200']);
    expect(v.process!.argv[2]!.value.span).toEqual(r.span('docker-compose.yml', 'max_connections=200'));
  });
});

describe('entrypoint scripts read statically', () => {
  it('follows exec "$@" to the CMD, with exports, cd and branches on known values', () => {
    const script = [
      '#!/bin/sh', 'set -e', 'export DJANGO_SETTINGS_MODULE=app.settings.prod', 'cd /srv/app',
      'if [ "$1" = "gunicorn" ]; then', '  python manage.py migrate --noinput', 'fi',
      'if [ "$RUN_CHECKS" = "1" ]; then', '  python manage.py check', 'fi',
      'exec "$@"', '',
    ].join('\n');
    const { v, r } = view({
      Dockerfile: 'FROM python:3.12\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["gunicorn", "app.wsgi"]\n',
      'docker-entrypoint.sh': script,
    });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi']);
    expect(v.process!.argv[0]!.value.span).toEqual(r.span('Dockerfile', 'gunicorn'));
    expect(v.process!.workingDir).toMatchObject({ kind: 'known', value: '/srv/app' });
    const dsm = v.environment.get('DJANGO_SETTINGS_MODULE')!;
    expect(dsm).toMatchObject({ kind: 'known', value: 'app.settings.prod' });
    expect(dsm.span.file).toBe('docker-entrypoint.sh');
    const steps = v.process!.steps;
    expect(steps.some((s) => s.description.startsWith('runs docker-entrypoint.sh (docker-entrypoint.sh, copied at Dockerfile') && r.line(s.span) === 3)).toBe(true);
    const exec = steps.find((s) => s.description.startsWith('exec gunicorn'))!;
    expect(exec.description).toContain('hands over to the arguments');
    expect(r.line(exec.span)).toBe(11);
    expect(v.files.map((f) => f.path)).toEqual(['Dockerfile', 'docker-entrypoint.sh']);
  });

  it('an exec inside a branch it cannot decide makes the process unknown', () => {
    const { v, r } = view(
      { Dockerfile: 'FROM python:3.12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/bash\nif [ "$ROLE" = worker ]; then\n  exec celery worker\nfi\nexec gunicorn app.wsgi\n' },
      (rr) => ({ environment: new Map([['ROLE', { kind: 'unknown' as const, reason: 'ROLE is passed from the deploying shell', span: rr.span('docker-compose.yml', 'web') }]]) }),
    );
    expect(v.process).toBeUndefined();
    const u = v.unknowns.find((x) => x.what === 'process')!;
    expect(u.reason).toContain('cannot decide');
    expect(r.line(u.span)).toBe(3);
  });

  it('takes the case arm of a known argument and reads sh -c strings', () => {
    const { v, r } = view({
      Dockerfile: 'FROM python:3.12\nCOPY run.sh /run.sh\nENTRYPOINT ["/run.sh"]\nCMD ["web"]\n',
      'run.sh': '#!/bin/sh\ncase "$1" in\n  web) exec sh -c "gunicorn app.wsgi --bind 0.0.0.0:${PORT:-8000}" ;;\n  worker) exec celery -A app worker ;;\n  *) exec "$@" ;;\nesac\n',
    });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi', '--bind', '0.0.0.0:8000']);
    expect(r.line(v.process!.argvSpan)).toBe(3);
  });

  it('the last command is the main process when nothing is exec\'d', () => {
    const { v } = view({
      Dockerfile: 'FROM python:3.12\nCOPY start.sh /app/start.sh\nWORKDIR /app\nCMD ["bash", "start.sh"]\n',
      'start.sh': 'python manage.py collectstatic --noinput\npython manage.py migrate\ngunicorn app.wsgi -w ${WORKERS:-3}\n',
    });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi', '-w', '3']);
    expect(v.process!.steps.at(-1)!.description).toBe('gunicorn is the last command the script runs');
  });

  it('records files the script renders with envsubst and writes with a heredoc', () => {
    const { v, r } = view(
      {
        Dockerfile: 'FROM edoburu/pgbouncer:1.22.0\nCOPY pgbouncer.ini.template /etc/pgbouncer/pgbouncer.ini.template\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
        'pgbouncer.ini.template': '[databases]\napp = host=${DB_HOST} port=5432\n[pgbouncer]\nmax_client_conn = ${MAX_CLIENTS}\n',
        'entrypoint.sh': '#!/bin/sh\nenvsubst < /etc/pgbouncer/pgbouncer.ini.template > /etc/pgbouncer/pgbouncer.ini\ncat > /etc/pgbouncer/userlist.txt <<EOF\n"app" "$DB_PASSWORD"\nEOF\nexec pgbouncer /etc/pgbouncer/pgbouncer.ini\n',
      },
      (rr) => ({ environment: new Map([['DB_HOST', known('db', rr.span('docker-compose.yml', 'web'))], ['MAX_CLIENTS', known('500', rr.span('docker-compose.yml', 'services'))]]) }),
    );
    expect(argvOf(v)).toEqual(['pgbouncer', '/etc/pgbouncer/pgbouncer.ini']);
    const ini = v.filesystem.resolve('/etc/pgbouncer/pgbouncer.ini')!;
    expect(ini.origin).toMatchObject({ kind: 'rendered', template: 'pgbouncer.ini.template', renderer: 'envsubst' });
    expect(r.line(ini.via)).toBe(2);
    expect(ini.rendering!.content.text).toBe('[databases]\napp = host=db port=5432\n[pgbouncer]\nmax_client_conn = 500\n');
    const users = v.filesystem.resolve('/etc/pgbouncer/userlist.txt')!;
    expect(users.origin).toMatchObject({ kind: 'rendered', renderer: 'heredoc' });
  });

  it('maps the newline echo adds to the end of its last argument', () => {
    const script = '#!/bin/sh\necho "listen_port = 6432" > /etc/pgbouncer/extra.ini\nexec pgbouncer /etc/pgbouncer/pgbouncer.ini\n';
    const { v } = view({
      Dockerfile: 'FROM edoburu/pgbouncer:1.22.0\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
      'entrypoint.sh': script,
    });
    const extra = v.filesystem.resolve('/etc/pgbouncer/extra.ini')!;
    expect(extra.origin).toMatchObject({ kind: 'rendered', renderer: 'echo' });
    const content = extra.rendering!.content;
    expect(content.text).toBe('listen_port = 6432\n');
    // After the closing quote's last character, not at the start of the file.
    const newline = content.text.length - 1;
    expect(content.srcStart[newline]).toBe(script.indexOf('6432"') + 4);
  });
});

describe('what reading the start-up reports', () => {
  it('records sourced files and a script\'s syntax problems on the file', () => {
    const { v, r } = view({
      Dockerfile: 'FROM python:3.12\nCOPY bin/ /app/bin/\nWORKDIR /app\nENTRYPOINT ["/app/bin/start.sh"]\n',
      'bin/start.sh': '#!/bin/sh\n. /app/bin/env.sh\necho "unterminated\nexec gunicorn app.wsgi\n',
      'bin/env.sh': 'export WEB_CONCURRENCY=3\n',
    });
    expect(v.files.map((f) => f.path)).toEqual(['Dockerfile', 'bin/start.sh', 'bin/env.sh']);
    const start = v.files.find((f) => f.path === 'bin/start.sh')!;
    expect(start.problems.map((p) => [p.message, r.line(p.span)])).toEqual([['unterminated double quote', 3]]);
  });

  it('the edoburu/pgbouncer image writes its ini from the environment unless one is mounted', () => {
    repo = new Repo({ 'docker-compose.yml': 'services:\n  pgbouncer:\n    image: edoburu/pgbouncer:1.22.0\n', 'pgbouncer.ini': '[pgbouncer]\n' });
    const r = repo;
    const base = spec(r, 'docker-compose.yml', 'pgbouncer', { image: r.value('docker-compose.yml', 'edoburu/pgbouncer:1.22.0') });
    const generated = buildContainerView({ ws: r.ws }, base);
    expect(argvOf(generated)).toEqual(['/usr/bin/pgbouncer', '/etc/pgbouncer/pgbouncer.ini']);
    expect(generated.filesystem.state('/etc/pgbouncer/pgbouncer.ini')).toMatchObject({ kind: 'image-default', origin: { image: 'edoburu/pgbouncer' } });
    const mounted = buildContainerView({ ws: r.ws }, { ...base, mounts: [r.mount('docker-compose.yml', 'pgbouncer:', { type: 'bind', source: 'pgbouncer.ini', target: '/etc/pgbouncer/pgbouncer.ini' })] });
    expect(mounted.filesystem.resolve('/etc/pgbouncer/pgbouncer.ini')?.origin).toMatchObject({ kind: 'mount', hostPath: 'pgbouncer.ini' });
  });
});

describe('the last command of a script', () => {
  it('keeps the variables set for that command only', () => {
    const { v } = view({ Dockerfile: 'FROM python:3.12\nCOPY run.sh /run.sh\nCMD ["sh", "/run.sh"]\n', 'run.sh': 'WEB_CONCURRENCY=6 gunicorn app.wsgi\n' });
    expect(argvOf(v)).toEqual(['gunicorn', 'app.wsgi']);
    expect(v.environment.get('WEB_CONCURRENCY')).toMatchObject({ kind: 'known', value: '6', span: { file: 'run.sh' } });
  });
});
