import { afterEach, describe, expect, it } from 'vitest';
import { buildContainerView } from '../../src/container/view.js';
import { build, Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

const argvOf = (v: ReturnType<typeof buildContainerView>) => v.process?.argv.map((w) => (w.value.kind === 'known' ? w.value.value : '?'));

describe('buildContainerView', () => {
  it('maps Dockerfile COPYs and bind mounts, with their origins', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  nginx:\n    build: ./nginx\n    volumes:\n      - ./nginx/prod.conf:/etc/nginx/conf.d/app.conf\n',
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY app.conf /etc/nginx/conf.d/app.conf\nCOPY snippets/ /etc/nginx/snippets/\n',
      'nginx/app.conf': 'server { listen 80; }\n',
      'nginx/prod.conf': 'server { listen 8080; }\n',
      'nginx/snippets/proxy.conf': 'proxy_set_header Host $host;\n',
    });
    const r = repo;
    const view = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'nginx', {
      build: build(r, 'docker-compose.yml', './nginx', 'nginx', 'nginx/Dockerfile'),
      mounts: [r.mount('docker-compose.yml', './nginx/prod.conf:/etc/nginx/conf.d/app.conf', { type: 'bind', source: 'nginx/prod.conf', target: '/etc/nginx/conf.d/app.conf' })],
    }));
    const app = view.filesystem.resolve('/etc/nginx/conf.d/app.conf')!;
    expect(app.hostPath).toBe('nginx/prod.conf');
    expect(app.origin).toEqual({ kind: 'mount', hostPath: 'nginx/prod.conf', via: r.span('docker-compose.yml', './nginx/prod.conf:/etc/nginx/conf.d/app.conf') });
    expect(r.line(app.via)).toBe(5);
    const snip = view.filesystem.resolve('/etc/nginx/snippets/proxy.conf')!;
    expect(snip.origin).toMatchObject({ kind: 'copy', hostPath: 'nginx/snippets/proxy.conf' });
    expect(r.line(snip.via)).toBe(3);
    expect(view.image).toMatchObject({ kind: 'known', value: 'nginx:1.27' });
    // The image's own nginx.conf is a known default, not a repository file.
    expect(view.filesystem.state('/etc/nginx/nginx.conf').kind).toBe('image-default');
    expect(view.files.map((f) => f.path)).toEqual(['nginx/Dockerfile']);
  });

  it('runs the compose command over the Dockerfile CMD, and the image ENV under the spec environment', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  web:\n    build: .\n    command: gunicorn app.wsgi -w 4\n',
      Dockerfile: 'FROM python:3.12\nENV WEB_CONCURRENCY=2 APP=/srv\nWORKDIR $APP\nCMD ["gunicorn", "app.wsgi"]\n',
    });
    const r = repo;
    const s = spec(r, 'docker-compose.yml', 'web', {
      build: build(r, 'docker-compose.yml', '.', '', 'Dockerfile'),
      command: r.command('docker-compose.yml', 'gunicorn app.wsgi -w 4'),
      environment: new Map([['WEB_CONCURRENCY', r.value('docker-compose.yml', 'web')]]),
    });
    const view = buildContainerView({ ws: r.ws }, s);
    expect(argvOf(view)).toEqual(['gunicorn', 'app.wsgi', '-w', '4']);
    expect(view.process!.steps[0]).toMatchObject({ span: r.span('docker-compose.yml', 'gunicorn app.wsgi -w 4') });
    expect(view.process!.workingDir).toMatchObject({ kind: 'known', value: '/srv' });
    // WORKDIR $APP at line 3, through the ENV line 2 that set APP.
    const wd = view.process!.workingDir;
    expect(r.line(wd.span)).toBe(3);
    expect(wd.kind === 'known' && wd.via?.map((s) => r.line(s))).toEqual([2]);
    expect(view.environment.get('APP')).toMatchObject({ kind: 'known', value: '/srv' });
    expect(view.environment.get('WEB_CONCURRENCY')!.span.file).toBe('docker-compose.yml');

    const noCommand = buildContainerView({ ws: r.ws }, { ...s, command: undefined });
    expect(argvOf(noCommand)).toEqual(['gunicorn', 'app.wsgi']);
    expect(r.line(noCommand.process!.argvSpan)).toBe(4);
  });
});
