/**
 * Runs the real `nginx -t` on the configuration one nginx container of a stack loads: the files the
 * container sees under /etc/nginx (mounts and COPYs, as the model resolves them) are written to a
 * temporary folder that is bind-mounted over /etc/nginx in a private mount and network namespace,
 * with the official image's nginx.conf and conf.d/default.conf when the repository provides none.
 *
 * nginx stops at its first error. Errors of the kinds nginx-refuses-config judges are collected and
 * the directive is blanked (newlines kept) to read on; errors of the environment (a certificate, a
 * user, a log folder) are blanked too and not collected; an upstream name is given a loopback address.
 * The result is every refusal of those kinds, as repository file and line.
 */
import { NGINX_DEFAULT_CONF } from '../../src/container/images.js';
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { createSourceFile, positionAt } from '../../src/core/source.js';
import { parseNginx, walkNginx } from '../../src/parsers/nginx.js';
import type { ProxyService } from '../../src/stack/stack.js';
import type { Value } from '../../src/core/value.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { isSyntaxMessage } from './nginx-harness.js';
import { misspeltDirective } from '../../rules/nginx-refuses-config.js';

export const canIsolate: boolean = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0
  && spawnSync('unshare', ['-mn', 'true'], { stdio: 'ignore' }).status === 0;

/** The official image's /etc/nginx/nginx.conf, without `user nginx;` (no such user here). */
export const OFFICIAL_NGINX_CONF = NGINX_DEFAULT_CONF.replace(/^user\s+nginx;\n/m, '');

