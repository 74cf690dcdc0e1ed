import { posix } from 'node:path';
import type { ParseProblem, Comment } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseNginx, type NginxArg, type NginxDirective } from '../parsers/nginx.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerFs, globToRegExp, type ContainerFile, type ContainerPathSource } from '../container/filesystem.js';
import { readContainerFile, remapSpans, substitutionsAt } from '../container/render.js';
import type { MappedText } from '../parsers/mapped-text.js';
import { isJinjaTemplate } from '../parsers/template.js';
import { imageRepository } from '../core/image-ref.js';
import type { ContainerProcess, ContainerView, FileOrigin, UnknownPart } from '../container/types.js';

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
  /** How the file reaches the container: COPY, mount, rendered from a template. */
  readonly origin?: FileOrigin;
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
  /** Container paths of files the image ships that nginx loads too (its nginx.conf, conf.d/default.conf). */
  readonly imageFiles: readonly string[];
  /**
   * The places a value in a rendered file came through besides the template line: the environment
   * line that filled `${VAR}` in (empty for text written in the template itself).
   */
  viaOf(span: Span): Span[];
  /** What nginx loads that arena-lint cannot know (main file unknown, a glob over a folder start-up fills). */
  readonly unknowns: readonly UnknownPart[];
  /** Included files that were not parsed, and why (a Jinja template nothing renders). */
  readonly unreadFiles: readonly { readonly path: string; readonly reason: string }[];
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
}

// Files every nginx image ships; an include of them is not a gap in what we can see.
const IMAGE_FILES = /(^|\/)(mime\.types|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|koi-utf|koi-win|win-utf|modules-enabled\/.*|modules\/.*)$/;
const NGINX_PREFIX = '/etc/nginx';
const TEMPLATE_DIR = '/etc/nginx/templates';
const CONF_D = '/etc/nginx/conf.d';

/**
 * In an envsubst template, a line that is only `${NAME}` stands for whole directives filled in at start-up
 * (openwisp's `${NGINX_EVENTS_BLOCK}`). Blank it, keeping every offset, so the rest of the file parses.
 */
function maskBlockPlaceholders(file: SourceFile): SourceFile {
  if (!file.text.includes('${')) return file;
  const text = file.text.replace(/^([ \t]*)\$\{[A-Za-z_][A-Za-z0-9_]*\}[ \t]*$/gm, (m) => ' '.repeat(m.length));
  return text === file.text ? file : { ...file, text };
}

