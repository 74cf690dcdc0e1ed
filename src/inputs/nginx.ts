import { posix } from 'node:path';
import type { ParseProblem, Comment } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseNginx, type NginxArg, type NginxDirective } from '../parsers/nginx.js';
import { ContainerFs, type ContainerFile, type ContainerPathSource } from '../container/filesystem.js';

/** A directive placed in the configuration nginx really loads: includes expanded, parents linked. */
export interface NginxNode {
  readonly directive: NginxDirective;
  readonly parent?: NginxNode;
  readonly children: NginxNode[];
  /** The block the directive sits in: `main`, `http`, `server`, `location`, `upstream`, `events`, `if`, ... */
  readonly context: string;
  /** The include directives (outermost first) that pulled this directive's file in. */
  readonly includedVia: readonly Span[];
}

export interface NginxConfigFile {
  readonly path: string;
  readonly containerPath?: string;
  /** How the file reaches nginx. */
  readonly role: 'main' | 'conf.d' | 'template' | 'included' | 'snippet';
  /** The context its top-level directives are read in (inferred for snippets). */
  readonly context: string;
}

export interface UpstreamServer {
  readonly node: NginxNode;
  readonly address: NginxArg;
  /** Host name or IP; undefined for unix sockets. */
  readonly host?: string;
  readonly port: number;
  /** The span of `:port` (or of the address when the port is implicit). */
  readonly portSpan: Span;
  readonly params: ReadonlyMap<string, string>;
  readonly hasVariables: boolean;
}

export interface Upstream {
  readonly name: string;
  readonly node: NginxNode;
  readonly servers: readonly UpstreamServer[];
  readonly keepalive?: NginxNode;
  readonly keepaliveTimeout?: NginxNode;
}

export interface ProxyPass {
  readonly node: NginxNode;
  /** `proxy_pass`, `uwsgi_pass`, `fastcgi_pass`, `grpc_pass`, `scgi_pass`. */
  readonly kind: string;
  readonly target: NginxArg;
  /** Host part of the target (an upstream name or a host); undefined when it holds variables or a unix socket. */
  readonly host?: string;
  readonly port?: number;
  readonly upstream?: Upstream;
}

export interface NginxLocation {
  readonly node: NginxNode;
  readonly match: string;
  readonly proxyPass?: ProxyPass;
}

export interface ZoneDefinition {
  readonly kind: 'limit_req' | 'limit_conn';
  readonly name: string;
  readonly node: NginxNode;
}

export interface ZoneUse {
  readonly kind: 'limit_req' | 'limit_conn';
  readonly name: string;
  readonly node: NginxNode;
  readonly span: Span;
}

export interface NginxModel {
  readonly files: readonly NginxConfigFile[];
  readonly roots: readonly NginxNode[];
  readonly upstreams: readonly Upstream[];
  readonly locations: readonly NginxLocation[];
  readonly proxyPasses: readonly ProxyPass[];
  readonly zones: readonly ZoneDefinition[];
  readonly zoneUses: readonly ZoneUse[];
  /** Include paths that did not resolve to a repository file (they may live in the image). */
  readonly unresolvedIncludes: readonly Span[];
  /** True when nginx.conf itself is not in the repository and the image's default is assumed. */
  readonly implicitMain: boolean;
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
}

// Files every nginx image ships; an include of them is not a gap in what we can see.
const IMAGE_FILES = /(^|\/)(mime\.types|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|koi-utf|koi-win|win-utf|modules-enabled\/.*|modules\/.*)$/;
const NGINX_PREFIX = '/etc/nginx';
const TEMPLATE_DIR = '/etc/nginx/templates';
const CONF_D = '/etc/nginx/conf.d';

