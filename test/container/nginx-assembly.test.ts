import { afterEach, describe, expect, it } from 'vitest';
import { known } from '../../src/core/value.js';
import { buildContainerView } from '../../src/container/view.js';
import { buildContainerNginx, nginxStartVerdict } from '../../src/inputs/nginx.js';
import { build, Repo, spec } from './helpers.js';

let repo: Repo | undefined;
afterEach(() => repo?.remove());

function nginxOf(files: Record<string, string>, extra: (r: Repo) => Partial<Parameters<typeof spec>[3]> = () => ({})) {
  repo = new Repo({ 'docker-compose.yml': 'services:\n  nginx:\n    image: nginx:1.27\n    environment:\n      UPSTREAM: web:8000\n', ...files });
  const r = repo;
  const view = buildContainerView({ ws: r.ws }, spec(r, 'docker-compose.yml', 'nginx', { image: r.value('docker-compose.yml', 'nginx:1.27'), ...extra(r) }));
  return { r, view, model: buildContainerNginx(r.ws, view) };
}

describe('nginx as the container loads it', () => {
  it('renders /etc/nginx/templates with the container environment only, through the template lines', () => {
    const { r, model, view } = nginxOf(
      { 'nginx/default.conf.template': 'server {\n    listen 80;\n    location / {\n        proxy_pass http://${UPSTREAM};\n        proxy_set_header Host $host;\n        add_header X-Unset "${NOT_SET}";\n    }\n}\n' },
      (rr) => ({
        environment: new Map([['UPSTREAM', known('web:8000', rr.span('docker-compose.yml', 'web:8000'))]]),
        mounts: [rr.mount('docker-compose.yml', 'image: nginx:1.27', { type: 'bind', source: 'nginx', target: '/etc/nginx/templates' })],
      }),
    );
    const rendered = view.filesystem.resolve('/etc/nginx/conf.d/default.conf')!;
    expect(rendered.origin).toMatchObject({ kind: 'rendered', template: 'nginx/default.conf.template', renderer: "the nginx image's envsubst" });
    expect(model.files.map((f) => [f.containerPath, f.path, f.role])).toEqual([['/etc/nginx/conf.d/default.conf', 'nginx/default.conf.template', 'template']]);
    expect(model.imageFiles).toEqual(['/etc/nginx/nginx.conf']);
    const pp = model.proxyPasses[0]!;
    expect(pp.target.value).toBe('http://web:8000');
    expect(pp.host).toBe('web');
    // The argument is where the template writes it (line 4), not in the rendered text.
    expect(pp.target.span.file).toBe('nginx/default.conf.template');
    expect(r.line(pp.target.span)).toBe(4);
    expect(r.ws.read('nginx/default.conf.template')!.text.slice(pp.target.span.start, pp.target.span.end)).toBe('http://${UPSTREAM}');
    const host = model.roots.flatMap(function all(n): typeof model.roots { return [n, ...n.children.flatMap(all)]; }).find((n) => n.directive.name === 'proxy_set_header')!;
    expect(host.directive.args[1]!.value).toBe('$host');
    const unset = model.roots.flatMap(function all(n): typeof model.roots { return [n, ...n.children.flatMap(all)]; }).find((n) => n.directive.name === 'add_header')!;
    expect(unset.directive.args[1]!.value).toBe('${NOT_SET}');
  });

  it('reads what nginx.conf includes, in order, and nothing else; a mount over a file replaces it', () => {
    const { model, r } = nginxOf(
      {
        'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY conf.d/ /etc/nginx/conf.d/\nCOPY unused.conf /etc/nginx/unused.conf\n',
        'nginx/nginx.conf': 'events {}\nhttp {\n    include conf.d/b.conf;\n    include /etc/nginx/conf.d/a.conf;\n}\n',
        'nginx/conf.d/a.conf': 'upstream app { server web:8000; }\n',
        'nginx/conf.d/b.conf': 'upstream old { server web-1:8000; }\n',
        'nginx/b-prod.conf': 'upstream prod { server web:8000; }\n',
        'nginx/unused.conf': 'server { listen 80\n',
      },
      (rr) => ({
        image: undefined,
        build: build(rr, 'docker-compose.yml', 'nginx:1.27', 'nginx', 'nginx/Dockerfile'),
        mounts: [rr.mount('docker-compose.yml', 'UPSTREAM', { type: 'bind', source: 'nginx/b-prod.conf', target: '/etc/nginx/conf.d/b.conf' })],
      }),
    );
    expect(model.files.map((f) => f.path)).toEqual(['nginx/nginx.conf', 'nginx/b-prod.conf', 'nginx/conf.d/a.conf']);
    expect(model.upstreams.map((u) => u.name)).toEqual(['prod', 'app']);
    expect(model.files[1]!.origin).toMatchObject({ kind: 'mount', hostPath: 'nginx/b-prod.conf' });
    expect(r.line((model.files[2]!.origin as { via: { file: string; start: number } }).via as never)).toBe(3);
    expect(model.problems).toEqual([]);
    expect(nginxStartVerdict(model).starts).toBe(true);
  });

  it('reports a UTF-8 byte order mark the way nginx does', () => {
    const { model, r } = nginxOf(
      { 'conf/app.conf': '\ufeff# proxy\nserver { listen 80; }\n' },
      (rr) => ({ mounts: [rr.mount('docker-compose.yml', 'UPSTREAM', { type: 'bind', source: 'conf/app.conf', target: '/etc/nginx/conf.d/app.conf' })] }),
    );
    expect(model.problems.map((p) => p.message)).toEqual(['unknown directive "\ufeff#"']);
    expect(r.line(model.problems[0]!.span)).toBe(1);
    expect(nginxStartVerdict(model).starts).toBe(false);
  });

  it('does not parse an included Jinja template, and reads a unix socket as one', () => {
    const { model } = nginxOf(
      {
        'conf/site.conf': 'server {\n  listen 80;\n  location / { proxy_pass http://unix:/run/app.sock:/; }\n}\n',
        'conf/jinja.conf': 'server {\n{% if tls %}\n  listen 443 ssl\n{% endif %}\n}\n',
      },
      (rr) => ({ mounts: [rr.mount('docker-compose.yml', 'UPSTREAM', { type: 'bind', source: 'conf', target: '/etc/nginx/conf.d' })] }),
    );
    expect(model.problems).toEqual([]);
    expect(model.unreadFiles).toEqual([{ path: 'conf/jinja.conf', reason: 'a Jinja template: nothing in the container renders it' }]);
    expect(model.proxyPasses[0]!.host).toBeUndefined();
    expect(nginxStartVerdict(model).starts).toBeUndefined();
  });

  it('starts nginx with the -c file of its command, and an unknown main file leaves the config unknown', () => {
    const { model } = nginxOf(
      { 'conf/main.conf': 'events {}\nhttp { server { listen 80; } }\n' },
      (rr) => ({
        command: rr.command('docker-compose.yml', 'nginx:1.27'),
        mounts: [rr.mount('docker-compose.yml', 'UPSTREAM', { type: 'bind', source: 'conf', target: '/opt/conf' })],
      }),
    );
    // `command: nginx:1.27` is not nginx: the image's nginx.conf is read.
    expect(model.implicitMain).toBe(true);
    repo!.remove();
    const second = nginxOf(
      { 'conf/main.conf': 'events {}\nhttp { server { listen 80; } }\n', 'docker-compose.yml': 'services:\n  nginx:\n    image: nginx:1.27\n    command: nginx -c /opt/conf/main.conf -g "daemon off;"\n    environment:\n      UPSTREAM: web:8000\n' },
      (rr) => ({
        command: rr.command('docker-compose.yml', 'nginx -c /opt/conf/main.conf -g "daemon off;"'),
        mounts: [rr.mount('docker-compose.yml', 'UPSTREAM', { type: 'bind', source: 'conf', target: '/opt/conf' })],
      }),
    );
    expect(second.model.files.map((f) => [f.path, f.role])).toEqual([['conf/main.conf', 'main']]);
    expect(second.model.implicitMain).toBe(false);
  });
});
