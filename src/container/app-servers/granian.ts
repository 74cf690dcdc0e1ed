import { known, unknown, type Value } from '../../core/value.js';
import { numberOf, parseArgs, portOfBind, type OptionTable, type ServerCommand } from './argv.js';
import { SettingLayers, type AppServerReading, type ReadContext } from './reading.js';
import { absoluteDir, hostPort } from './uvicorn.js';

/**
 * granian (https://github.com/emmett-framework/granian, `granian --help`): `--host` (127.0.0.1),
 * `--port` (8000), `--uds`, `--interface` (asgi, asginl, rsgi, wsgi; default rsgi), `--workers` (1),
 * `--blocking-threads` (per worker; only WSGI uses more than one, granian picks the default itself),
 * `--backlog` (1024), `--http1-keep-alive/--no-http1-keep-alive` (on, no idle timeout documented).
 * Every option may come from `GRANIAN_<NAME>`; the command line wins. `--threads` of releases before
 * 1.0 set Rust runtime threads, not Python ones. granian has no request timeout.
 */
const FLAGS = new Set(['ws', 'reload', 'log', 'access-log', 'factory', 'respawn-failed-workers', 'http1-keep-alive', 'http1-pipeline-flush', 'http2-adaptive-window', 'reload-ignore-worker-failure', 'version', 'help', 'opt', 'no-opt']);
export const GRANIAN_OPTIONS: OptionTable = { short: {}, flags: FLAGS, negatable: true };
const SETTINGS = ['host', 'port', 'uds', 'interface', 'workers', 'blocking-threads', 'backlog', 'http1-keep-alive', 'working-dir', 'reload'];

export function readGranian(server: ServerCommand, ctx: ReadContext): AppServerReading {
  const at = server.span;
  const env = ctx.process.environment;
  const layers = new SettingLayers();
  for (const name of SETTINGS) {
    const v = env.get(`GRANIAN_${name.toUpperCase().replace(/-/g, '_')}`);
    if (v) layers.set(name, v);
  }
  const cli = parseArgs(server.argv.slice(1), GRANIAN_OPTIONS);
  layers.setCommandLine(cli.unreadable, cli.options.map((o) => [o.name, o.value] as const));
  const uds = layers.given('uds');
  let bind: Value<string>;
  let port: Value<number>;
  if (uds) {
    bind = uds.kind === 'known' ? known(`unix:${String(uds.value)}`, uds.span) : uds;
    port = portOfBind(bind, 8000);
  } else {
    port = numberOf(layers.get('port', 8000, at), 'port');
    bind = hostPort(layers.get('host', '127.0.0.1', at) as Value<string>, port);
  }
  const ifaceSetting = layers.get('interface', 'rsgi', at) as Value<string>;
  let iface: Value<'wsgi' | 'asgi'>;
  if (ifaceSetting.kind === 'unknown') iface = ifaceSetting;
  else if (ifaceSetting.value === 'wsgi') iface = known('wsgi', ifaceSetting.span);
  else if (ifaceSetting.value === 'asgi' || ifaceSetting.value === 'asginl') iface = known('asgi', ifaceSetting.span);
  else iface = unknown(`granian serves the ${ifaceSetting.value.toUpperCase()} interface${ifaceSetting.isDefault ? ' (its default; Django needs --interface wsgi or asgi)' : ''}, neither WSGI nor ASGI`, ifaceSetting.span);
  let threads: Value<number>;
  const bt = layers.given('blocking-threads');
  if (iface.kind === 'known' && iface.value === 'asgi') threads = known(1, iface.span, { isDefault: true });
  else if (bt) threads = numberOf(bt, 'blocking-threads');
  else threads = unknown('granian chooses the number of blocking threads itself when --blocking-threads is not given', at);
  const ka = layers.given('http1-keep-alive');
  const keepAlive = ka?.kind === 'known' && ka.value === 'false' ? known(0, ka.span) : unknown('granian documents no idle timeout for HTTP/1 keep-alive connections', ka?.span ?? at);
  const wd = layers.given('working-dir');
  return {
    facts: {
      kind: 'granian',
      bind,
      port,
      listenProtocol: known('http', at, { isDefault: true }),
      interface: iface,
      processes: numberOf(layers.get('workers', 1, at), 'workers'),
      threads,
      workerClass: known(`granian-${ifaceSetting.kind === 'known' ? ifaceSetting.value : 'unknown'}`, ifaceSetting.span, ifaceSetting.kind === 'known' && ifaceSetting.isDefault ? { isDefault: true } : {}),
      keepAliveSeconds: keepAlive,
      requestTimeoutSeconds: unknown('granian has no request timeout', at),
      timeoutKills: known(false, at, { isDefault: true }),
      backlog: numberOf(layers.get('backlog', 1024, at), 'backlog'),
      application: cli.positional[0] ?? unknown('granian is given no application', at),
      configFiles: [],
    },
    files: [],
    unknowns: [],
    appDir: wd?.kind === 'known' && typeof wd.value === 'string' ? absoluteDir(wd as Value<string>, ctx.process.workingDir) : ctx.process.workingDir,
    pythonPath: [],
    appEnv: new Map(),
  };
}
