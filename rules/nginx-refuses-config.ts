import type { Span } from '../src/core/value.js';
import { closest } from '../src/core/suggest.js';
import { defineRule } from '../src/engine/rule.js';
import type { NginxModel, NginxNode } from '../src/inputs/nginx.js';
import { NGINX_DIRECTIVE_CONTEXTS, PROBED_NGINX_VERSION, UNPROBED_DIRECTIVES, type ProbedContext } from '../src/reference/nginx-directive-contexts.js';
import type { ProxyService } from '../src/stack/stack.js';

/** Blocks whose contents are another module's (stream, mail) or key/value lines, not http directives. */
const UNJUDGED_BLOCKS: ReadonlySet<string> = new Set(['stream', 'mail', 'types', 'map', 'geo', 'split_clients', 'charset_map', 'match']);

/** The files the official image's nginx.conf defines before it includes conf.d: formats it defines. */
const OFFICIAL_MAIN_FORMATS = ['combined', 'main'];

const OFFICIAL_IMAGE = /^(docker\.io\/)?(library\/)?nginx(:[^@\s]*)?(@\S+)?$|^(docker\.io\/)?nginxinc\/nginx-unprivileged(:\S*)?$/;

/** The official image's files outside conf.d that configs include. */
const OFFICIAL_IMAGE_FILES = new Set([
  '/etc/nginx/nginx.conf', '/etc/nginx/mime.types', '/etc/nginx/fastcgi_params', '/etc/nginx/fastcgi.conf', '/etc/nginx/scgi_params',
  '/etc/nginx/uwsgi_params', '/etc/nginx/koi-utf', '/etc/nginx/koi-win', '/etc/nginx/win-utf', '/etc/nginx/conf.d/default.conf',
]);

interface Refusal {
  readonly span: Span;
  readonly message: string;
  readonly related?: ReadonlyArray<{ span: Span; message: string }>;
  readonly hint?: string;
}

export default defineRule({
  meta: {
    id: 'nginx-refuses-config',
    description: 'Reports what `nginx -t` would refuse in the configuration an nginx container loads, after its includes are resolved',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'Reads the configuration the nginx container loads (its nginx.conf, or the official image\'s, with every include expanded in the order nginx reads it) and reports what makes `nginx -t` fail, so nginx never starts: an `access_log` naming a `log_format` that is not defined before it (including one defined only in a file included later), two `upstream` blocks with one name, two `default_server` listens on one address and port, a directive in a context that does not allow it (`proxy_pass` in a server block, `log_format` in a location), an unknown directive that is a misspelling of a known one, an `include` of a file the container does not have, and a file that starts with a UTF-8 byte order mark.',
      why: 'nginx refuses the whole configuration for any of these: the container exits at start (or, on a reload, keeps running the old configuration while the deploy reports success). The mistakes hide across files: a `log_format` in `conf.d/logging.conf` is read after `conf.d/app.conf` (alphabetical order), and an editor adds the BOM that nginx reads as part of the first directive\'s name (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format, https://nginx.org/en/docs/beginners_guide.html#conf_structure).',
      notes: `Which directives exist and where each is allowed comes from nginx ${PROBED_NGINX_VERSION} itself (scripts/probe-nginx-directives.mjs); newer directives (\`http2 on\`, \`quic_*\`) are known but their contexts are not judged. An unknown name is reported only when it is one or two letters from a known directive and no \`load_module\` is in the configuration; other names may come from a module. Files no container includes, \`stream\`/\`mail\` blocks and values filled in by templates are not judged. A missing include is reported only for the official image without a Dockerfile and without a mount over the path. Tests check every verdict against the real \`nginx -t\`.`,
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) for (const r of refusals(proxy, stack.sources, where)) report(r);
  },
});

