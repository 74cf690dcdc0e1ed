import { known, unknown, type Span, type Value } from '../../core/value.js';
import { numberOf, parseArgs, portOfBind, type OptionTable, type ServerCommand } from './argv.js';
import { SettingLayers, type AppServerReading, type ReadContext } from './reading.js';

/**
 * uvicorn (https://www.uvicorn.org/settings/): `--host` (127.0.0.1), `--port` (8000), `--uds`, `--fd`,
 * `--workers` (default $WEB_CONCURRENCY, else 1), `--timeout-keep-alive` (5), `--backlog` (2048),
 * `--interface` (auto: ASGI 2 or 3; `wsgi` only when asked), `--reload` (one process). Every option
 * may also come from a `UVICORN_<NAME>` variable; the command line takes precedence over it.
 * uvicorn has no request timeout.
 */
const FLAGS = new Set([
  'reload', 'factory', 'proxy-headers', 'no-proxy-headers', 'server-header', 'no-server-header', 'date-header', 'no-date-header',
  'use-colors', 'no-use-colors', 'access-log', 'no-access-log', 'lifespan-on', 'reset-contextvars', 'version', 'help', 'h11-max-incomplete-event-size-flag',
]);
export const UVICORN_OPTIONS: OptionTable = { short: {}, flags: FLAGS };

const SETTINGS = ['host', 'port', 'uds', 'fd', 'workers', 'timeout-keep-alive', 'backlog', 'interface', 'reload', 'app-dir', 'loop'];

export function readUvicorn(server: ServerCommand, ctx: ReadContext): AppServerReading {
  const at = server.span;
  const env = ctx.process.environment;
  const layers = new SettingLayers();
  const wc = env.get('WEB_CONCURRENCY');
  if (wc) layers.set('workers', wc);
  for (const name of SETTINGS) {
    const v = env.get(`UVICORN_${name.toUpperCase().replace(/-/g, '_')}`);
    if (v) layers.set(name, v);
  }
  const cli = parseArgs(server.argv.slice(1), UVICORN_OPTIONS);
  layers.setCommandLine(cli.unreadable, cli.options.map((o) => [o.name, o.value] as const));

  const str = (name: string, def: string) => layers.get(name, def, at) as Value<string>;
  const uds = layers.given('uds');
  const fd = layers.given('fd');
  let bind: Value<string>;
  let port: Value<number>;
  if (uds) {
    bind = uds.kind === 'known' ? { ...(uds as Value<string> & { kind: 'known' }), value: `unix:${String(uds.value)}` } : uds;
    port = portOfBind(bind, 8000);
  } else if (fd) {
    bind = fd.kind === 'known' ? known(`fd://${String(fd.value)}`, fd.span) : fd;
    port = portOfBind(bind, 8000);
  } else {
    const host = str('host', '127.0.0.1');
    port = numberOf(layers.get('port', 8000, at), 'port');
    bind = hostPort(host, port);
  }
  const reload = layers.given('reload');
  const workers = reload?.kind === 'known' && reload.value !== 'false' ? known(1, reload.span) : numberOf(layers.get('workers', 1, at), 'workers');
  const iface = str('interface', 'auto');
  const protocol: Value<'wsgi' | 'asgi'> = iface.kind === 'unknown' ? iface : known(iface.value === 'wsgi' ? 'wsgi' : 'asgi', iface.span, iface.isDefault ? { isDefault: true } : {});
  const application = cli.positional[0] ?? unknown('uvicorn is given no application', at);
  const appDirOpt = layers.given('app-dir');
  return {
    facts: {
      kind: 'uvicorn',
      bind,
      port,
      listenProtocol: known('http', at, { isDefault: true }),
      interface: protocol,
      processes: workers,
      // One event loop per process; Django runs sync code on asgiref's one thread per process.
      threads: known(1, at, { isDefault: true }),
      workerClass: known('uvicorn', at, { isDefault: true }),
      keepAliveSeconds: numberOf(layers.get('timeout-keep-alive', 5, at), 'timeout-keep-alive'),
      requestTimeoutSeconds: unknown('uvicorn has no request timeout', at),
      timeoutKills: known(false, at, { isDefault: true }),
      backlog: numberOf(layers.get('backlog', 2048, at), 'backlog'),
      application,
      configFiles: [],
    },
    files: [],
    unknowns: [],
    appDir: appDirOpt?.kind === 'known' && typeof appDirOpt.value === 'string' ? absoluteDir(appDirOpt as Value<string>, ctx.process.workingDir) : ctx.process.workingDir,
    pythonPath: [],
    appEnv: new Map(),
  };
}

export function hostPort(host: Value<string>, port: Value<number>): Value<string> {
  if (host.kind === 'unknown') return host;
  if (port.kind === 'unknown') return unknown(`the port cannot be known: ${port.reason}`, port.span);
  const h = host.value.includes(':') && !host.value.startsWith('[') ? `[${host.value}]` : host.value;
  const span: Span = host.isDefault && !port.isDefault ? port.span : host.span;
  return known(`${h}:${port.value}`, span, { ...(host.isDefault && port.isDefault ? { isDefault: true } : {}), via: [host.span, port.span].filter((s) => s !== span) });
}

export function absoluteDir(dir: Value<string>, workingDir: Value<string>): Value<string> {
  if (dir.kind === 'unknown' || dir.value.startsWith('/')) return dir;
  if (workingDir.kind !== 'known') return unknown(`${dir.value} is relative to a working directory that cannot be known`, dir.span);
  const base = workingDir.value.replace(/\/$/, '');
  return { ...dir, value: dir.value === '.' ? base || '/' : `${base}/${dir.value.replace(/^\.\//, '')}` };
}