export const OFFICIAL_DEFAULT_CONF = `server {
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

const IMAGE_FILES = ['mime.types', 'fastcgi_params', 'fastcgi.conf', 'scgi_params', 'uwsgi_params', 'koi-utf', 'koi-win', 'win-utf'];

/** The kinds of refusal nginx-refuses-config reports; `include` is told apart by the directive on the line. */
const JUDGED = /^(unknown directive|"[^"]+" directive is not allowed here|unknown log format|duplicate upstream|a duplicate default server)/;

export interface NginxRefusal {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export type ContainerVerdict =
  | { readonly kind: 'checked'; readonly refusals: readonly NginxRefusal[]; readonly environment: readonly string[] }
  | { readonly kind: 'skipped'; readonly reason: string };

export function nginxTestContainer(ws: Workspace, proxy: ProxyService, stackEnv: (p: ProxyService) => ReadonlyMap<string, Value<string>>): ContainerVerdict {
  const model = proxy.nginx;
  const dir = mkdtempSync(join(tmpdir(), 'arena-nginx-ct-'));
  const etc = join(dir, 'etc-nginx');
  const logs = join(dir, 'logs');
  mkdirSync(etc);
  mkdirSync(logs);
  try {
    /** Temp path -> repository path, for the files taken from the repository. */
    const back = new Map<string, string>();
    const texts = new Map<string, string>();
    /** Files with `${VAR}` as written, whose lines holding one the rule does not judge. */
    const templated = new Map<string, string>();
    const env = stackEnv(proxy);
    const image = proxy.service.image?.kind === 'known' ? proxy.service.image.value : '';
    const stockImage = !proxy.image.dockerfile && /^(docker\.io\/)?(library\/)?nginx(:|$)/.test(image);
    for (const f of proxy.image.fs.files()) {
      if (!f.containerPath.startsWith('/etc/nginx/')) continue;
      const file = ws.read(f.hostPath);
      if (!file) continue;
      const rel = f.containerPath.slice('/etc/nginx/'.length);
      let target = join(etc, rel);
      // The official entrypoint renders templates/*.template into conf.d.
      if (rel.startsWith('templates/') && rel.endsWith('.template')) target = join(etc, 'conf.d', rel.slice('templates/'.length, -'.template'.length));
      if (!target.startsWith(`${etc}/`)) continue;
      mkdirSync(dirname(target), { recursive: true });
      const raw = (file.bom ? '\uFEFF' : '') + file.text;
      // What the official entrypoint's envsubst does: variables the container sets are filled in, others stay.
      const text = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
        const v = env.get(name);
        return v?.kind === 'known' ? v.value : m;
      });
      if (text !== raw || /\$\{[A-Za-z_]/.test(raw)) templated.set(target, raw);
      writeFileSync(target, text);
      texts.set(target, text);
      back.set(target, f.hostPath);
    }
    if (!existsSync(join(etc, 'nginx.conf'))) {
      if (!model.implicitMain) return { kind: 'skipped', reason: 'nginx.conf is not readable' };
      writeFileSync(join(etc, 'nginx.conf'), OFFICIAL_NGINX_CONF);
      // Unless a mount replaces conf.d as a folder, the image's default.conf is there too.
      const confDMounted = proxy.image.fs.sources.some((s) => s.isDir && s.containerPath === '/etc/nginx/conf.d');
      if (!confDMounted && !existsSync(join(etc, 'conf.d', 'default.conf'))) {
        mkdirSync(join(etc, 'conf.d'), { recursive: true });
        writeFileSync(join(etc, 'conf.d', 'default.conf'), OFFICIAL_DEFAULT_CONF);
      }
    }
    for (const name of IMAGE_FILES) if (!existsSync(join(etc, name)) && existsSync(`/etc/nginx/${name}`)) copyFileSync(`/etc/nginx/${name}`, join(etc, name));

    const hosts: string[] = [];
    const refusals: NginxRefusal[] = [];
    const environment: string[] = [];
    for (let attempt = 0; attempt < 60; attempt++) {
      const run = runIsolated(dir, etc, logs, hosts);
      if (run.ok) return { kind: 'checked', refusals, environment };
      const m = /\[emerg\] \d+#\d+: (.*?)(?: in (\S+):(\d+))?$/m.exec(run.stderr);
      if (!m) return { kind: 'skipped', reason: `nginx said: ${run.stderr.trim().split('\n')[0]}` };
      const message = m[1]!;
      const inside = m[2]?.replace(/^\/etc\/nginx\//, `${etc}/`);
      const line = m[3] ? Number(m[3]) : undefined;
      const host = /^host not found in (?:upstream|resolver) "([^"/:]+)/.exec(message)?.[1];
      if (host && !hosts.includes(host)) {
        hosts.push(host);
        continue;
      }
      // An error without a place comes from the checks after the whole configuration was read.
      if (!m[2]) return { kind: 'checked', refusals, environment: [...environment, `after reading: ${message}`] };
      const repoFile = inside ? back.get(inside) : undefined;
      if (!inside || line === undefined || !repoFile) return { kind: 'skipped', reason: `nginx stopped outside the repository's files: ${message} in ${m[2]}:${m[3]}` };
      if (isSyntaxMessage(message)) return { kind: 'skipped', reason: `syntax error (parse-error's domain) at ${repoFile}:${line}: ${message}` };
      const text = texts.get(inside)!;
      const directive = directiveOn(text, line);
      // A missing include is nginx's verdict on the container only where the sandbox holds all of
      // /etc/nginx the container has: the stock image with mounts, no Dockerfile of its own.
      const missing = /^open\(\) "(\/etc\/nginx\/[^"]*)" failed/.exec(message);
      // An unknown name far from every directive may be a module's or a newer nginx's: outside the rule.
      const unknownName = /^unknown directive "([^"]*)"/.exec(message)?.[1];
      const outOfScope = unknownName !== undefined && !unknownName.startsWith('\uFEFF') && misspeltDirective(unknownName) === undefined;
      const judged = (JUDGED.test(message) && !outOfScope) || (directive?.name === 'include' && missing !== null && stockImage);
      const templateLine = templated.get(inside)?.split('\n')[line - 1]?.includes('${') ?? false;
      if (judged && !templateLine) refusals.push({ file: repoFile, line, message });
      else environment.push(`${repoFile}:${line}: ${message}`);
      let next: string | undefined;
      if (text.startsWith('\uFEFF') && line === 1 && /^unknown directive "\W/.test(message)) next = text.slice(1);
      else if (directive) next = text.slice(0, directive.start) + text.slice(directive.start, directive.end).replace(/[^\n]/g, ' ') + text.slice(directive.end);
      if (next === undefined) return { kind: 'skipped', reason: `cannot read past ${repoFile}:${line}: ${message}` };
      writeFileSync(inside, next);
      texts.set(inside, next);
    }
    return { kind: 'skipped', reason: 'too many errors' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runIsolated(dir: string, etc: string, logs: string, hosts: readonly string[]): { ok: boolean; stderr: string } {
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, ['127.0.0.1 localhost', ...hosts.map((h, i) => `127.0.${1 + (i >> 8)}.${(i % 250) + 2} ${h}`)].join('\n') + '\n');
  const script = 'mount --bind "$1" /etc/nginx && mount --bind "$2" /var/log/nginx && mount --bind "$3" /etc/hosts && exec nginx -t -q -c /etc/nginx/nginx.conf -e stderr';
  // stdout is a file: node's stdio pipes are sockets, which `access_log /dev/stdout` cannot open.
  const out = openSync(join(dir, 'stdout'), 'w');
  try {
    const r = spawnSync('unshare', ['-mn', '--', 'sh', '-c', script, 'sh', etc, logs, hostsFile], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', out, 'pipe'] });
    return { ok: r.status === 0, stderr: r.stderr ?? '' };
  } finally {
    closeSync(out);
  }
}

/** The directive nginx names by `line`: the innermost one whose `;` or `{` is on that line, or that starts on it. */
function directiveOn(text: string, line: number): { name: string; start: number; end: number } | undefined {
  const file = createSourceFile('probe', text.replace(/^\uFEFF/, ' '));
  let best: { name: string; start: number; end: number } | undefined;
  walkNginx(parseNginx(file).doc?.directives ?? [], (d) => {
    const headEnd = d.blockSpan ? d.blockSpan.start : d.span.end - 1;
    const first = positionAt(file, d.span.start).line;
    const last = positionAt(file, headEnd).line;
    if (line >= first && line <= last) best = { name: d.name, start: d.span.start, end: d.span.end };
  });
  if (best) return best;
  // Reported at a block's closing line (`no servers are inside upstream`): the innermost block around it.
  walkNginx(parseNginx(file).doc?.directives ?? [], (d) => {
    if (line >= positionAt(file, d.span.start).line && line <= positionAt(file, d.span.end).line) best = { name: d.name, start: d.span.start, end: d.span.end };
  });
  return best;
}

export { posix, readFileSync };
