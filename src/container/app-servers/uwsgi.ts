import { posix } from 'node:path';
import { own } from '../../core/own.js';
import { known, unknown, type Span, type Value } from '../../core/value.js';
import type { SourceFile } from '../../core/source.js';
import { rangeOf } from '../../parsers/mapped-text.js';
import type { ShellWord } from '../../parsers/shell-words.js';
import { mapEntries, nodeSpan, parseYaml, scalarString, seqItems } from '../../parsers/yaml.js';
import type { LoadedFile, UnknownPart } from '../types.js';
import { afterEquals, containerPath, numberOf, portOfBind, type ServerCommand } from './argv.js';
import { hostFile, type AppServerReading, type ReadContext } from './reading.js';
import { absoluteDir } from './uvicorn.js';

/**
 * uWSGI (https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html, Options.html). Every option
 * can be given on the command line, in an ini/yaml file (`--ini F[:section]`, `--yaml F`, or a
 * positional `F.ini`/`F.yml`, read where it appears), or as a `UWSGI_<OPTION>` variable; variables
 * are read first, then the command line in order, so a later value of a single-valued option wins and
 * sockets add up. `socket`/`uwsgi-socket` speak the uwsgi protocol (unless `protocol` says otherwise),
 * `http-socket` HTTP, and `http` starts an HTTP router in front of the workers. Defaults: processes 1,
 * threads 1, listen 100, harakiri off (0); without keep-alive options uWSGI closes the connection
 * after each response.
 */

interface Entry {
  readonly name: string;
  readonly value: Value<string>;
}

const SHORT: Record<string, string> = {
  s: 'socket', p: 'processes', w: 'module', M: 'master', t: 'harakiri', l: 'listen', T: 'enable-threads', b: 'buffer-size',
  H: 'home', C: 'chmod-socket', z: 'socket-timeout', L: 'disable-logging', d: 'daemonize', i: 'single-interpreter', R: 'max-requests',
};
/** Options that take no argument. */
const FLAGS = new Set([
  'master', 'enable-threads', 'vacuum', 'die-on-term', 'lazy-apps', 'lazy', 'single-interpreter', 'need-app', 'strict', 'thunder-lock',
  'no-orphans', 'harakiri-verbose', 'disable-logging', 'memory-report', 'log-master', 'auto-procname', 'close-on-exec', 'no-default-app',
  'catch-exceptions', 'reload-on-exception', 'http-keepalive', 'offload-threads-auto', 'py-tracebacker-auto', 'honour-stdin', 'log-4xx', 'log-5xx',
  'ignore-sigpipe', 'ignore-write-errors', 'disable-write-exception', 'http-auto-chunked', 'enable-metrics', 'cheaper-busyness', 'version', 'help',
]);
/** Options whose values add up rather than replace. */
const LISTENERS: Record<string, 'uwsgi' | 'http' | 'router' | 'other'> = {
  socket: 'uwsgi', 'uwsgi-socket': 'uwsgi', 'http-socket': 'http', 'http11-socket': 'http', 'https-socket': 'http', http: 'router', https: 'router',
  'fastcgi-socket': 'other', 'scgi-socket': 'other', 'suwsgi-socket': 'other', 'ssl-socket': 'other',
};
const CONFIG_OPTIONS = new Set(['ini', 'yaml', 'yml', 'json', 'xml']);

function normalise(name: string): string {
  return name.replace(/_/g, '-').toLowerCase();
}

interface Collect {
  readonly ctx: ReadContext;
  readonly entries: Entry[];
  readonly files: LoadedFile[];
  readonly configFiles: Array<{ path: string; via: Span }>;
  readonly unknowns: UnknownPart[];
  /** Set once a source may set anything. */
  opaque?: { reason: string; span: Span };
  depth: number;
}

export function readUwsgi(server: ServerCommand, ctx: ReadContext): AppServerReading {
  const at = server.span;
  const c: Collect = { ctx, entries: [], files: [], configFiles: [], unknowns: [], depth: 0 };
  for (const [name, value] of ctx.process.environment) {
    if (!name.startsWith('UWSGI_') || name === 'UWSGI_ORIGINAL_PROC_NAME') continue;
    addEntry(c, normalise(name.slice(6)), value);
  }
  readArgv(c, server.argv.slice(1));
  return uwsgiFacts(server, c, at);
}