function nginxLooking(file: SourceFile): boolean {
  return /\b(server|location|upstream|http|events|map)\b[^;{}]*\{/.test(file.text) || /^\s*(proxy_pass|listen|server_name|include|add_header)\s/m.test(file.text);
}

/**
 * In an envsubst template, a line that is only `${NAME}` stands for whole directives filled in at start-up
 * (openwisp's `${NGINX_EVENTS_BLOCK}`). Blank it, keeping every offset, so the rest of the file parses.
 */
function maskBlockPlaceholders(file: SourceFile): SourceFile {
  if (!file.text.includes('${')) return file;
  const text = file.text.replace(/^([ \t]*)\$\{[A-Za-z_][A-Za-z0-9_]*\}[ \t]*$/gm, (m) => ' '.repeat(m.length));
  return text === file.text ? file : { ...file, text };
}

function inferContext(dirs: readonly NginxDirective[]): string {
  const names = new Set(dirs.map((d) => d.name));
  if (names.has('http') || names.has('events') || names.has('worker_processes')) return 'main';
  if (['server', 'upstream', 'map', 'log_format', 'limit_req_zone', 'limit_conn_zone', 'geo', 'proxy_cache_path'].some((n) => names.has(n))) return 'http';
  if (['location', 'listen', 'server_name'].some((n) => names.has(n))) return 'server';
  if (['proxy_pass', 'uwsgi_pass', 'fastcgi_pass', 'try_files', 'return', 'root', 'alias'].some((n) => names.has(n))) return 'location';
  return 'http';
}

/**
 * Builds what one nginx container loads. nginx.conf comes from the container filesystem when the repo
 * provides it; otherwise the official image's default applies, which includes conf.d/*.conf in http and
 * renders templates/*.template into conf.d. Files visible to the container that nothing includes are
 * still parsed, as snippets in the context their content implies.
 */
export function buildNginxModel(ws: Workspace, fs: ContainerFs, extraFiles: readonly string[]): NginxModel {
  const b = new NginxBuilder(ws, withRenderedTemplates(ws, fs));
  b.build(extraFiles);
  return b.result();
}

function withRenderedTemplates(ws: Workspace, fs: ContainerFs): ContainerFs {
  const extra: ContainerPathSource[] = [];
  for (const f of fs.files()) {
    if (f.containerPath.startsWith(`${TEMPLATE_DIR}/`) && f.containerPath.endsWith('.template')) {
      const rendered = posix.join(CONF_D, f.containerPath.slice(TEMPLATE_DIR.length + 1, -'.template'.length));
      extra.push({ containerPath: rendered, hostPath: f.hostPath, isDir: false, via: f.via });
    }
  }
  return extra.length ? new ContainerFs(ws, [...fs.sources, ...extra]) : fs;
}

class NginxBuilder {
  private readonly files: NginxConfigFile[] = [];
  private readonly roots: NginxNode[] = [];
  private readonly problems: ParseProblem[] = [];
  private readonly comments: Comment[] = [];
  private readonly unresolved: Span[] = [];
  private readonly loaded = new Set<string>();
  private readonly parsed = new Map<string, NginxDirective[]>();
  private implicitMain = false;

  constructor(private readonly ws: Workspace, private readonly fs: ContainerFs) {}

  private parse(path: string): NginxDirective[] | undefined {
    if (this.parsed.has(path)) return this.parsed.get(path);
    const file = this.ws.read(path);
    if (!file) return undefined;
    const r = parseNginx(maskBlockPlaceholders(file));
    this.problems.push(...r.problems);
    this.comments.push(...r.comments);
    const dirs = r.doc?.directives ?? [];
    this.parsed.set(path, dirs);
    return dirs;
  }

  build(extraFiles: readonly string[]): void {
    const main = this.fs.resolve(`${NGINX_PREFIX}/nginx.conf`);
    if (main) {
      this.load(main, 'main', 'main', undefined, []);
    } else {
      this.implicitMain = true;
      for (const f of this.fs.glob(`${CONF_D}/*.conf`)) {
        this.load(f, f.hostPath.endsWith('.template') ? 'template' : 'conf.d', 'http', undefined, []);
      }
    }
    const candidates: ContainerFile[] = this.fs.files().filter((f) => f.containerPath.startsWith(`${NGINX_PREFIX}/`) || /\.(conf|template|tpl)$/.test(f.hostPath));
    for (const f of candidates) this.loadSnippet(f.hostPath, f.containerPath);
    for (const p of extraFiles) this.loadSnippet(p, undefined);
  }

  private loadSnippet(hostPath: string, containerPath: string | undefined): void {
    if (this.loaded.has(hostPath) || /(^|\/)(mime\.types|.*params)$/.test(hostPath)) return;
    const file = this.ws.read(hostPath);
    if (!file || !nginxLooking(file)) return;
    const dirs = this.parse(hostPath);
    if (!dirs) return;
    this.load({ hostPath, containerPath: containerPath ?? hostPath, via: { file: hostPath, start: 0, end: 0 }, origin: { kind: 'copy', hostPath, via: { file: hostPath, start: 0, end: 0 } } }, 'snippet', inferContext(dirs), undefined, []);
  }

  private load(f: ContainerFile, role: NginxConfigFile['role'], context: string, parent: NginxNode | undefined, via: readonly Span[]): NginxNode[] {
    const dirs = this.parse(f.hostPath);
    if (!dirs) return [];
    if (!this.loaded.has(f.hostPath)) {
      this.loaded.add(f.hostPath);
      this.files.push(role === 'snippet' ? { path: f.hostPath, role, context } : { path: f.hostPath, containerPath: f.containerPath, role, context });
    }
    const nodes = this.place(dirs, context, parent, via, [f.hostPath]);
    if (!parent) this.roots.push(...nodes);
    return nodes;
  }

  private place(dirs: readonly NginxDirective[], context: string, parent: NginxNode | undefined, via: readonly Span[], chain: readonly string[]): NginxNode[] {
    const out: NginxNode[] = [];
    for (const d of dirs) {
      if (d.name === 'include' && d.args[0] && chain.length < 12) {
        out.push(...this.include(d, context, parent, via, chain));
        continue;
      }
      const node: NginxNode = { directive: d, children: [], context, includedVia: via, ...(parent ? { parent } : {}) };
      if (d.block) node.children.push(...this.place(d.block, d.name, node, via, chain));
      out.push(node);
    }
    return out;
  }

  private include(d: NginxDirective, context: string, parent: NginxNode | undefined, via: readonly Span[], chain: readonly string[]): NginxNode[] {
    const arg = d.args[0]!;
    const target = posix.isAbsolute(arg.value) ? arg.value : posix.join(NGINX_PREFIX, arg.value);
    const matches = /[*?[]/.test(target) ? this.fs.glob(target) : [this.fs.resolve(target)].filter((x): x is ContainerFile => x !== undefined);
    if (matches.length === 0) {
      if (!IMAGE_FILES.test(target) && !/[*?[]/.test(target) && !arg.value.includes('$')) this.unresolved.push(arg.span);
      return [];
    }
    const out: NginxNode[] = [];
    for (const m of matches) {
      if (chain.includes(m.hostPath)) continue;
      const dirs = this.parse(m.hostPath);
      if (!dirs) continue;
      if (!this.loaded.has(m.hostPath)) {
        this.loaded.add(m.hostPath);
        this.files.push({ path: m.hostPath, containerPath: m.containerPath, role: 'included', context });
      }
      out.push(...this.place(dirs, context, parent, [...via, d.span], [...chain, m.hostPath]));
    }
    return out;
  }

  result(): NginxModel {
    const all: NginxNode[] = [];
    const visit = (n: NginxNode) => {
      all.push(n);
      n.children.forEach(visit);
    };
    this.roots.forEach(visit);
    const upstreams: Upstream[] = [];
    for (const n of all) {
      if (n.directive.name !== 'upstream' || !n.directive.block || !n.directive.args[0]) continue;
      const servers: UpstreamServer[] = [];
      for (const c of n.children) {
        if (c.directive.name !== 'server' || !c.directive.args[0]) continue;
        servers.push(upstreamServer(c));
      }
      const kid = (name: string) => n.children.find((c) => c.directive.name === name);
      upstreams.push({ name: n.directive.args[0].value, node: n, servers, keepalive: kid('keepalive'), keepaliveTimeout: kid('keepalive_timeout') });
    }
    const byName = new Map(upstreams.map((u) => [u.name, u]));
    const proxyPasses: ProxyPass[] = [];
    const locations: NginxLocation[] = [];
    for (const n of all) {
      const name = n.directive.name;
      if (/^(proxy|uwsgi|fastcgi|grpc|scgi)_pass$/.test(name) && n.directive.args[0]) {
        proxyPasses.push(proxyPass(n, name, n.directive.args[0], byName));
      }
    }
    for (const n of all) {
      if (n.directive.name !== 'location') continue;
      const match = n.directive.args.map((a) => a.raw).join(' ');
      const pp = proxyPasses.find((p) => p.node.parent === n || (p.node.parent?.directive.name === 'if' && p.node.parent.parent === n));
      locations.push(pp ? { node: n, match, proxyPass: pp } : { node: n, match });
    }
    const zones: ZoneDefinition[] = [];
    const zoneUses: ZoneUse[] = [];
    for (const n of all) {
      const d = n.directive;
      if (d.name === 'limit_req_zone' || d.name === 'limit_conn_zone') {
        const z = d.args.find((a) => a.value.startsWith('zone='));
        if (z) zones.push({ kind: d.name === 'limit_req_zone' ? 'limit_req' : 'limit_conn', name: z.value.slice(5).split(':')[0]!, node: n });
      } else if (d.name === 'limit_req') {
        const z = d.args.find((a) => a.value.startsWith('zone='));
        if (z) zoneUses.push({ kind: 'limit_req', name: z.value.slice(5), node: n, span: z.span });
      } else if (d.name === 'limit_conn' && d.args[0]) {
        zoneUses.push({ kind: 'limit_conn', name: d.args[0].value, node: n, span: d.args[0].span });
      }
    }
    return {
      files: this.files, roots: this.roots, upstreams, locations, proxyPasses, zones, zoneUses,
      unresolvedIncludes: this.unresolved, implicitMain: this.implicitMain, problems: this.problems, comments: this.comments,
    };
  }
}

function upstreamServer(n: NginxNode): UpstreamServer {
  const address = n.directive.args[0]!;
  const params = new Map<string, string>();
  for (const a of n.directive.args.slice(1)) {
    const eq = a.value.indexOf('=');
    params.set(eq < 0 ? a.value : a.value.slice(0, eq), eq < 0 ? '' : a.value.slice(eq + 1));
  }
  const hasVariables = address.value.includes('$');
  const raw = address.value;
  if (raw.startsWith('unix:')) return { node: n, address, port: 0, portSpan: address.span, params, hasVariables };
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw);
  const host = m?.[1];
  const port = m?.[2] ? Number(m[2]) : 80;
  const colon = raw.lastIndexOf(':');
  const quoteShift = address.quote ? 1 : 0;
  const portSpan = m?.[2] && !address.raw.includes('\\')
    ? { file: address.span.file, start: address.span.start + quoteShift + colon + 1, end: address.span.start + quoteShift + raw.length }
    : address.span;
  return host ? { node: n, address, host, port, portSpan, params, hasVariables } : { node: n, address, port, portSpan, params, hasVariables };
}

function proxyPass(n: NginxNode, kind: string, target: NginxArg, upstreams: ReadonlyMap<string, Upstream>): ProxyPass {
  const v = target.value;
  if (v.includes('$')) return { node: n, kind, target };
  const m = /^(?:([a-z]+):\/\/)?(\[[^\]]+\]|[^/:]+)(?::(\d+))?/.exec(v);
  if (!m || v.startsWith('unix:') || m[1] === 'unix') return { node: n, kind, target };
  const host = m[2]!;
  const upstream = upstreams.get(host) ?? upstreams.get(m[3] ? `${host}:${m[3]}` : host);
  const out: { -readonly [K in keyof ProxyPass]: ProxyPass[K] } = { node: n, kind, target, host };
  if (m[3]) out.port = Number(m[3]);
  if (upstream) out.upstream = upstream;
  return out;
}

/**
 * The directives named `name` that apply at `node`, following nginx's inheritance for array directives:
 * a level inherits from the enclosing one only when it defines none itself (why a single
 * `proxy_set_header` in a location drops every one set in server or http).
 */
export function inherited(node: NginxNode, name: string): NginxNode[] {
  for (let level: NginxNode | undefined = node; level; level = level.parent) {
    const here = level.children.filter((c) => c.directive.name === name);
    if (here.length) return here;
  }
  return [];
}

export function childrenNamed(node: NginxNode, name: string): NginxNode[] {
  return node.children.filter((c) => c.directive.name === name);
}
