import { posix } from 'node:path';
import { own } from '../../core/own.js';
import { known, unknown, type Known, type Span, type Value } from '../../core/value.js';
import { rangeOf } from '../../parsers/mapped-text.js';
import { splitShellWords, type ShellWord } from '../../parsers/shell-words.js';
import type { ServiceCommand } from '../../inputs/compose.js';
import type { AppServerKind, UnknownPart } from '../types.js';
import { afterEquals, containerPath, joinSpans, locateServer, numberOf, parseArgs, portOfBind, textOfValue, type OptionTable, type ParsedArgs, type ServerCommand } from './argv.js';
import { evaluateConfigFile, fromPython, hostFile, loaded, resolveContainerModule, SettingLayers, type AppServerReading, type ReadContext } from './reading.js';

/**
 * gunicorn, from every source of its settings, in gunicorn's own order of precedence
 * (https://docs.gunicorn.org/en/stable/configure.html, "Configuration Overview"): environment
 * variables for the settings that read one (WEB_CONCURRENCY for workers, PORT for bind), then the
 * config file (`-c FILE`, else `./gunicorn.conf.py` in the working directory), then
 * GUNICORN_CMD_ARGS, then the command line. When a config file is named both in GUNICORN_CMD_ARGS and
 * on the command line, only the command line's is read. Defaults are those of the settings reference
 * (https://docs.gunicorn.org/en/stable/settings.html): bind 127.0.0.1:8000, workers 1, threads 1,
 * worker_class sync, timeout 30, keepalive 2, backlog 2048, graceful_timeout 30.
 */

export type { AppServerKind };

export interface AppServerCommand {
  readonly kind: AppServerKind;
  /** The words of the simple command that starts the server (after `sh -c`, `exec`, env assignments). */
  readonly argv: readonly ShellWord[];
  readonly span: Span;
}

/**
 * gunicorn's settings as the command line sets them. Absent flags carry gunicorn's documented default
 * (https://docs.gunicorn.org/en/stable/settings.html) marked `isDefault`, with the command as their span,
 * because that is where a user would add the flag. With `-c FILE` or GUNICORN_CMD_ARGS the defaults are
 * unknown: the file may set them.
 * @deprecated The stack reads `AppServerFacts` (readAppServer) once it has moved over; kept until then.
 */
export interface GunicornOptions {
  readonly span: Span;
  readonly app?: Value<string>;
  readonly bind: readonly Value<string>[];
  readonly workers: Value<number>;
  readonly workerClass: Value<string>;
  readonly threads: Value<number>;
  readonly timeout: Value<number>;
  readonly gracefulTimeout: Value<number>;
  readonly keepAlive: Value<number>;
  readonly backlog: Value<number>;
  readonly maxRequests: Value<number>;
  readonly maxRequestsJitter: Value<number>;
  readonly workerConnections: Value<number>;
  readonly configFile?: Value<string>;
  /** Every option given, by its long name, for comparing replicas. */
  readonly given: ReadonlyMap<string, Value<string>>;
}

interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  readonly flag?: boolean;
}

// Options that take no value; every other option consumes one (gunicorn's argparse table).
const BOOLEAN_FLAGS = new Set([
  'preload', 'reload', 'daemon', 'capture-output', 'check-config', 'print-config', 'spew', 'enable-stdio-inheritance',
  'reuse-port', 'disable-redirect-access-to-syslog', 'strip-header-spaces', 'no-sendfile', 'proxy-protocol',
  'suppress-ragged-eofs', 'do-handshake-on-connect', 'log-syslog', 'statsd-prefix-flag', 'no-control-socket',
]);

const SHORT: Record<string, string> = {
  b: 'bind', w: 'workers', k: 'worker-class', t: 'timeout', c: 'config', e: 'env', n: 'name', p: 'pid',
  D: 'daemon', R: 'enable-stdio-inheritance', u: 'user', g: 'group', m: 'umask',
};

const SPECS: Record<string, OptionSpec> = Object.fromEntries(
  [...BOOLEAN_FLAGS].map((long) => [long, { long, flag: true }]),
);

/** Finds the app server a command starts, looking through `sh -c "..."`, `exec`, `python -m` and wrappers. */
export function findAppServer(cmd: ServiceCommand | undefined, entrypoint?: ServiceCommand): AppServerCommand | undefined {
  for (const c of [cmd, entrypoint]) {
    if (!c) continue;
    const found = locateServer(c.words);
    if (found) return { kind: found.kind, argv: found.argv, span: spanOfArgv(found) };
  }
  return undefined;
}