function addEntry(c: Collect, name: string, value: Value<string>): void {
  if (CONFIG_OPTIONS.has(name)) {
    loadConfig(c, name, value);
    return;
  }
  c.entries.push({ name, value });
}

function readArgv(c: Collect, args: readonly ShellWord[]): void {
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v.kind === 'unknown') {
      c.opaque ??= { reason: `the command line has a word that cannot be known: ${v.reason}`, span: v.span };
      continue;
    }
    const text = v.value;
    let name: string;
    let inline: Value<string> | undefined;
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      name = normalise(eq < 0 ? text.slice(2) : text.slice(2, eq));
      if (eq >= 0) inline = part(args[i]!, eq + 1);
    } else if (text.startsWith('-') && text.length > 1) {
      name = own(SHORT, text[1]!) ?? text.slice(1, 2);
      if (text.length > 2) inline = part(args[i]!, 2);
    } else {
      // `uwsgi app.ini`: a positional config file, its type told by its extension.
      const ext = /\.(ini|ya?ml|json|xml)(:[\w-]+)?$/.exec(text)?.[1];
      if (ext) loadConfig(c, ext === 'yml' ? 'yaml' : ext, v);
      continue;
    }
    let value: Value<string>;
    if (inline) value = inline;
    else if (FLAGS.has(name)) value = known('true', v.span);
    else {
      const next = args[i + 1]?.value;
      if (next && !(next.kind === 'known' && next.value.startsWith('-') && next.value.length > 1 && !/^-\d/.test(next.value))) {
        value = next;
        i++;
      } else value = known('true', v.span);
    }
    addEntry(c, name, value);
  }
}

function part(word: ShellWord, from: number): Value<string> {
  const r = rangeOf(word.text, from, word.text.text.length);
  return r.unknownReason !== undefined ? unknown(r.unknownReason, r.span) : known(word.text.text.slice(from), r.span, { via: r.via });
}

function loadConfig(c: Collect, type: string, spec: Value<string>): void {
  if (spec.kind === 'unknown') {
    c.opaque ??= { reason: `uWSGI reads a ${type} file that cannot be known: ${spec.reason}`, span: spec.span };
    return;
  }
  const m = /^(.*?)(?::([\w-]+))?$/.exec(spec.value)!;
  const file = m[1]!;
  const section = m[2] ?? 'uwsgi';
  if (/^[a-z]+:\/\//.test(file) || file === '-') {
    c.opaque ??= { reason: `uWSGI reads ${spec.value}, which is not a file`, span: spec.span };
    return;
  }
  const cp = containerPath(file, c.ctx.process.workingDir);
  const f = cp ? hostFile(c.ctx.fs, cp) : undefined;
  const src = f ? c.ctx.ws.read(f.hostPath) : undefined;
  if (!cp || !f || !src || c.depth > 8) {
    const reason = `uWSGI reads its settings from ${spec.value}, which is not in the container's filesystem as arena-lint sees it`;
    c.unknowns.push({ what: 'uWSGI config file', reason, span: spec.span });
    c.opaque ??= { reason, span: spec.span };
    return;
  }
  c.configFiles.push({ path: f.hostPath, via: spec.span });
  c.depth++;
  try {
    if (type === 'ini') readIni(c, src, section, cp);
    else if (type === 'yaml') readYaml(c, src, section, cp);
    else {
      c.files.push({ path: f.hostPath, problems: [], comments: [] });
      c.opaque ??= { reason: `${type} uWSGI configs are not read`, span: spec.span };
    }
  } finally {
    c.depth--;
  }
}

/** `%(option)` and `$(VAR)` placeholders, `%d`/`%n` magic variables; undefined reason when all resolve. */
function expand(c: Collect, raw: string, containerFile: string): { text: string } | { reason: string } {
  let reason: string | undefined;
  const text = raw.replace(/%\((\w[\w-]*)\)|\$\((\w+)\)|%([a-zA-Z])/g, (whole, opt: string | undefined, envName: string | undefined, magic: string | undefined) => {
    if (opt !== undefined) {
      const set = [...c.entries].reverse().find((e) => e.name === normalise(opt));
      const fromEnv = c.ctx.process.environment.get(`UWSGI_${opt.toUpperCase()}`);
      const v = set?.value ?? fromEnv;
      if (v?.kind === 'known') return v.value;
      reason ??= `the placeholder ${whole} cannot be known`;
      return whole;
    }
    if (envName !== undefined) {
      const v = c.ctx.process.environment.get(envName);
      if (v?.kind === 'known') return v.value;
      reason ??= v ? `$(${envName}) cannot be known: ${v.reason}` : `$(${envName}) is not set in the container's environment`;
      return whole;
    }
    if (magic === 'd') return `${posix.dirname(containerFile)}/`;
    if (magic === 'n') return posix.basename(containerFile).replace(/\.[^.]*$/, '');
    reason ??= `the magic variable ${whole} is not modelled`;
    return whole;
  });
  return reason ? { reason } : { text };
}

