import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';
import { groupBy } from '../src/stack/data-tier.js';
import { listNames, resolvedUpstreams } from '../src/stack/topology.js';
import type { AppService, ProxyService } from '../src/stack/stack.js';

interface Listing {
  readonly proxy: ProxyService;
  readonly upstream: string;
  readonly maxConns: number;
  readonly span: Span;
  /** nginx worker processes that each apply max_conns on their own (no `zone`), when known; 1 with a zone. */
  readonly multiplier: number | undefined;
}

interface Overrun {
  readonly service: ComposeService;
  readonly listings: readonly Listing[];
  readonly app: AppService;
  readonly processes: number;
  readonly threads: number;
  readonly capacity: number;
  readonly total: number;
}

export default defineRule({
  meta: {
    id: 'upstream-max-conns',
    description: 'Reports upstream max_conns that let nginx open more connections to a server than the server can serve at once',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: '`max_conns=N` on an upstream `server` caps the connections nginx keeps open to that server; it is meant to keep requests queued in nginx (or sent to another server) instead of in the app. The rule adds up, per app service, `max_conns` over every upstream group (of every nginx container) that lists it, multiplied by nginx\'s `worker_processes` for a group without `zone` (each worker then counts on its own), and compares the sum with what the service can serve at once: processes x threads (gunicorn workers x threads, 1 per sync worker). It reports a sum above that.',
      why: 'A limit above the app\'s concurrency never triggers: `max_conns=200` in front of 4 workers x 2 threads lets 192 requests wait in gunicorn\'s listen backlog, where no other server can take them and nginx cannot time them out separately, so the protection the line promises does not exist (https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_conns).',
      notes: 'A service also listed somewhere without max_conns is not judged (nothing limits it there). `worker_processes auto` depends on the host\'s CPUs; the sum is then counted once per group, a lower bound, and the message says "at least". Async workers (gevent, uvicorn) have no fixed concurrency and are not judged.',
    },
  },
  check({ stack, facts, report, where }) {
    const byService = new Map<ComposeService, Listing[]>();
    const unlimited = new Set<ComposeService>();
    for (const r of resolvedUpstreams(stack)) {
      const zoned = r.upstream.node.children.some((c) => c.directive.name === 'zone');
      for (const { server, service } of r.servers) {
        if (!service) continue;
        const raw = server.params.get('max_conns');
        const n = raw === undefined ? 0 : Number(raw);
        if (!Number.isInteger(n) || n <= 0) {
          unlimited.add(service);
          continue;
        }
        const list = byService.get(service) ?? [];
        list.push({ proxy: r.proxy, upstream: r.upstream.name, maxConns: n, span: server.node.directive.span, multiplier: zoned ? 1 : workerProcesses(r.proxy) });
        byService.set(service, list);
      }
    }
    const found: Overrun[] = [];
    for (const [service, listings] of byService) {
      if (unlimited.has(service)) continue;
      const c = facts.concurrency.of(service);
      if (!c) continue;
      const app = c.app;
      if (c.processes.kind !== 'known' || c.perProcess.kind !== 'known' || c.perProcessUnit !== 'threads') continue;
      const capacity = c.processes.value * c.perProcess.value;
      const total = listings.reduce((n, l) => n + l.maxConns * (l.multiplier ?? 1), 0);
      if (total > capacity) found.push({ service, listings, app, processes: c.processes.value, threads: c.perProcess.value, capacity, total });
    }
    // Replicas behind the same lines with the same numbers make one finding, not one per replica.
    const key = (f: Overrun) => JSON.stringify([f.listings.map((l) => [l.upstream, l.maxConns, l.multiplier ?? null]), f.processes, f.threads]);
    for (const group of groupBy(found, key)) {
      const { service, listings, app, processes, threads, capacity, total } = group[0]!;
      const names = group.map((g) => g.service.name);
      const lowerBound = listings.some((l) => l.multiplier === undefined);
      const terms = listings.map((l) => `max_conns=${l.maxConns} in ${l.upstream}${l.multiplier !== undefined && l.multiplier > 1 ? ` x ${l.multiplier} nginx workers (no zone)` : ''}`);
      const first = listings[0]!;
      const who = names.length === 1 ? service.name : `each of ${listNames(names, 3)}`;
      report({
        span: first.span,
        message: `nginx may hold ${lowerBound ? 'at least ' : ''}${listings.length > 1 || (first.multiplier ?? 1) > 1 ? `${terms.join(' + ')} = ` : `${terms[0]}: `}${total} connections open to ${who}, ${names.length === 1 ? 'which serves' : 'each serving'} ${processes} ${app.gunicorn ? (processes === 1 ? 'worker' : 'workers') : (processes === 1 ? 'process' : 'processes')} x ${threads} ${threads === 1 ? 'thread' : 'threads'} = ${capacity} requests at once (${where(app.server.span)}): ${total} > ${capacity}, so up to ${total - capacity} requests past what the app can run wait in ${app.server.kind}'s backlog instead of in nginx, and the limit protects nothing`,
        related: [...listings.slice(1).map((l) => ({ span: l.span, message: `max_conns=${l.maxConns} in upstream ${l.upstream}` })), { span: app.server.span, message: `${service.name} serves ${capacity} requests at once` }],
        hint: `lower max_conns for ${names.length === 1 ? service.name : 'each server'} to ${listings.length > 1 ? `a total of ${capacity}` : capacity}${lowerBound || (first.multiplier ?? 1) > 1 ? ' (add `zone` so all nginx workers share the count)' : ''}, or raise its workers or threads`,
      });
    }
  },
});

/** nginx's `worker_processes` when it is a number (1 when not set); undefined for `auto` or an unknown nginx.conf. */
function workerProcesses(proxy: ProxyService): number | undefined {
  const node = proxy.nginx.roots.find((n) => n.context === 'main' && n.directive.name === 'worker_processes');
  if (!node) return proxy.nginx.implicitMain ? undefined : 1;
  const v = node.directive.args[0]?.value;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