/** True when the file on disk starts with a UTF-8 byte order mark (the workspace reads it without). */
function startsWithBom(ws: Workspace, hostPath: string): boolean {
  try {
    const fd = openSync(join(ws.rootAbs, hostPath), 'r');
    try {
      const buf = Buffer.alloc(3);
      return readSync(fd, buf, 0, 3, 0) === 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Builds the configuration one nginx container loads, as nginx reads it: its main file (the
 * container's /etc/nginx/nginx.conf, or the image's default, which includes conf.d/*.conf in http),
 * then exactly the files it includes, in include order, each read as the container holds it (a
 * rendered template through its rendering). Files the container has but nothing includes are not read.
 * `extraFiles` is no longer read (kept for callers that still pass the build context's files).
 */
export interface NginxAssembly {
  /** The file nginx starts with (`-c`); /etc/nginx/nginx.conf by default. */
  readonly main?: string;
  /** Without a main file in the container, assume the official image's (which includes conf.d/*.conf). */
  readonly assumeImageDefault?: boolean;
  /** Where an unknown main file is reported (the command that starts nginx). */
  readonly anchor?: Span;
}

export function buildNginxModel(ws: Workspace, fs: ContainerFs, _extraFiles: readonly string[] = [], opts: NginxAssembly = {}): NginxModel {
  const b = new NginxBuilder(ws, withRenderedTemplates(ws, fs));
  b.build(opts.main ?? `${NGINX_PREFIX}/nginx.conf`, opts.assumeImageDefault ?? true, opts.anchor);
  return b.result();
}

/** The configuration file nginx is started with: `-c FILE` (relative to `-p PREFIX`), else /etc/nginx/nginx.conf. */
export function nginxMainPath(process: ContainerProcess | undefined): string {
  const argv = process?.argv.map((w) => (w.value.kind === 'known' ? w.value.value : undefined)) ?? [];
  if (!NGINX_PROGRAM.test(argv[0] ?? '')) return `${NGINX_PREFIX}/nginx.conf`;
  let prefix = `${NGINX_PREFIX}/`;
  let conf: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-p' && argv[i + 1]) prefix = argv[++i]!;
    else if (argv[i] === '-c' && argv[i + 1]) conf = argv[++i]!;
  }
  return conf === undefined ? `${NGINX_PREFIX}/nginx.conf` : posix.resolve(prefix, conf);
}

/**
 * Whether a container runs nginx: its process starts nginx (or openresty), its image is an nginx
 * image, or its filesystem holds an nginx.conf (a supervisord image that runs nginx beside gunicorn).
 */
export function runsNginx(view: ContainerView): boolean {
  const program = view.process?.argv[0]?.value;
  if (program?.kind === 'known' && NGINX_PROGRAM.test(program.value)) return true;
  const image = view.image?.kind === 'known' ? imageRepository(view.image.value) : '';
  if (/(^|\/)(nginx|nginx-unprivileged|openresty)$/.test(image)) return true;
  const main = view.filesystem.state(`${NGINX_PREFIX}/nginx.conf`).kind;
  return main === 'file' || main === 'image-default';
}

const NGINX_PROGRAM = /(^|\/)(nginx|nginx-debug|openresty)$/;

/** The nginx configuration a container loads, as its process starts nginx. */
export function buildContainerNginx(ws: Workspace, view: ContainerView): NginxModel {
  // Only the official image's nginx.conf is known; another image's, when the repository has none, is not.
  return buildNginxModel(ws, view.filesystem, [], { main: nginxMainPath(view.process), assumeImageDefault: false, anchor: view.process?.argvSpan ?? view.spec.span });
}

/**
 * For a filesystem assembled without the nginx image's start-up (the compose-based path), templates
 * are mapped into conf.d raw, as before; a container view already holds their rendering.
 */
function withRenderedTemplates(ws: Workspace, fs: ContainerFs): ContainerFs {
  if (fs.sources.some((s) => s.rendering)) return fs;
  const extra: ContainerPathSource[] = [];
  for (const f of fs.files()) {
    if (f.containerPath.startsWith(`${TEMPLATE_DIR}/`) && f.containerPath.endsWith('.template')) {
      const rendered = posix.join(CONF_D, f.containerPath.slice(TEMPLATE_DIR.length + 1, -'.template'.length));
      extra.push({ containerPath: rendered, hostPath: f.hostPath, isDir: false, via: f.via, origin: { kind: 'rendered', template: f.hostPath, renderer: 'envsubst', via: f.via } });
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
  private readonly unread: { path: string; reason: string }[] = [];
  private readonly unknowns: UnknownPart[] = [];
  private readonly rendered: MappedText[] = [];
  private readonly imageFiles: string[] = [];
  private readonly loaded = new Set<string>();
  private readonly parsed = new Map<string, NginxDirective[] | undefined>();
  private implicitMain = false;

  constructor(private readonly ws: Workspace, private readonly fs: ContainerFs) {}

  /** The directives of a container file as nginx reads it; undefined when it cannot or must not be read. */
  private parse(f: ContainerFile): NginxDirective[] | undefined {
    const key = `${f.containerPath}\0${f.hostPath}`;
    if (this.parsed.has(key)) return this.parsed.get(key);
    this.parsed.set(key, undefined);
    const readable = readContainerFile(this.ws, f);
    if (!readable) return undefined;
    // Jinja (`{{ x }}`, `{% if %}`, `{# c #}`) is for a renderer arena-lint cannot run: not what nginx reads.
    if (isJinjaTemplate(readable.source.text)) {
      this.unread.push({ path: f.hostPath, reason: 'a Jinja template: nothing in the container renders it' });
      return undefined;
    }
    const r = parseNginx(maskBlockPlaceholders(readable.source));
    if (readable.mapped) {
      remapSpans(r, readable.mapped);
      this.rendered.push(readable.mapped);
    }
    if (!readable.mapped && startsWithBom(this.ws, f.hostPath)) {
      // nginx reads the byte order mark as part of the first word and stops.
      const first = /^\s*([^\s;{]+)/.exec(readable.source.text);
      const word = first?.[1] ?? '';
      const at = first ? first.index + first[0].length - word.length : 0;
      this.problems.push({ message: `unknown directive "\ufeff${word}"`, span: { file: f.hostPath, start: at, end: at + word.length } });
    }
    this.problems.push(...r.problems);
    this.comments.push(...r.comments);
    const dirs = r.doc?.directives ?? [];
    this.parsed.set(key, dirs);
    return dirs;
  }

  build(mainPath: string, assumeImageDefault: boolean, anchor: Span | undefined): void {
    const main = this.fs.state(mainPath);
    if (main.kind === 'absent' && !assumeImageDefault && anchor) {
      this.unknowns.push({ what: mainPath, reason: 'the image\'s own nginx.conf is not known and the repository does not provide one', span: anchor });
      return;
    }
    if (main.kind === 'file') {
      this.load(main.file, 'main', 'main', undefined, []);
      return;
    }
    if (main.kind === 'unknown') {
      this.unknowns.push({ what: mainPath, reason: main.origin.kind === 'unknown' ? main.origin.reason : 'not in the repository', span: main.via });
      return;
    }
    // The image's default nginx.conf (or none we can see): it includes conf.d/*.conf inside http.
    this.implicitMain = true;
    if (main.kind === 'image-default') this.imageFiles.push(main.containerPath);
    for (const d of this.fs.imageDefaults()) if (d.containerPath.startsWith(`${CONF_D}/`) && d.containerPath.endsWith('.conf')) this.imageFiles.push(d.containerPath);
    this.noteIncomplete(`${CONF_D}/*.conf`);
    for (const f of this.fs.glob(`${CONF_D}/*.conf`)) {
      this.load(f, f.origin.kind === 'rendered' || f.hostPath.endsWith('.template') ? 'template' : 'conf.d', 'http', undefined, []);
    }
  }

  private load(f: ContainerFile, role: NginxConfigFile['role'], context: string, parent: NginxNode | undefined, via: readonly Span[]): NginxNode[] {
    const dirs = this.parse(f);
    if (!dirs) return [];
    if (!this.loaded.has(`${f.containerPath}\0${f.hostPath}`)) {
      this.loaded.add(`${f.containerPath}\0${f.hostPath}`);
      this.files.push({ path: f.hostPath, containerPath: f.containerPath, role, context, origin: f.origin });
    }
    const nodes = this.place(dirs, context, parent, via, [f.containerPath]);
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
    const isGlob = /[*?[]/.test(target);
    let matches: ContainerFile[];
    if (isGlob) {
      this.noteIncomplete(target, arg.span);
      matches = this.fs.glob(target);
      for (const img of this.fs.imageDefaults()) if (globToRegExp(posix.normalize(target)).test(img.containerPath)) this.imageFiles.push(img.containerPath);
    } else {
      const st = this.fs.state(target);
      matches = st.kind === 'file' ? [st.file] : [];
      if (st.kind === 'image-default') this.imageFiles.push(st.containerPath);
      else if (st.kind === 'unknown') this.unknowns.push({ what: target, reason: st.origin.kind === 'unknown' ? st.origin.reason : 'not in the repository', span: arg.span });
      if (st.kind === 'image-default') {
        // Counted above.
      } else if (st.kind !== 'file' && !IMAGE_FILES.test(target) && !arg.value.includes('$')) this.unresolved.push(arg.span);
    }
    const out: NginxNode[] = [];
    for (const m of matches) {
      if (chain.includes(m.containerPath)) continue;
      const dirs = this.parse(m);
      if (!dirs) continue;
      if (!this.loaded.has(`${m.containerPath}\0${m.hostPath}`)) {
        this.loaded.add(`${m.containerPath}\0${m.hostPath}`);
        this.files.push({ path: m.hostPath, containerPath: m.containerPath, role: 'included', context, origin: m.origin });
      }
      out.push(...this.place(dirs, context, parent, [...via, d.span], [...chain, m.containerPath]));
    }
    return out;
  }

  /** A glob over a folder start-up may fill with files arena-lint cannot name. */
  private noteIncomplete(glob: string, span?: Span): void {
    const dir = posix.dirname(glob.split(/[*?[]/)[0]! + 'x');
    const layer = this.fs.incompleteAt(dir);
    if (layer) this.unknowns.push({ what: glob, reason: layer.origin?.kind === 'unknown' ? layer.origin.reason : 'more files may be written here', span: span ?? layer.via });
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
      unresolvedIncludes: this.unresolved, implicitMain: this.implicitMain, imageFiles: [...new Set(this.imageFiles)], unreadFiles: this.unread, unknowns: this.unknowns,
      viaOf: (span: Span) => this.rendered.filter((m) => m.file === span.file).flatMap((m) => substitutionsAt(m, span)),
      problems: this.problems, comments: this.comments,
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
  // `http://unix:/run/app.sock:/` is a unix socket, not a host called unix.
  if (!m || v.startsWith('unix:') || /^[a-z]+:\/\/unix:/.test(v)) return { node: n, kind, target };
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

/** Whether nginx would start with this configuration, as far as the model can see. */
export interface NginxStartVerdict {
  readonly starts: boolean | undefined;
  /** The errors nginx would stop on: every error of reading its files, duplicate upstreams. */
  readonly problems: readonly ParseProblem[];
  /** Why the verdict is unknown, when it is. */
  readonly unknowns: readonly UnknownPart[];
}

/** Variables nginx and its common modules define (ngx_http_core_module and friends); prefixes end with `_`. */
const BUILTIN_VARIABLES = new Set(('args binary_remote_addr body_bytes_sent bytes_sent connection connection_requests connection_time content_length '
  + 'content_type document_root document_uri host hostname https is_args limit_rate msec nginx_version pid pipe proxy_protocol_addr '
  + 'proxy_protocol_port proxy_protocol_server_addr proxy_protocol_server_port query_string realpath_root remote_addr remote_port remote_user '
  + 'request request_body request_body_file request_completion request_filename request_id request_length request_method request_time '
  + 'request_uri scheme server_addr server_name server_port server_protocol status tcpinfo_rtt tcpinfo_rttvar tcpinfo_snd_cwnd tcpinfo_rcv_space '
  + 'time_iso8601 time_local uri proxy_add_x_forwarded_for proxy_host proxy_port realip_remote_addr realip_remote_port gzip_ratio limit_req_status '
  + 'limit_conn_status invalid_referer secure_link secure_link_expires uid_got uid_reset uid_set fastcgi_script_name fastcgi_path_info date_local '
  + 'date_gmt connections_active connections_reading connections_writing connections_waiting http2 http3 modern_browser ancient_browser msie '
  + 'binary_remote_addr embedded_variable request_body_file sent_http_ content_type').split(' '));
const BUILTIN_PREFIXES = ['arg_', 'cookie_', 'http_', 'sent_http_', 'sent_trailer_', 'upstream_', 'ssl_', 'geoip_', 'proxy_protocol_tlv_', 'jwt_', 'otel_', 'memcached_'];

function definedVariables(all: readonly NginxNode[]): Set<string> {
  const out = new Set<string>();
  const name = (a: NginxArg | undefined) => (a && /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(a.value) ? a.value.slice(1).toLowerCase() : undefined);
  for (const n of all) {
    const d = n.directive;
    const a = d.args;
    const pick = d.name === 'set' || d.name === 'perl_set' || d.name === 'js_set' || d.name === 'auth_request_set' || d.name === 'set_real_ip_from'
      ? name(a[0])
      : d.name === 'map' || d.name === 'split_clients' ? name(a[1])
      : d.name === 'geo' || d.name === 'geoip2' ? name(a[a.length - 1])
      : undefined;
    if (pick) out.add(pick);
    for (const x of a) for (const m of x.value.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>|\(\?'([A-Za-z_][A-Za-z0-9_]*)'/g)) out.add((m[1] ?? m[2])!.toLowerCase());
    // Variables set inside geoip2/map blocks: `$name source` lines.
    if (d.name === 'geoip2' || d.name === 'mmdb') for (const c of n.children) { const v = c.directive.name.startsWith('$') ? c.directive.name.slice(1) : undefined; if (v) out.add(v.toLowerCase()); }
  }
  return out;
}

/** `$name` uses nginx would refuse as `unknown "name" variable` (variable names are case-insensitive). */
function unknownVariableUses(model: NginxModel): ParseProblem[] {
  const all: NginxNode[] = [];
  const visit = (n: NginxNode) => {
    all.push(n);
    n.children.forEach(visit);
  };
  model.roots.forEach(visit);
  const defined = definedVariables(all);
  const out: ParseProblem[] = [];
  for (const n of all) {
    const d = n.directive;
    if (d.name === 'map' || d.name === 'geo' || d.name === 'split_clients' || n.parent?.directive.name === 'map' || n.parent?.directive.name === 'types') continue;
    for (const a of d.args) {
      for (const m of a.value.matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
        const v = (m[1] ?? m[2])!.toLowerCase();
        if (defined.has(v) || BUILTIN_VARIABLES.has(v) || BUILTIN_PREFIXES.some((p) => v.startsWith(p))) continue;
        // A regex's `$` anchor, not a variable: `location ~ \.php$`.
        if (d.name === 'location' || (d.name === 'rewrite' && a === d.args[0]) || (d.name === 'if' && /~/.test(d.args.map((x) => x.value).join(' ')) && a !== d.args[0])) continue;
        out.push({ message: `unknown "${v}" variable`, span: a.span });
      }
    }
  }
  return out;
}

export function nginxStartVerdict(model: NginxModel): NginxStartVerdict {
  const problems: ParseProblem[] = [...model.problems, ...unknownVariableUses(model)];
  // ngx_http_upstream_add: a second `upstream NAME` block in http is fatal.
  const seen = new Set<string>();
  for (const u of model.upstreams) {
    if (u.node.context !== 'http') continue;
    if (seen.has(u.name)) problems.push({ message: `duplicate upstream "${u.name}"`, span: u.node.directive.args[0]!.span });
    seen.add(u.name);
  }
  if (problems.length > 0) return { starts: false, problems, unknowns: model.unknowns };
  const unknowns = [
    ...model.unknowns,
    ...model.unreadFiles.map((f) => ({ what: f.path, reason: f.reason, span: { file: f.path, start: 0, end: 0 } })),
    ...model.unresolvedIncludes.map((s) => ({ what: 'include', reason: 'the included file is not in what arena-lint can see of the container', span: s })),
  ];
  return { starts: unknowns.length > 0 ? undefined : true, problems, unknowns };
}