function spanOfArgv(found: ServerCommand): Span {
  const first = found.argv[0]!.value.span;
  const last = found.argv[found.argv.length - 1]!.value.span;
  return { file: first.file, start: first.start, end: Math.max(first.end, last.end) };
}

/** Reads gunicorn's options from its argv; `env` supplies GUNICORN_CMD_ARGS and WEB_CONCURRENCY when known. */
export function readGunicornOptions(server: AppServerCommand, env?: (name: string) => Value<string> | undefined): GunicornOptions {
  const given = new Map<string, Value<string>>();
  const binds: Value<string>[] = [];
  let app: Value<string> | undefined;
  const args = server.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const v = word.value;
    if (v.kind === 'unknown') continue;
    const text = v.value;
    let name: string | undefined;
    let inline: Value<string> | undefined;
    if (text.startsWith('--') && text.length > 2) {
      const eq = text.indexOf('=');
      name = eq < 0 ? text.slice(2) : text.slice(2, eq);
      if (eq >= 0) inline = partOf(word, eq + 1);
    } else if (text.startsWith('-') && text.length > 1 && text !== '-') {
      name = own(SHORT, text[1]!) ?? text.slice(1, 2);
      if (text.length > 2) inline = partOf(word, 2);
    } else {
      app ??= v;
      continue;
    }
    const spec = own(SPECS, name);
    let value: Value<string>;
    if (spec?.flag) value = known('true', v.span);
    else if (inline) value = inline;
    else {
      const next = args[i + 1];
      if (!next) break;
      value = next.value;
      i++;
    }
    if (name === 'bind') binds.push(value);
    given.set(name, value);
  }

  const configFile = given.get('config');
  const cmdArgs = env?.('GUNICORN_CMD_ARGS');
  const hidden = configFile ? `gunicorn reads more settings from ${configFile.kind === 'known' ? configFile.value : 'its -c file'}` : cmdArgs ? 'GUNICORN_CMD_ARGS may set it' : undefined;
  const fallback = <T>(value: T): Value<T> => (hidden ? unknown(hidden, server.span) : known(value, server.span, { isDefault: true }));
  const int = (key: string, def: number): Value<number> => {
    const g = given.get(key);
    if (!g) return fallback(def);
    if (g.kind === 'unknown') return g;
    const n = Number(g.value);
    return Number.isFinite(n) && g.value.trim() !== '' ? { ...g, value: n } : unknown(`--${key} is not a number: "${g.value}"`, g.span);
  };
  const str = (key: string, def: string): Value<string> => given.get(key) ?? fallback(def);

  // gunicorn's default for --workers is $WEB_CONCURRENCY when set, else 1.
  let workers = int('workers', 1);
  if (!given.has('workers')) {
    const wc = env?.('WEB_CONCURRENCY');
    if (wc?.kind === 'known' && Number.isFinite(Number(wc.value))) workers = known(Number(wc.value), wc.span, { via: wc.via });
    else if (wc?.kind === 'unknown') workers = wc;
  }
  const threads = int('threads', 1);
  let workerClass = str('worker-class', 'sync');
  // More than one thread turns the default sync worker into gthread (gunicorn docs, "threads").
  if (!given.has('worker-class') && threads.kind === 'known' && threads.value > 1 && workerClass.kind === 'known') {
    workerClass = known('gthread', workerClass.span, { isDefault: true });
  }
  return {
    span: server.span,
    app,
    bind: binds.length > 0 ? binds : [fallback('127.0.0.1:8000')],
    workers,
    workerClass,
    threads,
    timeout: int('timeout', 30),
    gracefulTimeout: int('graceful-timeout', 30),
    keepAlive: int('keep-alive', 2),
    backlog: int('backlog', 2048),
    maxRequests: int('max-requests', 0),
    maxRequestsJitter: int('max-requests-jitter', 0),
    workerConnections: int('worker-connections', 1000),
    configFile,
    given,
  };
}

function partOf(word: ShellWord, from: number): Value<string> {
  const r = rangeOf(word.text, from, word.text.text.length);
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, r.span);
  return known(word.text.text.slice(from), r.span, { via: r.via });
}

