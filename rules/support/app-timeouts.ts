import type { Known, Span } from '../../src/core/value.js';
import type { ComposeService } from '../../src/inputs/compose.js';
import type { Stack } from '../../src/stack/stack.js';

/**
 * The timeouts of the app server in a service, in the shape of the container model's `AppServerFacts`
 * (`keepAliveSeconds`, `requestTimeoutSeconds`, `timeoutKills`), so the timeout rules read one shape
 * whichever server runs. Today's model knows gunicorn's command line; uvicorn, daphne and uWSGI come
 * with the app-server facts of the container view, and this is the one place to read them from.
 */
export interface AppTimeouts {
  readonly server: string;
  /** How the setting is spelled where a user changes it (`--keep-alive`). */
  readonly keepAliveFlag: string;
  /** Undefined when the server keeps no idle connections (gunicorn sync workers close after each response). */
  readonly keepAlive?: Known<number>;
  readonly timeoutFlag: string;
  readonly requestTimeout?: Known<number>;
  /**
   * True when the timeout ends a request that runs longer (gunicorn sync: the arbiter kills the worker);
   * false when it is only a heartbeat (gthread and async workers keep notifying while a request runs).
   */
  readonly timeoutKills?: boolean;
  /** The worker class, as gunicorn names it, for messages. */
  readonly workerClass?: Known<string>;
}

/** Where each app server's keep-alive and request timeout are set, as its docs spell them. */
const FLAGS: Readonly<Record<string, { keepAlive: string; timeout: string }>> = {
  uvicorn: { keepAlive: '--timeout-keep-alive', timeout: '(none)' },
  daphne: { keepAlive: '(none)', timeout: '--http-timeout' },
  uwsgi: { keepAlive: 'http-keepalive', timeout: 'harakiri' },
  granian: { keepAlive: '--http1-keep-alive', timeout: '(none)' },
};

export function appTimeouts(stack: Stack, service: ComposeService): AppTimeouts | undefined {
  const app = stack.app(service);
  const g = app?.gunicorn;
  if (!g && app?.facts && app.facts.kind !== 'gunicorn') {
    // uvicorn, daphne, uWSGI, granian: what the container view read from every settings source.
    const f = app.facts;
    const flags = FLAGS[f.kind]!;
    const keepAlive = f.keepAliveSeconds.kind === 'known' && f.keepAliveSeconds.value > 0 ? f.keepAliveSeconds : undefined;
    return {
      server: f.kind,
      keepAliveFlag: flags.keepAlive,
      ...(keepAlive ? { keepAlive } : {}),
      timeoutFlag: flags.timeout,
      ...(f.requestTimeoutSeconds.kind === 'known' ? { requestTimeout: f.requestTimeoutSeconds } : {}),
      ...(f.timeoutKills.kind === 'known' ? { timeoutKills: f.timeoutKills.value } : {}),
      ...(f.workerClass.kind === 'known' ? { workerClass: f.workerClass } : {}),
    };
  }
  if (!g) return undefined;
  const workerClass = g.workerClass.kind === 'known' ? g.workerClass : undefined;
  const sync = workerClass?.value === 'sync';
  return {
    server: 'gunicorn',
    keepAliveFlag: '--keep-alive',
    ...(workerClass && !sync && g.keepAlive.kind === 'known' ? { keepAlive: g.keepAlive } : {}),
    timeoutFlag: '--timeout',
    ...(g.timeout.kind === 'known' ? { requestTimeout: g.timeout } : {}),
    ...(workerClass ? { timeoutKills: sync, workerClass } : {}),
  };
}

/** `--keep-alive 2 (default)`: a setting as the user would look for it. */
export function describeSetting(flag: string, v: Known<number>): string {
  return `${flag} ${v.value}s${v.isDefault ? ' (default)' : ''}`;
}

export type { Span };