function valueAt(c: Collect, raw: string, span: Span, containerFile: string): Value<string> {
  const e = expand(c, raw, containerFile);
  return 'reason' in e ? unknown(e.reason, span) : known(e.text, span);
}

function readIni(c: Collect, src: SourceFile, section: string, containerFile: string): void {
  c.files.push({ path: src.path, problems: [], comments: [] });
  let current: string | undefined;
  let offset = 0;
  for (const line of src.text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]/.exec(t);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current !== section) continue;
    const eq = line.indexOf('=');
    const key = normalise((eq < 0 ? line : line.slice(0, eq)).trim());
    const rawValue = eq < 0 ? 'true' : line.slice(eq + 1).trim();
    const valueStart = eq < 0 ? start + line.indexOf(t) : start + eq + 1 + (line.slice(eq + 1).length - line.slice(eq + 1).trimStart().length);
    const span: Span = { file: src.path, start: valueStart, end: eq < 0 ? start + line.trimEnd().length : valueStart + rawValue.length };
    const value = valueAt(c, rawValue, span, containerFile);
    if (key.startsWith('if-') || key === 'endif' || key.startsWith('for') || key === 'endfor') {
      c.opaque ??= { reason: `the uWSGI logic option ${key} at ${src.path} is not evaluated`, span };
      continue;
    }
    addEntry(c, key, value);
  }
}

function readYaml(c: Collect, src: SourceFile, section: string, containerFile: string): void {
  const parsed = parseYaml(src);
  c.files.push({ path: src.path, problems: parsed.problems, comments: parsed.comments });
  const doc = parsed.doc;
  if (!doc) return;
  const top = mapEntries(doc, src.path, doc.contents).find((e) => e.key === section);
  if (!top) return;
  for (const e of mapEntries(doc, src.path, top.value)) {
    const key = normalise(e.key);
    const items = seqItems(doc, e.value);
    for (const node of items.length > 0 ? items : [e.value]) {
      const text = scalarString(node);
      const span = nodeSpan(src.path, node, nodeSpan(src.path, e.keyNode));
      addEntry(c, key, text === undefined ? unknown(`the value of ${e.key} is not a plain scalar`, span) : valueAt(c, text, span, containerFile));
    }
  }
}

