import { afterEach, describe, expect, it } from 'vitest';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { known } from '../../src/core/value.js';
import { buildContainerView } from '../../src/container/view.js';
import { ContainerFs } from '../../src/container/filesystem.js';
import { build, Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

function viewOf(files: Record<string, string>, extra: (r: Repo) => Partial<Parameters<typeof spec>[3]> = () => ({}), setup?: (r: Repo) => void) {
  repo = new Repo({ 'docker-compose.yml': 'services:\n  web:\n    build: app\n', ...files });
  const r = repo;
  setup?.(r);
  return { r, v: buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'web', { build: build(r, 'docker-compose.yml', 'app', 'app', 'app/Dockerfile'), ...extra(r) })) };
}

describe('the image filesystem from the Dockerfile', () => {
  it('multi-stage: COPY --from follows the stage\'s own COPYs; only the final stage reaches the container', () => {
    const { v, r } = viewOf({
      'app/Dockerfile': 'ARG CONF_DIR=conf\nFROM node:20 AS assets\nCOPY web/ /src/\nFROM nginx:1.27\nARG CONF_DIR\nCOPY --from=assets /src/dist.conf /etc/nginx/conf.d/\nCOPY ${CONF_DIR}/*.conf /etc/nginx/conf.d/\n',
      'app/web/dist.conf': 'server {}\n',
      'app/conf/a.conf': 'a', 'app/conf/b.conf': 'b', 'app/conf/notes.txt': 'x',
    });
    const dist = v.filesystem.resolve('/etc/nginx/conf.d/dist.conf')!;
    expect(dist.hostPath).toBe('app/web/dist.conf');
    expect(r.line(dist.via)).toBe(6);
    expect(dist.chain?.map((s) => r.line(s))).toEqual([3]);
    expect(v.filesystem.glob('/etc/nginx/conf.d/*').map((f) => f.hostPath)).toEqual(['app/conf/a.conf', 'app/conf/b.conf', 'app/web/dist.conf']);
    expect(v.filesystem.resolve('/src/dist.conf')).toBeUndefined();
    expect(v.image).toMatchObject({ value: 'nginx:1.27' });
  });

  it('build target, WORKDIR-relative destinations, ENV in paths and .dockerignore', () => {
    const { v } = viewOf(
      {
        'app/Dockerfile': 'FROM python:3.12 AS base\nENV APP=/srv/app\nWORKDIR $APP\nCOPY . .\nCOPY gunicorn.conf.py conf/\nFROM base AS prod\nCOPY prod.py settings.py\n',
        'app/.dockerignore': '**/*.pyc\nsecrets/\n!secrets/public.txt\n',
        'app/manage.py': '', 'app/gunicorn.conf.py': '', 'app/prod.py': '', 'app/x.pyc': '', 'app/secrets/key': '', 'app/secrets/public.txt': '',
      },
      (rr) => ({ build: build(rr, 'docker-compose.yml', 'app', 'app', 'app/Dockerfile', { target: known('base', rr.span('docker-compose.yml', 'app')) }) }),
    );
    expect(v.filesystem.resolve('/srv/app/manage.py')?.hostPath).toBe('app/manage.py');
    expect(v.filesystem.resolve('/srv/app/conf/gunicorn.conf.py')?.hostPath).toBe('app/gunicorn.conf.py');
    expect(v.filesystem.resolve('/srv/app/x.pyc')).toBeUndefined();
    expect(v.filesystem.resolve('/srv/app/secrets/key')).toBeUndefined();
    expect(v.filesystem.resolve('/srv/app/secrets/public.txt')?.hostPath).toBe('app/secrets/public.txt');
    // The prod stage is not the target.
    expect(v.filesystem.resolve('/srv/app/settings.py')).toBeUndefined();
  });

  it('RUN rm removes what the image had; ADD of a URL and COPY from another image are unknown', () => {
    const { v, r } = viewOf({ 'app/Dockerfile': 'FROM nginx:1.27\nRUN rm /etc/nginx/conf.d/default.conf\nADD https://example.com/x.conf /etc/nginx/x.conf\nCOPY --from=busybox:1 /bin/sh /bin/sh\n' });
    expect(v.filesystem.state('/etc/nginx/conf.d/default.conf').kind).toBe('absent');
    expect(v.filesystem.state('/etc/nginx/nginx.conf').kind).toBe('image-default');
    const x = v.filesystem.state('/etc/nginx/x.conf');
    expect(x.kind).toBe('unknown');
    expect(v.unknowns.map((u) => [u.what, r.line(u.span)])).toEqual([['/etc/nginx/x.conf', 3], ['/bin/sh', 4]]);
  });

  it('never reads outside the checked folder: ../ sources, absolute bind mounts and symlinks that leave', () => {
    const { v, r } = viewOf(
      { 'app/Dockerfile': 'FROM python:3.12\nCOPY ../secrets.py /app/\nCOPY link.conf /app/link.conf\n' },
      (rr) => ({ mounts: [rr.mount('docker-compose.yml', 'build: app', { type: 'bind', source: '/etc', target: '/host-etc' })] }),
      (rr) => symlinkSync('/etc/passwd', join(rr.dir, 'app/link.conf')),
    );
    expect(v.filesystem.resolve('/app/link.conf')).toBeUndefined();
    expect(v.filesystem.state('/host-etc/passwd').kind).toBe('unknown');
    const reasons = v.unknowns.map((u) => `${r.line(u.span)} ${u.reason}`);
    expect(reasons).toContain('2 ../secrets.py is outside the build context');
    expect(reasons).toContain('3 link.conf leaves the checked folder through a symlink');
    expect(reasons).toContain('3 /etc is outside the checked folder and is not read');
  });
});