/** What one listening socket of an app server speaks. */
export interface AppListener {
  /** Undefined when the socket's port cannot be told (a unix socket, a default the server picks). */
  readonly port?: number;
  readonly protocol: 'http' | 'https' | 'uwsgi';
  /** The words that make it so (`--socket :9000`, `--certfile`), or the command for a default. */
  readonly span: Span;
  readonly how: string;
}

/**
 * The sockets the app server in a service listens on and the protocol of each, read from its command
 * line; undefined when a config file or an option arena-lint does not read may change them. The
 * container model's `AppServerFacts.listenProtocol` replaces this once the stack carries it.
 */
export function appListeners(stack: Stack, service: ComposeService): AppListener[] | undefined {
  const app = stack.app(service);
  if (!app) return undefined;
  const words = app.server.argv.map((w) => w.value);
  if (words.some((w) => w.kind === 'unknown')) return undefined;
  const text = words.map((w) => (w.kind === 'known' ? w.value : ''));
  const spanAt = (i: number) => (words[i]?.kind === 'known' ? words[i]!.span : app.server.span);
  const portOf = (addr: string | undefined) => {
    const m = addr === undefined ? undefined : /:(\d+)$/.exec(addr);
    return m ? Number(m[1]) : undefined;
  };
  switch (app.server.kind) {
    case 'gunicorn': {
      const g = app.gunicorn;
      if (!g || g.configFile || g.bind.some((b) => b.kind === 'unknown')) return undefined;
      const tls = g.given.get('certfile');
      return g.bind.map((b) => ({
        ...(b.kind === 'known' && portOf(b.value) !== undefined ? { port: portOf(b.value)! } : b.kind === 'known' && !b.value.startsWith('unix:') ? { port: 8000 } : {}),
        protocol: tls ? 'https' as const : 'http' as const,
        span: tls?.span ?? b.span,
        how: tls ? 'gunicorn --certfile' : `gunicorn --bind ${b.kind === 'known' ? b.value : ''}${b.kind === 'known' && b.isDefault ? ' (default)' : ''}, no --certfile`,
      }));
    }
    case 'uvicorn':
    case 'daphne': {
      if (text.some((w) => /^(-e|--endpoint|--fd|--uds|-u|--config)(=|$)/.test(w))) return undefined;
      const tls = text.findIndex((w) => /^--ssl-(certfile|keyfile)(=|$)/.test(w));
      const p = text.findIndex((w) => /^(--port|-p)(=|$)/.test(w));
      const portWord = p < 0 ? undefined : text[p]!.includes('=') ? text[p]!.split('=')[1] : text[p + 1];
      const port = portWord === undefined ? 8000 : /^\d+$/.test(portWord) ? Number(portWord) : undefined;
      if (port === undefined) return undefined;
      return [{ port, protocol: tls >= 0 ? 'https' : 'http', span: tls >= 0 ? spanAt(tls) : p >= 0 ? spanAt(p) : app.server.span, how: `${app.server.kind} on port ${port}${tls >= 0 ? ' with --ssl-*' : ', no TLS options'}` }];
    }
    case 'uwsgi': {
      const out: AppListener[] = [];
      for (let i = 1; i < text.length; i++) {
        const m = /^(--socket|-s|--uwsgi-socket|--http-socket|--http|--https|--ini|--yaml|--json|--xml)(?:=(.*))?$/.exec(text[i]!);
        if (!m) {
          if (/\.(ini|ya?ml|json|xml)$/.test(text[i]!)) return undefined;
          continue;
        }
        const flag = m[1]!;
        if (/^--(ini|yaml|json|xml)$/.test(flag)) return undefined;
        const value = m[2] ?? text[i + 1];
        const protocol = flag === '--https' ? 'https' : flag.startsWith('--http') ? 'http' : 'uwsgi';
        const port = portOf(value?.split(',')[0]);
        out.push({ ...(port !== undefined ? { port } : {}), protocol, span: spanAt(i), how: `uwsgi ${flag} ${value ?? ''}`.trim() });
      }
      return out.length ? out : undefined;
    }
    default:
      return undefined;
  }
}