/** The TCP port of a bind address (`0.0.0.0:8000`, `:8000`, `[::]:8000`); undefined for unix sockets. */
export function bindPort(bind: Known<string>): number | undefined {
  if (bind.value.startsWith('unix:') || bind.value.startsWith('fd://')) return undefined;
  const m = /:(\d+)$/.exec(bind.value);
  if (m) return Number(m[1]);
  // A bare host binds gunicorn's default port.
  return /^[\w.-]+$/.test(bind.value) ? 8000 : undefined;
}

const ASGI_WORKERS = /uvicorn|asgi|daphne|hypercorn/i;

/** Whether a gunicorn tier serves WSGI (no websockets) or ASGI, from its worker class and app module. */
export function gunicornProtocol(opts: GunicornOptions): 'wsgi' | 'asgi' | undefined {
  if (opts.workerClass.kind !== 'known') return undefined;
  if (ASGI_WORKERS.test(opts.workerClass.value)) return 'asgi';
  if (opts.workerClass.value === 'aiohttp.GunicornWebWorker') return undefined;
  return 'wsgi';
}

// ---- every source of gunicorn's settings -> AppServerFacts -------------------------------------

export const GUNICORN_OPTIONS: OptionTable = { short: SHORT, flags: BOOLEAN_FLAGS };

/** Command-line spellings whose setting has another name. */
const CLI_TO_SETTING: Record<string, string> = { 'keep-alive': 'keepalive', env: 'raw_env' };
/** Settings that repeat (`-b a -b b`): a list, replaced as a whole by a later source. */
const LIST_SETTINGS = new Set(['bind', 'raw_env']);
/** The settings this reader uses, by their config-file names. */
const GUNICORN_SETTINGS = new Set([
  'bind', 'workers', 'threads', 'worker_class', 'timeout', 'graceful_timeout', 'keepalive', 'backlog', 'wsgi_app',
  'worker_connections', 'max_requests', 'max_requests_jitter', 'chdir', 'pythonpath', 'raw_env', 'config',
]);

/** Worker classes by their full import paths (`egg:gunicorn#name` is handled generally). */
const WORKER_PATHS: Record<string, string> = {
  'gunicorn.workers.sync.SyncWorker': 'sync',
  'gunicorn.workers.gthread.ThreadWorker': 'gthread',
  'gunicorn.workers.ggevent.GeventWorker': 'gevent',
  'gunicorn.workers.geventlet.EventletWorker': 'eventlet',
  'gunicorn.workers.gtornado.TornadoWorker': 'tornado',
};
/** Workers that serve many requests per process on greenlets or an event loop, up to worker_connections. */
const ASYNC_WORKERS = new Set(['gevent', 'eventlet', 'tornado']);

function settingOf(long: string): string {
  return own(CLI_TO_SETTING, long) ?? long.replace(/-/g, '_');
}

/** What one command-line-like source (the argv, GUNICORN_CMD_ARGS) sets, by setting name. */
function settingsFromArgs(parsed: ParsedArgs): Map<string, Value<unknown>> {
  const out = new Map<string, Value<unknown>>();
  const lists = new Map<string, Value<unknown>[]>();
  for (const o of parsed.options) {
    const s = settingOf(o.name);
    if (LIST_SETTINGS.has(s)) lists.set(s, [...(lists.get(s) ?? []), o.value]);
    else out.set(s, o.value);
  }
  for (const [s, items] of lists) out.set(s, known(items, items.map((i) => i.span).reduce(joinSpans)));
  return out;
}

function strOf(v: Value<unknown>, what: string): Value<string> {
  if (v.kind === 'unknown') return v;
  if (typeof v.value === 'string') return v as Known<string>;
  return unknown(`${what} is not a string: ${JSON.stringify(v.value)}`, v.span);
}

/** A list setting's items: gunicorn accepts a single string for a list (`bind = "0.0.0.0:8000"`). */
function listOf(v: Value<unknown>): Value<unknown>[] | Value<unknown> {
  if (v.kind === 'unknown') return v;
  if (Array.isArray(v.value)) return v.value as Value<unknown>[];
  if (typeof v.value === 'string') return [v];
  return unknown(`not a list of strings: ${JSON.stringify(v.value)}`, v.span);
}

