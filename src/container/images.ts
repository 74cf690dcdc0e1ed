import { posix } from 'node:path';
import type { Span, Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { imageRepository } from '../core/image-ref.js';
import type { ContainerFs, ContainerPathSource } from './filesystem.js';
import { renderEnvsubst, renderedLayer } from './render.js';
import type { ProcessStep } from './types.js';

/**
 * What well-known images do by themselves: their ENTRYPOINT and CMD, the entrypoint script's
 * hand-over rules, and the files they ship that configs depend on. Taken from each image's
 * published Dockerfile and entrypoint (docker-library/nginx, docker-library/postgres,
 * docker-library/redis, edoburu/docker-pgbouncer, bitnami/containers).
 */

export interface WellKnownImage {
  /** Repositories this entry describes (`nginx`, `nginxinc/nginx-unprivileged`). */
  readonly repositories: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workdir?: string;
  /**
   * How the image's entrypoint script hands over: `exec "$@"`, after prepending `program` when the
   * first argument is an option (`-c ...`, `--maxmemory ...`), as the postgres and redis images do.
   */
  readonly handOver?: { readonly script: string; readonly program?: string; readonly description: string };
  /** Files the image ships: container path -> content. */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * A config the entrypoint writes from environment variables at start: its path, and whether a
   * file already there (mounted or copied) is kept instead.
   */
  readonly generatesFromEnv?: { readonly path: string; readonly unlessPresent: boolean; readonly variables: string };
}

/** The official nginx image's /etc/nginx/nginx.conf (1.2x, Debian and Alpine variants alike). */
export const NGINX_DEFAULT_CONF = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`.slice(1);

/** The official nginx image's /etc/nginx/conf.d/default.conf (its IPv6 listen added at start when possible). */
export const NGINX_DEFAULT_SERVER = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const IMAGES: readonly WellKnownImage[] = [
  {
    repositories: ['nginx', 'nginxinc/nginx-unprivileged'],
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    handOver: { script: '/docker-entrypoint.sh', description: 'the nginx image runs /docker-entrypoint.d/*.sh (envsubst on templates) when the command is nginx, then execs it' },
    files: { '/etc/nginx/nginx.conf': NGINX_DEFAULT_CONF, '/etc/nginx/conf.d/default.conf': NGINX_DEFAULT_SERVER },
  },
  {
    repositories: ['postgres', 'postgis/postgis', 'timescale/timescaledb', 'pgvector/pgvector'],
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['postgres'],
    handOver: { script: 'docker-entrypoint.sh', program: 'postgres', description: 'the postgres image prepends postgres to a command of options, then execs it' },
  },
  {
    repositories: ['redis', 'valkey/valkey', 'eqalpha/keydb'],
    entrypoint: ['docker-entrypoint.sh'],
    cmd: ['redis-server'],
    handOver: { script: 'docker-entrypoint.sh', program: 'redis-server', description: 'the redis image prepends redis-server to a command of options, then execs it' },
  },
  {
    repositories: ['edoburu/pgbouncer'],
    entrypoint: ['/entrypoint.sh'],
    cmd: ['/usr/bin/pgbouncer', '/etc/pgbouncer/pgbouncer.ini'],
    handOver: { script: '/entrypoint.sh', description: 'the edoburu/pgbouncer image writes /etc/pgbouncer/pgbouncer.ini from the environment unless the file exists, then execs the command' },
    generatesFromEnv: { path: '/etc/pgbouncer/pgbouncer.ini', unlessPresent: true, variables: 'DATABASE_URL, DB_HOST, DB_USER, POOL_MODE, MAX_CLIENT_CONN, DEFAULT_POOL_SIZE, ...' },
  },
  {
    repositories: ['bitnami/pgbouncer'],
    entrypoint: ['/opt/bitnami/scripts/pgbouncer/entrypoint.sh'],
    cmd: ['/opt/bitnami/scripts/pgbouncer/run.sh'],
    handOver: { script: '/opt/bitnami/scripts/pgbouncer/entrypoint.sh', description: 'the bitnami/pgbouncer image writes its ini from PGBOUNCER_* variables unless one is mounted or copied there, then runs pgbouncer' },
    // Users mount or COPY their own pgbouncer.ini at this path, and the image then runs with it.
    generatesFromEnv: { path: '/opt/bitnami/pgbouncer/conf/pgbouncer.ini', unlessPresent: true, variables: 'PGBOUNCER_*, POSTGRESQL_*' },
  },
  { repositories: ['python'], cmd: ['python3'] },
];

/** What the image does by itself, when arena-lint knows the image. */
export function wellKnownImage(image: string): WellKnownImage | undefined {
  const repo = imageRepository(image);
  return IMAGES.find((i) => i.repositories.includes(repo));
}

/** True for the official nginx image family, whose entrypoint renders templates. */
export function isNginxImage(image: string): boolean {
  return wellKnownImage(image)?.repositories[0] === 'nginx';
}

/**
 * The nginx image's /docker-entrypoint.d/20-envsubst-on-templates.sh: every `*.template` below
 * NGINX_ENVSUBST_TEMPLATE_DIR (/etc/nginx/templates) is rendered into NGINX_ENVSUBST_OUTPUT_DIR
 * (/etc/nginx/conf.d) with `envsubst "$defined_envs"`: only variables set in the container's
 * environment (and matching NGINX_ENVSUBST_FILTER) are replaced, so nginx's own `$host` survives.
 */
export function nginxTemplates(ws: Workspace, fs: ContainerFs, env: ReadonlyMap<string, Value<string>>, via: Span): { layers: ContainerPathSource[]; steps: ProcessStep[] } {
  const setting = (name: string, dflt: string): string => {
    const v = env.get(name);
    return v?.kind === 'known' && v.value !== '' ? v.value : dflt;
  };
  const dir = posix.normalize(setting('NGINX_ENVSUBST_TEMPLATE_DIR', '/etc/nginx/templates'));
  const suffix = setting('NGINX_ENVSUBST_TEMPLATE_SUFFIX', '.template');
  const outDir = posix.normalize(setting('NGINX_ENVSUBST_OUTPUT_DIR', '/etc/nginx/conf.d'));
  const filterV = env.get('NGINX_ENVSUBST_FILTER');
  let filter: RegExp | undefined;
  try {
    filter = filterV?.kind === 'known' && filterV.value !== '' ? new RegExp(filterV.value) : undefined;
  } catch {
    filter = undefined;
  }
  const defined = new Set([...env.keys()].filter((k) => !filter || filter.test(k)));
  const layers: ContainerPathSource[] = [];
  const steps: ProcessStep[] = [];
  for (const f of fs.files()) {
    if (!f.containerPath.startsWith(`${dir}/`) || !f.containerPath.endsWith(suffix)) continue;
    const rel = f.containerPath.slice(dir.length + 1, f.containerPath.length - suffix.length);
    const target = posix.join(outDir, rel);
    const content = renderEnvsubst(ws, f, env, defined);
    if (!content) continue;
    layers.push(renderedLayer(target, f, content, 'the nginx image\'s envsubst', via));
    steps.push({ description: `the nginx image renders ${target} from ${f.containerPath} with envsubst`, span: f.via });
  }
  return { layers, steps };
}