function uwsgiFacts(server: ServerCommand, c: Collect, at: Span): AppServerReading {
  const { ctx } = c;
  const last = (name: string, ...aliases: string[]): Value<string> | undefined => {
    const e = [...c.entries].reverse().find((x) => x.name === name || aliases.includes(x.name));
    if (e) return e.value;
    return c.opaque ? unknown(c.opaque.reason, c.opaque.span) : undefined;
  };
  const num = (name: string, def: number, ...aliases: string[]): Value<number> => {
    const v = last(name, ...aliases);
    return v ? numberOf(v, name) : known(def, at, { isDefault: true });
  };
  const truthy = (name: string): boolean | undefined => {
    const v = last(name);
    if (!v) return false;
    if (v.kind === 'unknown') return undefined;
    return !['false', '0', 'no', 'off'].includes(v.value.toLowerCase());
  };

  const protocolOpt = last('protocol');
  const listener = c.entries.find((e) => own(LISTENERS, e.name) !== undefined);
  let bind: Value<string>;
  let listenProtocol: Value<'http' | 'uwsgi'>;
  if (!listener) {
    bind = c.opaque ? unknown(c.opaque.reason, c.opaque.span) : unknown('uWSGI is given no socket to listen on', at);
    listenProtocol = bind;
  } else {
    const v = listener.value;
    bind = v.kind === 'unknown' ? v : { ...v, value: v.value.startsWith(':') ? `0.0.0.0${v.value}` : v.value.startsWith('/') || v.value.startsWith('@') ? `unix:${v.value}` : v.value };
    const kind = own(LISTENERS, listener.name)!;
    if (kind === 'other') listenProtocol = unknown(`uWSGI's ${listener.name} speaks neither HTTP nor the uwsgi protocol`, v.span);
    else if (kind === 'uwsgi' && protocolOpt) listenProtocol = protocolOpt.kind === 'unknown' ? protocolOpt : protocolOpt.value === 'http' ? known('http', protocolOpt.span) : protocolOpt.value === 'uwsgi' ? known('uwsgi', protocolOpt.span) : unknown(`uWSGI's protocol ${protocolOpt.value} is neither HTTP nor uwsgi`, protocolOpt.span);
    else listenProtocol = known(kind === 'uwsgi' ? 'uwsgi' : 'http', v.span);
  }

  const threads = num('threads', 1);
  const gevent = last('gevent');
  const asyncCores = last('async');
  let workerClass: Value<string>;
  let threadsFact: Value<number> = threads;
  if (gevent) {
    workerClass = gevent.kind === 'unknown' ? gevent : known('gevent', gevent.span);
    threadsFact = unknown(`uWSGI's gevent loop serves up to ${gevent.kind === 'known' ? gevent.value : 'several'} requests per process on greenlets, not threads`, gevent.span);
  } else if (asyncCores) {
    workerClass = asyncCores.kind === 'unknown' ? asyncCores : known('async', asyncCores.span);
    threadsFact = unknown('uWSGI async cores are not threads', asyncCores.span);
  } else workerClass = threads.kind === 'known' ? known(threads.value > 1 ? 'threaded' : 'prefork', threads.span, threads.isDefault ? { isDefault: true } : {}) : threads as Value<never>;

  const harakiri = last('harakiri');
  let requestTimeout: Value<number>;
  let timeoutKills: Value<boolean>;
  const h = harakiri ? numberOf(harakiri, 'harakiri') : undefined;
  if (!h || (h.kind === 'known' && h.value === 0)) {
    requestTimeout = unknown('harakiri is off: uWSGI never ends a request for taking too long', h?.span ?? at);
    timeoutKills = known(false, h?.span ?? at, h ? {} : { isDefault: true });
  } else {
    requestTimeout = h;
    // harakiri kills the worker handling the request.
    timeoutKills = h.kind === 'known' ? known(true, h.span) : h;
  }

  const keepAliveOpt = truthy('http-keepalive');
  const http11 = listener?.name === 'http11-socket';
  let keepAlive: Value<number>;
  if (listenProtocol.kind === 'known' && listenProtocol.value === 'uwsgi') keepAlive = known(0, listener!.value.span, { isDefault: true });
  else if (keepAliveOpt === undefined || keepAliveOpt || http11) keepAlive = unknown('uWSGI keeps HTTP connections alive here, for a time bounded by its socket timeouts rather than a keep-alive setting', listener?.value.span ?? at);
  else keepAlive = known(0, listener?.value.span ?? at, { isDefault: true });

  const application = last('module', 'wsgi') ?? last('wsgi-file', 'file') ?? last('mount') ?? unknown('uWSGI is given no application (module, wsgi-file or mount)', at);
  const chdir = last('chdir');
  const appDir = chdir ? absoluteDir(chdir, ctx.process.workingDir) : ctx.process.workingDir;
  const pythonPath = c.entries.filter((e) => e.name === 'pythonpath' || e.name === 'python-path' || e.name === 'pp').flatMap((e) => (e.value.kind === 'known' ? [containerPath(e.value.value, appDir)].filter((x): x is string => x !== undefined) : []));
  const appEnv = new Map<string, Value<string>>();
  for (const e of c.entries) {
    if (e.name !== 'env' || e.value.kind !== 'known') continue;
    const eq = e.value.value.indexOf('=');
    if (eq > 0) appEnv.set(e.value.value.slice(0, eq), known(e.value.value.slice(eq + 1), afterEquals(e.value.span, e.value.value, eq)));
  }
  return {
    facts: {
      kind: 'uwsgi',
      bind,
      port: portOfBind(bind, undefined),
      listenProtocol,
      interface: known('wsgi', at, { isDefault: true }),
      processes: num('processes', 1, 'workers'),
      threads: threadsFact,
      workerClass,
      keepAliveSeconds: keepAlive,
      requestTimeoutSeconds: requestTimeout,
      timeoutKills,
      backlog: num('listen', 100),
      application,
      configFiles: c.configFiles,
    },
    files: c.files,
    unknowns: c.unknowns,
    appDir,
    pythonPath,
    appEnv,
  };
}