function normaliseWorkerClass(v: Value<string>): Value<string> {
  if (v.kind === 'unknown') return v;
  const egg = /^egg:gunicorn#(.+)$/.exec(v.value);
  const name = egg ? egg[1]! : (own(WORKER_PATHS, v.value) ?? v.value);
  return name === v.value ? v : { ...v, value: name };
}

/** Reads gunicorn from its argv (found by `locateServer`), environment and config file. */
export function readGunicorn(server: ServerCommand, ctx: ReadContext): AppServerReading {
  const { process, fs } = ctx;
  const env = process.environment;
  const at = server.span;
  const unknowns: UnknownPart[] = [];
  const files: AppServerReading['files'][number][] = [];
  const configFiles: Array<{ path: string; via: Span }> = [];
  const layers = new SettingLayers();

  // 1. Environment variables that are gunicorn defaults.
  const wc = env.get('WEB_CONCURRENCY');
  if (wc) layers.set('workers', wc);
  const port = env.get('PORT');
  if (port) layers.set('bind', port.kind === 'known' ? known([known(`0.0.0.0:${port.value}`, port.span, port.via ? { via: port.via } : {})], port.span) : port);

  const cli = parseArgs(server.argv.slice(1), GUNICORN_OPTIONS);
  const cliSettings = settingsFromArgs(cli);
  const cmdArgs = env.get('GUNICORN_CMD_ARGS');
  let envSettings: Map<string, Value<unknown>> | undefined;
  let envUnreadable: string | undefined;
  if (cmdArgs?.kind === 'known') {
    const parsed = parseArgs(splitShellWords(textOfValue(cmdArgs)), GUNICORN_OPTIONS);
    envSettings = settingsFromArgs(parsed);
    if (parsed.unreadable.length > 0) envUnreadable = `GUNICORN_CMD_ARGS has words that cannot be known: ${(parsed.unreadable[0] as { reason?: string }).reason ?? ''}`;
  } else if (cmdArgs) envUnreadable = `GUNICORN_CMD_ARGS cannot be known: ${cmdArgs.reason}`;

  // 2. The config file: the command line's -c, else GUNICORN_CMD_ARGS's, else ./gunicorn.conf.py.
  const configArg = cliSettings.get('config') ?? envSettings?.get('config');
  if (envUnreadable && !configArg && cmdArgs) layers.setAll(`${envUnreadable}, and it may name a config file`, cmdArgs.span);
  readConfigFile(ctx, configArg, at, layers, files, configFiles, unknowns);

  // 3. GUNICORN_CMD_ARGS, 4. the command line.
  if (envUnreadable && cmdArgs) layers.setAll(envUnreadable, cmdArgs.span);
  for (const [k, v] of envSettings ?? []) if (k !== 'config') layers.set(k, v);
  layers.setCommandLine(cli.unreadable, [...cliSettings].filter(([k]) => k !== 'config'));

  return gunicornFacts(server, ctx, layers, cli, configFiles, files, unknowns);
}

