import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import { rangeOf } from '../parsers/mapped-text.js';
import { simpleCommands, splitShellWords, type ShellWord } from '../parsers/shell-words.js';
import type { ServiceCommand } from '../inputs/compose.js';
import { own } from '../core/own.js';

/** Which program serves HTTP in a service, read from its command. */
export type AppServerKind = 'gunicorn' | 'uvicorn' | 'daphne' | 'uwsgi';

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

const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;
const RUNNERS = new Set(['exec', 'poetry', 'pipenv', 'uv', 'run', 'nice', 'tini', '--', 'dumb-init', 'gosu', 'su-exec', 'newrelic-admin', 'run-program', 'ddtrace-run', 'opentelemetry-instrument']);

/** Finds the app server a command starts, looking through `sh -c "..."`, `exec`, `python -m` and wrappers. */
export function findAppServer(cmd: ServiceCommand | undefined, entrypoint?: ServiceCommand): AppServerCommand | undefined {
  for (const c of [cmd, entrypoint]) {
    if (!c) continue;
    const found = searchWords(c.words, 0);
    if (found) return found;
  }
  return undefined;
}

function searchWords(words: readonly ShellWord[], depth: number): AppServerCommand | undefined {
  if (depth > 3) return undefined;
  for (const simple of simpleCommands(words)) {
    let i = 0;
    const at = (k: number) => (simple[k]?.value.kind === 'known' ? simple[k]!.value.value as string : undefined);
    while (i < simple.length) {
      const w = at(i);
      if (w === undefined) break;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || RUNNERS.has(w)) {
        i++;
        continue;
      }
      if (SHELLS.test(w)) {
        const c = simple.findIndex((x, k) => k > i && x.value.kind === 'known' && /^-[a-z]*c[a-z]*$/.test(x.value.value));
        const script = c >= 0 ? simple[c + 1] : undefined;
        if (script) return searchWords(splitShellWords(script.text), depth + 1);
        break;
      }
      if (/(^|\/)python[0-9.]*$/.test(w) && at(i + 1) === '-m') {
        i += 2;
        continue;
      }
      const base = w.split('/').pop()!;
      const kind = base === 'gunicorn' ? 'gunicorn' : base === 'uvicorn' ? 'uvicorn' : base === 'daphne' ? 'daphne' : base === 'uwsgi' ? 'uwsgi' : undefined;
      if (!kind) break;
      const argv = simple.slice(i);
      const first = argv[0]!.value.span;
      const last = argv[argv.length - 1]!.value.span;
      return { kind, argv, span: { file: first.file, start: first.start, end: Math.max(first.end, last.end) } };
    }
  }
  return undefined;
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
