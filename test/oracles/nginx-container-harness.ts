import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Workspace } from '../../src/workspace/workspace.js';
import type { ContainerView } from '../../src/container/types.js';
import { NGINX_DEFAULT_CONF, NGINX_DEFAULT_SERVER } from '../../src/container/images.js';
import { readContainerFile } from '../../src/container/render.js';
import type { NginxModel } from '../../src/inputs/nginx.js';
import { nginxAvailable } from './nginx-harness.js';

export const canIsolateMounts: boolean = nginxAvailable && spawnSync('unshare', ['-mn', 'sh', '-c', 'mount -t tmpfs none /mnt'], { stdio: 'ignore' }).status === 0;

/** Errors about the machine nginx -t runs on, not about the configuration: certificates, users, log folders. */
const ENVIRONMENT = /getpwnam|getgrnam|cannot load certificate|BIO_new_file|PEM_read|SSL_CTX|open\(\) "[^"]*\.(log|pid|crt|pem|key|cert|txt|htpasswd|passwd)"|"[^"]*\/(log|logs|ssl|certs?|letsencrypt)\/|mkdir\(\)|no such file or directory\) while|could not open error log|dhparam|ssl_certificate|ssl_stapling|ssl_trusted|auth_basic_user_file|\.htpasswd|"(log|access_log|error_log)"|unknown "[^"]*" variable|failed \(13: Permission denied\)|"\/dev\//i;

export interface ContainerNginxVerdict {
  readonly accepted: boolean;
  readonly message?: string;
  /** Environment errors blanked out to get nginx to read on. */
  readonly blanked: readonly string[];
}

/**
 * Writes the /etc/nginx a container assembles (the files its nginx loads, as the container holds them,
 * plus the image's own files) to a temp folder, bind-mounts it over /etc/nginx in a private mount and
 * network namespace with a hosts file naming every service, and runs the real `nginx -t` on it.
 */
export function nginxTestContainer(ws: Workspace, view: ContainerView, model: NginxModel, hosts: readonly string[]): ContainerNginxVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'arena-nginx-ct-'));
  try {
    const root = join(dir, 'root');
    const etc = join(root, 'etc/nginx');
    mkdirSync(etc, { recursive: true });
    // What every nginx image ships besides nginx.conf: mime.types, *_params.
    for (const f of ['mime.types', 'fastcgi_params', 'fastcgi.conf', 'uwsgi_params', 'scgi_params', 'koi-utf', 'koi-win', 'win-utf', 'proxy_params']) {
      if (existsSync(`/etc/nginx/${f}`)) cpSync(`/etc/nginx/${f}`, join(etc, f));
    }
    mkdirSync(join(etc, 'conf.d'), { recursive: true });
    const write = (containerPath: string, text: string) => {
      const p = join(root, containerPath);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, rewriteOutside(text, root));
    };
    if (model.implicitMain) write('/etc/nginx/nginx.conf', NGINX_DEFAULT_CONF);
    if (model.imageFiles.includes('/etc/nginx/conf.d/default.conf')) write('/etc/nginx/conf.d/default.conf', NGINX_DEFAULT_SERVER);
    for (const f of model.files) {
      if (!f.containerPath) continue;
      const cf = view.filesystem.resolve(f.containerPath);
      const readable = cf ? readContainerFile(ws, cf) : undefined;
      if (readable) write(f.containerPath, readable.source.text);
    }
    const hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, ['127.0.0.1 localhost', ...hosts.map((h, i) => `127.0.${1 + (i >> 8)}.${(i % 250) + 2} ${h}`)].join('\n') + '\n');
    const blanked: string[] = [];
    const extraHosts: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      writeFileSync(hostsFile, ['127.0.0.1 localhost', ...[...hosts, ...extraHosts].map((h, i) => `127.0.${1 + (i >> 8)}.${(i % 250) + 2} ${h}`)].join('\n') + '\n');
      const run = spawnSync('unshare', ['-mn', '--', 'sh', '-c',
        'mount --bind "$0" /etc/hosts && mount --bind "$1" /etc/nginx && mkdir -p /tmp/ngx && exec nginx -t -q -e stderr -p /tmp/ngx/ -c /etc/nginx/nginx.conf',
        hostsFile, etc], { encoding: 'utf8', timeout: 10_000 });
      if (run.status === 0) return { accepted: true, blanked };
      const emerg = /\[emerg\] \d+#\d+: (.*?)(?: in (\S+):(\d+))?$/m.exec(run.stderr ?? '');
      const message = emerg?.[1] ?? (run.stderr ?? '').trim();
      const host = /^host not found in (?:upstream|resolver) "([^"/:]+)/.exec(message)?.[1];
      if (host && !extraHosts.includes(host)) {
        extraHosts.push(host);
        continue;
      }
      // Inside the namespace /etc/nginx is our temp folder.
      const file = emerg?.[2]?.replace(/^\/etc\/nginx\//, `${etc}/`);
      if (ENVIRONMENT.test(message) && file && blankLine(file, Number(emerg![3]))) {
        blanked.push(message);
        continue;
      }
      return { accepted: false, message: message.replaceAll(root, ''), blanked };
    }
    return { accepted: false, message: 'too many environment errors', blanked };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Blanks the directive that ends on a line of a file we wrote (spaces, so line numbers stay). */
function blankLine(file: string, line: number): boolean {
  if (!existsSync(file)) return false;
  const lines = readFileSync(file, 'utf8').split('\n');
  const l = lines[line - 1];
  if (l === undefined || !l.includes(';')) return false;
  // Blank from the directive's start (this line or an earlier continuation) to its `;`.
  let start = line - 1;
  while (start > 0 && !/[;{}]\s*(#.*)?$/.test(lines[start - 1]!)) start--;
  for (let i = start; i < line; i++) lines[i] = lines[i]!.replace(/[^\s{}]/g, ' ').replace(/[{}]/g, (c) => (i === line - 1 ? ' ' : c));
  writeFileSync(file, lines.join('\n'));
  return true;
}

/** Includes of files outside /etc/nginx point into the temp tree instead. */
function rewriteOutside(text: string, root: string): string {
  return text.replace(/\/dev\/(stdout|stderr)\b/g, '/tmp/ngx/$1.log').replace(/^(\s*pid\s+)[^;]+;/m, '$1/tmp/ngx/nginx.pid;').replace(/(^|[\s;{])(include\s+["']?)(\/(?!etc\/nginx\/)[^;"'\s]+)/gm, (_, a: string, b: string, p: string) => `${a}${b}${root}${p}`);
}
