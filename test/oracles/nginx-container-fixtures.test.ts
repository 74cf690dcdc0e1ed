import { afterEach, describe, expect, it } from 'vitest';
import { known } from '../../src/core/value.js';
import { buildContainerView } from '../../src/container/view.js';
import { buildContainerNginx, nginxStartVerdict } from '../../src/inputs/nginx.js';
import { build, Repo, spec } from '../container/helpers.js';
import { nginxAvailable } from './nginx-harness.js';
import { canIsolateMounts, nginxTestContainer } from './nginx-container-harness.js';

if (!nginxAvailable || !canIsolateMounts) console.warn('[oracle] nginx or private mount namespaces unavailable: skipping the nginx container fixture oracle');

let repo: Repo | undefined;
afterEach(() => repo?.remove());

/** Containers written the ways real repositories write them, some of which nginx refuses. */
const CASES: { name: string; files: Record<string, string>; mounts?: [string, string][]; env?: [string, string][]; starts: boolean }[] = [
  {
    name: 'a bind mount replaces the load-balancer file baked into the image',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY lb.conf /etc/nginx/conf.d/load-balancer.conf\n',
      'nginx/lb.conf': 'upstream django_backend { server web-1:8000; server web-2:8000; }\nserver { listen 80; location / { proxy_pass http://django_backend; } }\n',
      'nginx/single.conf': 'upstream django_backend { server web:8000; }\nserver { listen 80; location / { proxy_pass http://django_backend; } }\n',
    },
    mounts: [['nginx/single.conf', '/etc/nginx/conf.d/load-balancer.conf']],
    starts: true,
  },
  {
    name: 'two files in conf.d define the same upstream',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY conf.d/ /etc/nginx/conf.d/\n',
      'nginx/conf.d/a.conf': 'upstream django_backend { server web:8000; }\n',
      'nginx/conf.d/b.conf': 'upstream django_backend { server web:8000; }\nserver { listen 80; location / { proxy_pass http://django_backend; } }\n',
    },
    starts: false,
  },
  {
    name: 'a template rendered with the container environment, nginx variables kept',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY default.conf.template /etc/nginx/templates/\n',
      'nginx/default.conf.template': 'server {\n    listen ${PORT};\n    location / { proxy_pass http://${BACKEND}; proxy_set_header Host $host; }\n}\n',
    },
    env: [['PORT', '8080'], ['BACKEND', 'web:8000']],
    starts: true,
  },
  {
    name: 'a template whose variable the container does not set',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY default.conf.template /etc/nginx/templates/\n',
      'nginx/default.conf.template': 'server {\n    listen ${PORT};\n}\n',
    },
    starts: false,
  },
  {
    name: 'a UTF-8 byte order mark',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY app.conf /etc/nginx/conf.d/\n',
      'nginx/app.conf': '\ufeffserver { listen 80; }\n',
    },
    starts: false,
  },
  {
    name: 'a start script renders the main file with envsubst and removes the default server',
    files: {
      'nginx/Dockerfile': 'FROM nginx:1.27\nCOPY nginx.tmpl /etc/nginx/nginx.tmpl\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
      'nginx/nginx.tmpl': 'events {}\nhttp {\n    upstream app { server ${APP_HOST}:8000; }\n    include /etc/nginx/conf.d/*.conf;\n    server { listen 80; location / { proxy_pass http://app; } }\n}\n',
      'nginx/start.sh': '#!/bin/sh\nset -e\nenvsubst \'$APP_HOST\' < /etc/nginx/nginx.tmpl > /etc/nginx/nginx.conf\nrm -f /etc/nginx/conf.d/default.conf\nexec nginx -g "daemon off;"\n',
    },
    env: [['APP_HOST', 'web']],
    starts: true,
  },
];

describe.skipIf(!nginxAvailable || !canIsolateMounts)('nginx -t agrees with the assembled container config (fixtures)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    repo = new Repo({ 'docker-compose.yml': 'services:\n  nginx:\n    build: nginx\n', ...c.files });
    const r = repo;
    const s = spec(r, 'docker-compose.yml', 'nginx', {
      build: build(r, 'docker-compose.yml', 'build: nginx', 'nginx', 'nginx/Dockerfile'),
      environment: new Map((c.env ?? []).map(([k, v]) => [k, known(v, r.span('docker-compose.yml', 'nginx'))])),
      mounts: (c.mounts ?? []).map(([source, target]) => r.mount('docker-compose.yml', 'build: nginx', { type: 'bind', source, target })),
    });
    const view = buildContainerView({ ws: r.ws }, s);
    const model = buildContainerNginx(r.ws, view);
    const ours = nginxStartVerdict(model);
    const real = nginxTestContainer(r.ws, view, model, ['web', 'web-1', 'web-2']);
    expect(real.accepted, `nginx: ${real.message}`).toBe(c.starts);
    expect(ours.starts, ours.problems.map((p) => p.message).join('; ')).toBe(real.accepted);
  });
});
