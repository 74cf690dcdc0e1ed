import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';
import { describeAttachment, networkAttachment, targetAttachment, unreachableBecause } from '../src/facts/networks.js';
import { passTargets } from '../src/stack/topology.js';

/** One service that must reach another by name, and the line that names it. */
interface Link {
  readonly from: ComposeService;
  readonly to: ComposeService;
  readonly via: Span;
  /** `upstream app`, `DATABASES["default"]`, ... */
  readonly what: string;
}

export default defineRule({
  meta: {
    id: 'network-unreachable',
    description: 'Reports two services that must talk but share no compose network',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'arena-lint collects the services that must reach each other by name: nginx and every upstream server or `proxy_pass` host, each Django app and the Postgres, pgbouncer and Redis services its settings name, and pgbouncer and the Postgres it forwards to. Each pair must share a compose network: the networks a service lists, or the project\'s `default` network when it lists none. `network_mode: service:X` shares X\'s networks for reaching others, but gives the container no name of its own; `host`, `none` and `bridge` attach it to no project network.',
      why: 'compose\'s DNS answers a service name only on the networks both containers are attached to. nginx on `frontend` cannot resolve `web` on `backend` (it refuses to start: `host not found in upstream`), and a Django app moved to its own network gets `could not translate host name "db"` on its first query.',
      notes: 'A network_mode of `container:...`, a network name that cannot be read (`${NET}` unset) or a host that is not a service of the project leave the pair unknown, and the rule is silent. Network aliases are treated as reaching the service on any of its networks.',
    },
  },
  check({ stack, report, where }) {
    const links: Link[] = [];
    for (const u of stack.upstreams) {
      for (const s of u.servers) if (s.service) links.push({ from: u.proxy.service, to: s.service, via: s.server.address.span, what: `upstream ${u.upstream.name}` });
    }
    for (const proxy of stack.proxies) {
      for (const p of proxy.nginx.proxyPasses) {
        if (p.upstream) continue;
        for (const t of passTargets(stack, p)) links.push({ from: proxy.service, to: t, via: p.target.span, what: p.kind });
      }
    }
    for (const { db, route } of stack.data.databases) {
      const to = route.kind === 'pgbouncer' ? route.pgbouncer.service : route.kind === 'postgres' ? route.postgres.service : route.kind === 'other' ? route.service : undefined;
      if (to) links.push({ from: db.app.service, to, via: route.kind === 'unknown' ? route.span : route.host.span, what: `DATABASES["${db.alias}"]` });
    }
    for (const r of stack.data.redisUses) if (r.redis) links.push({ from: r.use.app.service, to: r.redis.service, via: r.use.span, what: r.use.label });
    for (const pgb of stack.data.pgbouncers) {
      for (const d of pgb.databases) {
        const pg = stack.data.backendOf(pgb, d);
        if (pg) links.push({ from: pgb.service, to: pg.service, via: d.span, what: `pgbouncer database ${d.name}` });
      }
    }

    const seen = new Set<string>();
    for (const link of links) {
      if (link.from === link.to) continue;
      const key = `${link.from.name}\0${link.to.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const from = networkAttachment(stack, link.from);
      const to = targetAttachment(stack, link.to);
      const because = unreachableBecause(from, to);
      if (!because) continue;
      report({
        span: from.span,
        message: `${link.from.name} cannot reach ${link.to.name}: ${because} (${link.from.name}: ${describeAttachment(from)}; ${link.to.name}: ${describeAttachment(to)}; ${link.what} names ${link.to.name} at ${where(link.via)})`,
        related: [
          { span: to.span, message: `${link.to.name}: ${describeAttachment(to)}` },
          { span: link.via, message: `${link.what} names ${link.to.name} here` },
        ],
        hint: from.kind === 'isolated' ? `drop network_mode from ${link.from.name}, or reach ${link.to.name} through a published port` : `attach ${link.from.name} and ${link.to.name} to a common network`,
        key: `${link.from.name}->${link.to.name}`,
      });
    }
  },
});
