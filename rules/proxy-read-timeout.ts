import type { Known, Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import type { NginxLocation, NginxNode, ProxyPass } from '../src/inputs/nginx.js';
import { inheritedSetting } from './support/nginx-inherit.js';
import { defineRule } from '../src/engine/rule.js';
import { groupBy, spanKey } from '../src/stack/data-tier.js';
import { formatMillis, parseNginxTime } from '../src/facts/timeouts.js';
import { listNames, passTargets } from '../src/stack/topology.js';
import type { Stack } from '../src/stack/stack.js';
import { appTimeouts, type AppTimeouts } from './support/app-timeouts.js';

/** nginx's proxy_read_timeout and uwsgi_read_timeout when nothing sets them. */
const NGINX_READ_TIMEOUT_MS = 60_000;

/**
 * A read timeout a little longer than the worker's is the healthy setup (the worker's timeout decides,
 * nginx is the backstop). It is a contradiction when the worker's timeout is nobody's choice (the
 * default), or when nginx allows at least twice as long: then the longer wait was meant for requests
 * the worker can never finish.
 */
const WORKER_FIRST_FACTOR = 2;

/** The read timeout each pass directive obeys, and the next-upstream directive that decides replays. */
const READ_TIMEOUT: Readonly<Record<string, { read: string; next: string }>> = {
  proxy_pass: { read: 'proxy_read_timeout', next: 'proxy_next_upstream' },
  uwsgi_pass: { read: 'uwsgi_read_timeout', next: 'uwsgi_next_upstream' },
};

interface Link {
  readonly loc: NginxLocation;
  readonly pass: ProxyPass;
  readonly directive: string;
  /** The read timeout in force at the pass: its directive (here or inherited), or nginx's default. */
  readonly node?: NginxNode;
  readonly readMs: number;
  readonly service: ComposeService;
  readonly t: AppTimeouts;
  readonly timeout: Known<number>;
  /** How a timed-out request is replayed on another server: by nginx's default next-upstream, a set one, or not at all. */
  readonly replay: 'default' | 'set' | false;
}

export default defineRule({
  meta: {
    id: 'proxy-read-timeout',
    description: 'Reports an nginx read timeout that ends before, after or together with the request timeout of the app server behind it',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'For each location that passes requests to an app server, compares the read timeout nginx obeys there (`proxy_read_timeout` for `proxy_pass`, `uwsgi_read_timeout` for `uwsgi_pass`, set in the location or inherited from server and http; 60s when none is set) with the request timeout of the app servers behind it, where that timeout ends a request: gunicorn `--timeout` kills a sync worker that runs longer. Both directions are reported. **nginx first** (read timeout shorter than the worker\'s): the client gets a 504 while the worker keeps running to the end, and with `proxy_next_upstream timeout` (the default) nginx replays an idempotent request on the next server, so one slow request occupies several workers. **Worker first** (read timeout longer, and the worker\'s timeout left at its default or under half of nginx\'s wait): the worker is killed and the client gets a 502 long before the wait nginx was told to allow; a read timeout a little above a chosen worker timeout is the healthy setup and is not reported. **Equal**: the two race and the client sees either. gthread and async workers only heartbeat with `--timeout` (a long request does not stop the heartbeat), so their `--timeout` limits nothing and is not compared.',
      why: 'A timeout set on one side only does not do what it says: raising `--timeout` to 900 for a slow report behind `proxy_read_timeout 600` still ends that report at 600s with a 504, and keeps the worker busy for 300s more; raising `proxy_read_timeout` above a sync worker\'s `--timeout` turns long requests into 502s and worker restarts (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout, https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream, https://docs.gunicorn.org/en/stable/settings.html#timeout).',
      notes: 'When both sides are defaults (nginx 60s, gunicorn 30s) the rule stays silent: nobody asked for a longer wait. nginx first is reported when the app timeout is set; worker first when the read timeout is set. `proxy_send_timeout` bounds the gap between two writes of the request to the server, not the wait for its answer, and with request buffering on (the default) nginx sends the whole body at once; it is not compared. Part of what `timeout-chain` checked before 0.2.0.',
    },
  },
  check({ stack, report, where }) {
    const links = collectLinks(stack);
    for (const group of groupBy(links, (l) => `${l.node ? spanKey(l.node.directive.span) : `default|${spanKey(serverOf(l.pass.node)?.directive.span ?? l.pass.node.directive.span)}`}|${l.t.server}|${l.timeout.value}|${l.replay}`)) {
      const l = group[0]!;
      const appMs = l.timeout.value * 1000;
      const names = listNames([...new Set(group.map((g) => g.service.name))], 3);
      const locations = [...new Set(group.map((g) => g.loc.match))];
      const where_ = locations.length === 1 ? `location ${locations[0]}` : `locations ${listNames(locations, 4)}`;
      const waits = locations.length === 1 ? 'waits' : 'wait';
      const nginxSide = `${l.directive} ${formatMillis(l.readMs)}${l.node ? '' : ' (default)'}`;
      const appSide = `${l.t.workerClass?.value ?? ''} ${l.t.server} workers are killed after ${l.t.timeoutFlag} ${l.timeout.value}s${l.timeout.isDefault ? ' (default)' : ''} (${where(l.timeout.span)})`.trimStart();
      const related = groupBy(group, (g) => spanKey(g.timeout.span)).slice(0, 3).map(([g]) => ({
        span: g!.timeout.span, message: `${g!.t.timeoutFlag} ${g!.timeout.value}${g!.timeout.isDefault ? ` (${g!.t.server} default)` : ''} on ${g!.service.name}`,
      }));
      // Without a directive the finding goes where one would be added: the pass of the first location.
      const span: Span = l.node?.directive.span ?? l.pass.node.directive.span;
      if (l.readMs < appMs) {
        report({
          span,
          message: `${where_} ${waits} up to ${nginxSide} for ${names}, whose ${appSide}: ${formatMillis(l.readMs)} < ${l.timeout.value}s, so nginx answers 504 while the worker keeps running for up to ${formatMillis(appMs - l.readMs)} more${l.replay ? `, and ${l.replay === 'default' ? `${nextName(l.directive)} (default error timeout)` : `${nextName(l.directive)} timeout`} replays idempotent requests on the next server, each holding another worker` : ''}`,
          related,
          hint: `raise ${l.directive} to at least ${l.timeout.value}s${l.node ? '' : ` in ${where_}`}, or lower ${l.t.timeoutFlag} to what nginx waits`,
        });
      } else if (l.readMs > appMs) {
        report({
          span,
          message: `${where_} ${waits} up to ${nginxSide} for ${names}, whose ${appSide}: ${formatMillis(l.readMs)} > ${l.timeout.value}s, so slower requests end in 502 when the worker is killed, not in the wait nginx allows`,
          related,
          hint: `raise ${l.t.server} ${l.t.timeoutFlag} to at least ${formatMillis(l.readMs)}, lower ${l.directive}, or use gthread workers for long requests`,
        });
      } else {
        report({
          span,
          message: `${where_} ${waits} up to ${nginxSide} for ${names}, whose ${appSide}: both give up at ${l.timeout.value}s and race, so a slow request ends in a 504 or a 502 depending on which fires first`,
          related,
          hint: `make ${l.directive} a few seconds longer than ${l.t.timeoutFlag} ${l.timeout.value}s, so the worker's timeout decides`,
        });
      }
    }
  },
});

