import { known, unknown, type Value } from '../../core/value.js';
import { numberOf, parseArgs, portOfBind, type OptionTable, type ServerCommand } from './argv.js';
import { type AppServerReading, type ReadContext } from './reading.js';
import { hostPort } from './uvicorn.js';

/**
 * daphne (https://github.com/django/daphne, `daphne -h`): `-b/--bind HOST`, `-p/--port PORT`,
 * `-u/--unix-socket`, `--fd`, `-e/--endpoint` (Twisted endpoint strings), `-t/--http-timeout`
 * (no default: requests wait for the application; when set, daphne answers 503, the application is
 * not killed). With no binding option daphne listens on 127.0.0.1:8000; a host alone gets port 8000,
 * a port alone host 127.0.0.1 (daphne/cli.py). One process: daphne has no workers.
 */
const FLAGS = new Set(['proxy-headers', 'no-server-name', 'help', 'version', 's']);
export const DAPHNE_OPTIONS: OptionTable = {
  short: { b: 'bind', p: 'port', u: 'unix-socket', e: 'endpoint', t: 'http-timeout', v: 'verbosity', s: 'server-name' },
  flags: FLAGS,
};

export function readDaphne(server: ServerCommand, ctx: ReadContext): AppServerReading {
  const at = server.span;
  const cli = parseArgs(server.argv.slice(1), DAPHNE_OPTIONS);
  const get = (name: string) => [...cli.options].reverse().find((o) => o.name === name)?.value;
  const host = get('bind');
  const portOpt = get('port');
  const uds = get('unix-socket');
  const fd = get('fd');
  const endpoint = get('endpoint');
  let bind: Value<string>;
  let port: Value<number>;
  const unreadable = cli.unreadable[0];
  if (unreadable) {
    bind = unknown(`the command line has a word that cannot be known: ${unreadable.kind === 'unknown' ? unreadable.reason : ''}`, unreadable.span);
    port = bind;
  } else if (uds) {
    bind = uds.kind === 'known' ? { ...uds, value: `unix:${uds.value}` } : uds;
    port = portOfBind(bind, 8000);
  } else if (fd) {
    bind = fd.kind === 'known' ? known(`fd://${fd.value}`, fd.span) : fd;
    port = portOfBind(bind, 8000);
  } else if (endpoint && !host && !portOpt) {
    bind = endpointBind(endpoint);
    port = portOfBind(bind, 8000);
  } else {
    const h: Value<string> = host ?? known('127.0.0.1', at, { isDefault: true });
    port = portOpt ? numberOf(portOpt, '--port') : known(8000, at, { isDefault: true });
    bind = hostPort(h, port);
  }
  const timeout = get('http-timeout');
  return {
    facts: {
      kind: 'daphne',
      bind,
      port,
      listenProtocol: known('http', at, { isDefault: true }),
      interface: known('asgi', at, { isDefault: true }),
      processes: known(1, at, { isDefault: true }),
      threads: known(1, at, { isDefault: true }),
      workerClass: known('twisted', at, { isDefault: true }),
      keepAliveSeconds: unknown('daphne has no keep-alive setting: Twisted keeps idle connections by its own timeout', at),
      requestTimeoutSeconds: timeout ? numberOf(timeout, '--http-timeout') : unknown('daphne sets no HTTP timeout unless --http-timeout is given', at),
      timeoutKills: known(false, timeout?.span ?? at, timeout ? {} : { isDefault: true }),
      backlog: unknown('daphne does not set a listen backlog: Twisted\'s applies', at),
      application: cli.positional[cli.positional.length - 1] ?? unknown('daphne is given no application', at),
      configFiles: [],
    },
    files: [],
    unknowns: [],
    appDir: ctx.process.workingDir,
    pythonPath: [],
    appEnv: new Map(),
  };
}

/** `tcp:8000`, `tcp:port=8000:interface=0.0.0.0`, `unix:/run/daphne.sock`. */
function endpointBind(e: Value<string>): Value<string> {
  if (e.kind === 'unknown') return e;
  const parts = e.value.split(':');
  if (parts[0] === 'unix') return { ...e, value: `unix:${(parts[1] ?? '').replace(/^path=/, '')}` };
  if (parts[0] !== 'tcp') return unknown(`the endpoint ${e.value} is not a plain TCP or unix one`, e.span);
  let port: string | undefined;
  let iface = '0.0.0.0';
  for (const p of parts.slice(1)) {
    if (/^\d+$/.test(p)) port = p;
    else if (p.startsWith('port=')) port = p.slice(5);
    else if (p.startsWith('interface=')) iface = p.slice(10);
  }
  return port ? { ...e, value: `${iface}:${port}` } : unknown(`the endpoint ${e.value} names no port`, e.span);
}