function readConfigFile(
  ctx: ReadContext,
  configArg: Value<unknown> | undefined,
  at: Span,
  layers: SettingLayers,
  files: AppServerReading['files'][number][],
  configFiles: Array<{ path: string; via: Span }>,
  unknowns: UnknownPart[],
): void {
  const { process, fs } = ctx;
  let target: { hostPath: string; via: Span } | undefined;
  if (configArg) {
    const arg = strOf(configArg, '--config');
    if (arg.kind === 'unknown') {
      layers.setAll(`the config file gunicorn reads cannot be known: ${arg.reason}`, arg.span);
      return;
    }
    // gunicorn strips string settings (validate_string), so `"-c /etc/x.py"` as one word reads /etc/x.py.
    const spec = arg.value.trim();
    if (spec.startsWith('python:')) {
      const dirs = [process.workingDir.kind === 'known' ? process.workingDir.value : undefined, ...pythonPathOf(process)].filter((d): d is string => d !== undefined);
      const mod = resolveContainerModule(ctx, spec.slice('python:'.length), dirs);
      if (mod) target = { hostPath: mod.hostPath, via: arg.span };
    } else {
      const p = containerPath(spec.replace(/^file:/, ''), process.workingDir);
      const f = p ? hostFile(fs, p) : undefined;
      if (f) target = { hostPath: f.hostPath, via: arg.span };
    }
    if (!target) {
      const reason = `gunicorn reads its settings from ${spec}, which is not in the container's filesystem as arena-lint sees it`;
      unknowns.push({ what: 'gunicorn config file', reason, span: arg.span });
      layers.setAll(reason, arg.span);
      return;
    }
  } else {
    // gunicorn looks for gunicorn.conf.py in the directory it starts in (before --chdir applies).
    const p = containerPath('gunicorn.conf.py', process.workingDir);
    const state = p ? fs.state(p) : undefined;
    if (state?.kind === 'unknown') {
      const reason = `gunicorn reads ${p} when it exists, and arena-lint cannot see that folder: ${state.origin.kind === 'unknown' ? state.origin.reason : 'its content is not known'}`;
      unknowns.push({ what: 'gunicorn config file', reason, span: state.via });
      layers.setAll(reason, state.via);
      return;
    }
    const f = p ? hostFile(fs, p) : undefined;
    if (!f) return;
    target = { hostPath: f.hostPath, via: f.via };
  }
  const result = evaluateConfigFile(ctx, target.hostPath, [posix.dirname(target.hostPath) === '.' ? '' : posix.dirname(target.hostPath)]);
  files.push(loaded(result));
  configFiles.push({ path: target.hostPath, via: target.via });
  const text = ctx.ws.read(target.hostPath)?.text ?? '';
  if (result.unresolvedImports.length > 0 && /^\s*from\s+\S+\s+import\s+\*/m.test(text)) {
    layers.setAll(`${target.hostPath} star-imports a module that is not read, which may set any setting`, { file: target.hostPath, start: 0, end: 0 });
  }
  for (const [name, value] of result.names) if (GUNICORN_SETTINGS.has(name)) layers.set(name, fromPython(value));
}

function pythonPathOf(process: ReadContext['process']): string[] {
  const pp = process.environment.get('PYTHONPATH');
  return pp?.kind === 'known' ? pp.value.split(':').filter((d) => d.startsWith('/')) : [];
}

