import { afterEach, describe, expect, it } from 'vitest';
import { known } from '../../src/core/value.js';
import { buildContainerView } from '../../src/container/view.js';
import { build, Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

const words = (argv: readonly { value: { kind: string; value?: string } }[] | undefined) => argv?.map((w) => (w.value.kind === 'known' ? w.value.value : '?'));

describe('process supervisors', () => {
  it('supervisord programs from the main file and its [include], with %(ENV_X)s from the environment', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  web:\n    build: .\n    environment:\n      WEB_WORKERS: "5"\n',
      Dockerfile: 'FROM python:3.12\nCOPY supervisor/ /etc/supervisor/\nCMD ["supervisord", "-c", "/etc/supervisor/supervisord.conf"]\n',
      'supervisor/supervisord.conf': '[supervisord]\nnodaemon=true ; stay in front\n\n[include]\nfiles = conf.d/*.conf\n',
      'supervisor/conf.d/web.conf': '[program:gunicorn]\ncommand = gunicorn app.wsgi\n    --workers %(ENV_WEB_WORKERS)s\ndirectory=/srv\n\n[program:off]\ncommand=celery beat\nautostart=false\n',
    });
    const r = repo;
    const v = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'web', {
      build: build(r, 'docker-compose.yml', '.', '', 'Dockerfile'),
      environment: new Map([['WEB_WORKERS', known('5', r.span('docker-compose.yml', '"5"'))]]),
    }));
    expect(words(v.process?.argv)).toEqual(['supervisord', '-c', '/etc/supervisor/supervisord.conf']);
    const children = v.process!.children!;
    expect(children.map((c) => words(c.argv))).toEqual([['gunicorn', 'app.wsgi', '--workers', '5']]);
    const workers = children[0]!.argv[3]!.value;
    expect(workers.span.file).toBe('supervisor/conf.d/web.conf');
    expect(r.line(workers.span)).toBe(3);
    expect(workers.kind === 'known' && workers.via?.[0]).toEqual(r.span('docker-compose.yml', '"5"'));
    expect(children[0]!.workingDir).toMatchObject({ kind: 'known', value: '/srv' });
    expect(v.process!.steps.map((s) => s.description)).toContain('program off does not start by itself (autostart=false)');
    expect(v.files.map((f) => f.path)).toEqual(['Dockerfile', 'supervisor/supervisord.conf', 'supervisor/conf.d/web.conf']);
  });

  it('s6-overlay services: an execline run script with importas, and a shell run script', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  app:\n    build: .\n',
      Dockerfile: 'FROM base/s6:3\nCOPY s6-rc.d/ /etc/s6-overlay/s6-rc.d/\nCOPY start-web.sh /usr/bin/start-web\nENTRYPOINT ["/init"]\n',
      's6-rc.d/web/type': 'longrun\n',
      's6-rc.d/web/run': '#!/command/execlineb -P\ns6-setuidgid app\nforeground { s6-echo "starting" }\nwith-contenv\nexport DJANGO_SETTINGS_MODULE app.settings\nstart-web\n',
      's6-rc.d/migrate/type': 'oneshot\n',
      's6-rc.d/migrate/run': '#!/command/execlineb -P\npython manage.py migrate\n',
      's6-rc.d/worker/type': 'longrun\n',
      's6-rc.d/worker/run': '#!/bin/sh\nexec celery -A app worker\n',
      'start-web.sh': '#!/bin/sh\nexec gunicorn app.wsgi --bind 0.0.0.0:8000\n',
    });
    const r = repo;
    const v = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'app', { build: build(r, 'docker-compose.yml', '.', '', 'Dockerfile') }));
    const children = v.process?.children ?? [];
    expect(children.map((c) => words(c.argv)).sort()).toEqual([['celery', '-A', 'app', 'worker'], ['gunicorn', 'app.wsgi', '--bind', '0.0.0.0:8000']]);
    const web = children.find((c) => words(c.argv)![0] === 'gunicorn')!;
    expect(web.environment.get('DJANGO_SETTINGS_MODULE')).toMatchObject({ kind: 'known', value: 'app.settings' });
    expect(web.steps.map((s) => s.description)).toContain('s6 service web (execline run script)');
  });
});