function collectLinks(stack: Stack): Link[] {
  const out: Link[] = [];
  for (const proxy of stack.proxies) {
    for (const loc of proxy.nginx.locations) {
      const pass = loc.proxyPass;
      const names = pass ? READ_TIMEOUT[pass.kind] : undefined;
      if (!pass || !names) continue;
      const node = inheritedSetting(proxy.nginx, pass.node, names.read)[0];
      const raw = node?.directive.args[0]?.value;
      const readMs = raw === undefined ? NGINX_READ_TIMEOUT_MS : parseNginxTime(raw);
      if (readMs === undefined) continue;
      const targets = passTargets(stack, pass);
      const replay = replays(inheritedSetting(proxy.nginx, pass.node, names.next)[0], targets, pass);
      for (const service of targets) {
        const t = appTimeouts(stack, service);
        const timeout = t?.requestTimeout;
        if (!t || !timeout || t.timeoutKills !== true || timeout.value <= 0) continue;
        const appMs = timeout.value * 1000;
        // Both defaults: nobody asked for a longer wait on either side.
        if (!node && timeout.isDefault) continue;
        // nginx first needs a chosen app timeout; worker first needs a chosen nginx wait.
        if (readMs < appMs && timeout.isDefault) continue;
        if (readMs > appMs && (!node || !(timeout.isDefault || readMs >= WORKER_FIRST_FACTOR * appMs))) continue;
        out.push({ loc, pass, directive: names.read, ...(node ? { node } : {}), readMs, service, t, timeout, replay });
      }
    }
  }
  return out;
}

/** Whether a timed-out request is tried again on another server: the next-upstream setting allows it and there is one. */
function replays(next: NginxNode | undefined, targets: readonly ComposeService[], pass: ProxyPass): Link['replay'] {
  const args = next ? next.directive.args.map((a) => a.value) : ['error', 'timeout'];
  if (!args.includes('timeout')) return false;
  const servers = pass.upstream ? pass.upstream.servers.length : 0;
  const replicas = targets.reduce((n, s) => n + (s.replicas?.kind === 'known' ? s.replicas.value : 1), 0);
  return Math.max(servers, replicas) > 1 ? (next ? 'set' : 'default') : false;
}

function nextName(readDirective: string): string {
  return readDirective.replace('_read_timeout', '_next_upstream');
}

function serverOf(node: NginxNode): NginxNode | undefined {
  for (let n: NginxNode | undefined = node.parent; n; n = n.parent) if (n.directive.name === 'server') return n;
  return undefined;
}