function gunicornFacts(
  server: ServerCommand,
  ctx: ReadContext,
  layers: SettingLayers,
  cli: ParsedArgs,
  configFiles: Array<{ path: string; via: Span }>,
  files: AppServerReading['files'][number][],
  unknowns: UnknownPart[],
): AppServerReading {
  const at = server.span;
  const { process } = ctx;
  const num = (name: string, def: number) => numberOf(layers.get(name, def, at), name);

  const bindList = listOf(layers.get('bind', ['127.0.0.1:8000'], at));
  let bind: Value<string>;
  if (!Array.isArray(bindList)) bind = bindList as Value<string>;
  else if (bindList.length === 0) bind = unknown('bind is an empty list', at);
  else {
    const first = bindList[0]!;
    // The default list is plain strings; given lists hold positioned values.
    const raw = first as Value<unknown> | string;
    bind = typeof raw === 'string' ? known(raw, at, { isDefault: true }) : strOf(raw, 'bind');
  }

  const threads = num('threads', 1);
  let workerClass = normaliseWorkerClass(strOf(layers.get('worker_class', 'sync', at), 'worker_class'));
  // "If you try to use the sync worker type and set the threads setting to more than 1, the gthread
  // worker type will be used instead" (settings reference, threads).
  if (workerClass.kind === 'known' && workerClass.value === 'sync' && threads.kind === 'known' && threads.value > 1) {
    workerClass = known('gthread', workerClass.span, { via: [threads.span], ...(workerClass.isDefault ? { isDefault: true } : {}) });
  } else if (workerClass.kind === 'known' && workerClass.value === 'sync' && threads.kind === 'unknown') {
    workerClass = unknown(`the sync worker becomes gthread when threads > 1, and threads cannot be known: ${threads.reason}`, threads.span);
  }
  const wcName = workerClass.kind === 'known' ? workerClass.value : undefined;
  const isAsgi = wcName !== undefined && /uvicorn|asgi|hypercorn/i.test(wcName);

  let threadsFact: Value<number>;
  if (wcName === undefined) threadsFact = workerClass.kind === 'unknown' ? unknown(`the worker class cannot be known: ${workerClass.reason}`, workerClass.span) : threads;
  else if (wcName === 'gthread') threadsFact = threads;
  else if (ASYNC_WORKERS.has(wcName)) {
    const wconn = num('worker_connections', 1000);
    threadsFact = unknown(`${wcName} workers serve up to worker_connections (${wconn.kind === 'known' ? wconn.value : 'unknown'}) requests each on greenlets, not threads`, workerClass.span);
  } else threadsFact = known(1, workerClass.span, { isDefault: true });

  let iface: Value<'wsgi' | 'asgi'>;
  if (workerClass.kind === 'unknown') iface = workerClass;
  else if (isAsgi) iface = known('asgi', workerClass.span);
  else if (wcName === 'aiohttp.GunicornWebWorker' || wcName === 'aiohttp.worker.GunicornWebWorker') iface = unknown('the aiohttp worker serves an aiohttp application, neither WSGI nor ASGI', workerClass.span);
  else iface = known('wsgi', workerClass.span, workerClass.isDefault ? { isDefault: true } : {});

  // "The sync worker does not support persistent connections and will ignore this option" (keepalive).
  const keepAliveSetting = num('keepalive', 2);
  let keepAlive: Value<number>;
  if (workerClass.kind === 'unknown') keepAlive = unknown(`keep-alive depends on the worker class, which cannot be known: ${workerClass.reason}`, workerClass.span);
  else if (wcName === 'sync') keepAlive = known(0, workerClass.span, { ...(keepAliveSetting.kind === 'known' && !keepAliveSetting.isDefault ? { via: [keepAliveSetting.span] } : {}), ...(workerClass.isDefault ? { isDefault: true } : {}) });
  else keepAlive = keepAliveSetting;

  // Workers silent for `timeout` seconds are killed: a sync worker is silent while it handles a
  // request, so the timeout ends the request; other workers heartbeat from their own loop or thread.
  const timeout = num('timeout', 30);
  let timeoutKills: Value<boolean>;
  if (workerClass.kind === 'unknown') timeoutKills = unknown(`depends on the worker class, which cannot be known: ${workerClass.reason}`, workerClass.span);
  else if (timeout.kind === 'known' && timeout.value === 0) timeoutKills = known(false, timeout.span);
  else timeoutKills = known(wcName === 'sync', workerClass.span, workerClass.isDefault ? { isDefault: true } : {});

  const positional = cli.positional[0];
  const wsgiApp = layers.given('wsgi_app');
  const application: Value<string> = positional ?? (wsgiApp ? strOf(wsgiApp, 'wsgi_app') : unknown('gunicorn is given no application (neither on its command line nor as wsgi_app)', at));

  const chdir = layers.given('chdir');
  const appDir = chdir ? mapDir(strOf(chdir, 'chdir'), process.workingDir) : process.workingDir;
  const pp = layers.given('pythonpath');
  const pythonPath = pp?.kind === 'known' && typeof pp.value === 'string' ? pp.value.split(',').map((d) => containerPath(d.trim(), appDir)).filter((d): d is string => d !== undefined) : [];
  const appEnv = new Map<string, Value<string>>();
  const rawEnv = layers.given('raw_env');
  const envItems = rawEnv ? listOf(rawEnv) : [];
  if (Array.isArray(envItems)) {
    for (const item of envItems) {
      if (item.kind !== 'known' || typeof item.value !== 'string') continue;
      const eq = item.value.indexOf('=');
      if (eq > 0) appEnv.set(item.value.slice(0, eq), known(item.value.slice(eq + 1), afterEquals(item.span, item.value, eq), item.via ? { via: item.via } : {}));
    }
  }

  return {
    facts: {
      kind: 'gunicorn',
      bind,
      port: portOfBind(bind, 8000),
      listenProtocol: known('http', bind.span, { isDefault: true }),
      interface: iface,
      processes: num('workers', 1),
      threads: threadsFact,
      workerClass,
      keepAliveSeconds: keepAlive,
      requestTimeoutSeconds: timeout,
      timeoutKills,
      backlog: num('backlog', 2048),
      application,
      configFiles,
    },
    files,
    unknowns,
    appDir,
    pythonPath,
    appEnv,
  };
}

function mapDir(dir: Value<string>, workingDir: Value<string>): Value<string> {
  if (dir.kind === 'unknown') return dir;
  const p = containerPath(dir.value, workingDir);
  return p ? { ...dir, value: p } : unknown(`${dir.value} is relative to a working directory that cannot be known`, dir.span);
}