function refusals(proxy: ProxyService, sources: { get(path: string): { bom?: true; text: string } | undefined }, where: (span: Span) => string): Refusal[] {
  const via = (n: NginxNode) => (n.includedVia.length ? ` (read through the include at ${n.includedVia.map(where).join(' -> ')})` : '');
  const model = proxy.nginx;
  const loaded = new Set(model.files.filter((f) => f.role !== 'snippet').map((f) => f.path));
  const out: Refusal[] = [];
  const official = isOfficialImage(proxy);

  for (const path of loaded) {
    const file = sources.get(path);
    if (file?.bom && file.text.trim() !== '') {
      out.push({
        span: { file: path, start: 0, end: 0 },
        message: `${path} starts with a UTF-8 byte order mark: nginx reads it as part of the first directive's name and refuses the configuration (unknown directive)`,
        hint: 'save the file as UTF-8 without BOM',
      });
    }
  }

  const nodes: NginxNode[] = [];
  const visit = (n: NginxNode) => {
    nodes.push(n);
    if (!UNJUDGED_BLOCKS.has(n.directive.name)) n.children.forEach(visit);
  };
  model.roots.filter((n) => loaded.has(n.directive.span.file)).forEach(visit);
  const hasLoadModule = nodes.some((n) => n.directive.name === 'load_module');
  const known = Object.keys(NGINX_DIRECTIVE_CONTEXTS);

  // Read order: formats and upstream names count from the point nginx reads them.
  const formats = new Map<NginxNode | undefined, Map<string, Span | undefined>>();
  const formatsOf = (http: NginxNode | undefined) => {
    let f = formats.get(http);
    if (!f) {
      f = new Map((http === undefined && model.implicitMain ? (official ? OFFICIAL_MAIN_FORMATS : []) : ['combined']).map((n) => [n, undefined]));
      formats.set(http, f);
    }
    return f;
  };
  const laterFormats = new Map<string, NginxNode>();
  for (const n of nodes) if (n.directive.name === 'log_format' && n.directive.args[0]) laterFormats.set(n.directive.args[0].value, laterFormats.get(n.directive.args[0].value) ?? n);
  const upstreams = new Map<string, NginxNode>();
  const defaults = new Map<string, NginxNode>();

  for (const n of nodes) {
    const d = n.directive;
    if (hasTemplateValue(d.args.map((a) => a.raw).join(' ')) || hasTemplateValue(d.name)) continue;
    const context = probedContext(n);
    const allowed = NGINX_DIRECTIVE_CONTEXTS[d.name];
    if (context !== undefined) {
      if (allowed && !allowed.includes(context)) {
        out.push({
          span: d.nameSpan,
          message: `"${d.name}" is not allowed in ${describeContext(context)} (nginx allows it in ${[...new Set(allowed.map(describeContext))].join(', ')}): nginx -t refuses the configuration ("${d.name}" directive is not allowed here)${via(n)}`,
          hint: `move ${d.name} into ${describeContext(allowed[0]!)}`,
        });
        continue;
      }
      if (!allowed && !UNPROBED_DIRECTIVES.has(d.name) && !hasLoadModule && !d.name.includes('$')) {
        const near = closest(d.name, known);
        if (near !== undefined) {
          out.push({
            span: d.nameSpan,
            message: `nginx has no directive "${d.name}"; did you mean "${near}"? nginx -t refuses the configuration (unknown directive)${via(n)}`,
            hint: `rename it to ${near}`,
          });
          continue;
        }
      }
    }
    const http = enclosing(n, 'http');
    if (d.name === 'log_format' && d.args[0] && n.context === 'http') formatsOf(http).set(d.args[0].value, d.span);
    if (d.name === 'access_log' && d.args[1] && !d.args[1].value.includes('=') && d.args[0]?.value !== 'off') {
      const name = d.args[1].value;
      const defined = formatsOf(http);
      if (model.implicitMain && !official && http === undefined) continue;
      if (!defined.has(name)) {
        const later = laterFormats.get(name);
        out.push({
          span: d.args[1].span,
          message: later
            ? `access_log uses log_format "${name}", which nginx reads only later (${where(later.directive.span)}): formats must be defined before they are used, so nginx -t refuses the configuration (unknown log format "${name}")${via(n)}`
            : `access_log uses log_format "${name}", which is not defined${model.implicitMain ? ' (the image\'s nginx.conf defines "main")' : ''}: nginx -t refuses the configuration (unknown log format "${name}")${via(n)}`,
          ...(later ? { related: [{ span: later.directive.span, message: `log_format ${name}, read after the access_log` }] } : {}),
          hint: later ? `move log_format ${name} before the include that reads this file, e.g. into nginx.conf's http block` : `define log_format ${name} in http, or use "combined"`,
        });
      }
    }
    if (d.name === 'upstream' && d.block && d.args[0] && n.context === 'http') {
      const key = `${spanKeyOf(http)}|${d.args[0].value}`;
      const first = upstreams.get(key);
      if (first) {
        out.push({
          span: d.args[0].span,
          message: `upstream "${d.args[0].value}" is defined twice (first at ${where(first.directive.span)}): nginx -t refuses the configuration (duplicate upstream)${via(n)}`,
          related: [{ span: first.directive.args[0]!.span, message: `upstream ${d.args[0].value} first defined here` }],
          hint: 'rename one of them, or remove the copy (often a file both included and in conf.d)',
        });
      } else upstreams.set(key, n);
    }
    if (d.name === 'listen' && n.context === 'server' && d.args.some((a) => a.value === 'default_server' || a.value === 'default')) {
      const addr = listenAddress(d.args[0]?.value);
      if (addr === undefined) continue;
      const key = `${spanKeyOf(http)}|${addr}`;
      const first = defaults.get(key);
      if (first) {
        out.push({
          span: d.span,
          message: `a second default_server for ${addr} (the first is at ${where(first.directive.span)}): nginx -t refuses the configuration (a duplicate default server)${via(n)}`,
          related: [{ span: first.directive.span, message: `default_server for ${addr}` }],
          hint: 'keep default_server on one server block per address and port',
        });
      } else defaults.set(key, n);
    }
  }

  if (official && !proxy.image.dockerfile && !proxy.service.command && !proxy.service.entrypoint) {
    for (const span of model.unresolvedIncludes) {
      if (!loaded.has(span.file)) continue;
      const text = sources.get(span.file)?.text.slice(span.start, span.end).replace(/^["']|["']$/g, '') ?? '';
      const target = text.startsWith('/') ? text : `/etc/nginx/${text}`;
      if (hasTemplateValue(text) || OFFICIAL_IMAGE_FILES.has(target)) continue;
      // A mount over the path (a volume, a bind of a folder filled at run time) may hold it.
      if (proxy.service.volumes.some((v) => target === v.target || target.startsWith(`${v.target.replace(/\/$/, '')}/`) || v.type !== 'bind' && v.target === '/')) continue;
      out.push({
        span,
        message: `include ${text}: ${proxy.service.name} runs the stock nginx image, which has no ${target}, and no mount or COPY puts it there: nginx -t refuses the configuration (open() failed)`,
        hint: `mount the file at ${target}, or remove the include`,
      });
    }
  }
  return out;
}

function isOfficialImage(proxy: ProxyService): boolean {
  const image = proxy.service.image?.kind === 'known' ? proxy.service.image.value : undefined;
  if (proxy.image.dockerfile) return proxy.image.baseImage !== undefined && OFFICIAL_IMAGE.test(proxy.image.baseImage);
  return image !== undefined && OFFICIAL_IMAGE.test(image);
}

/** The context nginx checks a directive against, in the probe's terms; undefined where it is not judged. */
function probedContext(n: NginxNode): ProbedContext | undefined {
  for (let p = n.parent; p; p = p.parent) if (UNJUDGED_BLOCKS.has(p.directive.name)) return undefined;
  switch (n.context) {
    case 'main': case 'events': case 'http': case 'server': case 'location': case 'upstream': case 'limit_except':
      // `server` inside `upstream` is a plain directive and inside http a block: both are allowed, the table says so.
      return n.context;
    case 'if': {
      const outer = n.parent?.parent?.directive.name;
      return outer === 'server' ? 'server-if' : outer === 'location' ? 'location-if' : undefined;
    }
    default:
      return undefined;
  }
}

function describeContext(c: ProbedContext): string {
  switch (c) {
    case 'main': return 'the main context';
    case 'server-if': return 'an if in a server';
    case 'location-if': return 'an if in a location';
    default: return `${c === 'upstream' || c === 'events' ? 'an' : 'a'} ${c} block`.replace('a http', 'the http').replace('an events', 'the events');
  }
}

function enclosing(n: NginxNode, name: string): NginxNode | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.directive.name === name) return p;
  return undefined;
}

function spanKeyOf(n: NginxNode | undefined): string {
  return n ? `${n.directive.span.file}:${n.directive.span.start}` : '-';
}

/** `listen` in the form nginx compares addresses; undefined for names it would resolve, unix sockets and variables. */
function listenAddress(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.includes('$')) return undefined;
  let m = /^(\d+)$/.exec(raw) ?? /^\*:(\d+)$/.exec(raw) ?? /^0\.0\.0\.0:(\d+)$/.exec(raw);
  if (m) return `0.0.0.0:${m[1]}`;
  m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/.exec(raw);
  if (m) return `${m[1]}:${m[2]}`;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(raw)) return `${raw}:80`;
  m = /^\[([0-9a-fA-F:]+)\]:(\d+)$/.exec(raw);
  if (m) return `[${m[1]!.toLowerCase() === '::' ? '::' : m[1]!.toLowerCase()}]:${m[2]}`;
  return undefined;
}

/** `${NAME}`: filled in by a template renderer at start, so not what nginx reads. */
function hasTemplateValue(text: string): boolean {
  return /\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+][^}]*)?\}/.test(text);
}


export type { NginxModel };