describe('mounts in order', () => {
  it('a bind over a directory hides the image\'s files there; tmpfs empties; named volumes come from ctx.namedVolume', () => {
    repo = new Repo({
      'docker-compose.yml': 'services:\n  web:\n    build: app\n',
      'app/Dockerfile': 'FROM python:3.12\nCOPY static/ /app/static/\nCOPY conf/ /app/conf/\n',
      'app/static/a.css': '', 'app/conf/a.ini': '', 'app/conf/b.ini': '', 'override/a.ini': '',
    });
    const r = repo;
    const s = spec(r, 'docker-compose.yml', 'web', {
      build: build(r, 'docker-compose.yml', 'app', 'app', 'app/Dockerfile'),
      mounts: [
        r.mount('docker-compose.yml', 'services', { type: 'bind', source: 'override', target: '/app/conf' }),
        r.mount('docker-compose.yml', 'web:', { type: 'tmpfs', target: '/tmp' }),
        r.mount('docker-compose.yml', 'build', { type: 'volume', source: 'static', target: '/app/static' }),
      ],
    });
    const first = buildContainerView({ ws: r.ws, namedVolume: () => undefined }, s);
    expect(first.filesystem.resolve('/app/conf/a.ini')?.hostPath).toBe('override/a.ini');
    expect(first.filesystem.resolve('/app/conf/b.ini')).toBeUndefined();
    // The first container to mount an empty volume fills it from its image.
    expect(first.filesystem.resolve('/app/static/a.css')?.hostPath).toBe('app/static/a.css');
    const filled = new ContainerFs(r.ws, first.filesystem.subtree('/app/static'));
    const other = buildContainerView({ ws: r.ws, namedVolume: (n) => (n === 'static' ? filled : undefined) }, {
      ...s, name: 'nginx', build: undefined, image: known('nginx:1.27', s.span),
      mounts: [r.mount('docker-compose.yml', 'build', { type: 'volume', source: 'static', target: '/usr/share/nginx/html/static' })],
    });
    const css = other.filesystem.resolve('/usr/share/nginx/html/static/a.css')!;
    expect(css.hostPath).toBe('app/static/a.css');
    expect(r.line(css.via)).toBe(3);
  });
});
