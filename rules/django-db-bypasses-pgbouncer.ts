import { defineRule, type Report } from '../src/engine/rule.js';
import { editSpan } from '../src/inputs/django.js';
import { describePgbouncer } from '../src/inputs/pgbouncer.js';
import { groupBy, pgbouncerListen } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'django-db-bypasses-pgbouncer',
    description: 'Reports a Django database that does not reach the stack\'s pgbouncer, or reaches it on a port it does not listen on',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'When the stack runs pgbouncer, every Django PostgreSQL alias is followed from its HOST and PORT, after the environment each service sees (env_file lines, `environment:`, defaults in `os.getenv`). An alias that reaches a pgbouncer service must use the port pgbouncer listens on (`listen_port`, 6432 by default; the edoburu image writes 5432), and pgbouncer must listen on TCP at all (`listen_addr` empty means a unix socket only). An alias whose HOST is the Postgres service, or the host a pgbouncer `[databases]` entry forwards to, bypasses the pooler (a warning).',
      why: 'A wrong port or a pgbouncer without listen_addr refuses every connection. A bypass silently opens one PostgreSQL backend per Django thread: the pool sizes and max_client_conn planned for pgbouncer never apply, and max_connections runs out under load. https://www.pgbouncer.org/config.html#listen_addr',
      notes: 'A HOST that is neither a compose service nor a host pgbouncer forwards to (a managed database) is not judged. An empty HOST means libpq\'s local unix socket, inside the web container.',
    },
  },
  check({ stack, report, where, unknown }) {
    const tier = stack.data;
    if (tier.pgbouncers.length === 0) return;
    const pgbouncerHosts = new Set(tier.pgbouncers.flatMap((p) => p.databases.flatMap((d) => {
      const h = d.params.get('host');
      return h?.kind === 'known' ? [h.value] : [];
    })));
    const found: Array<{ key: string; service: string; build: (who: string) => Report }> = [];
    for (const { db, route } of tier.databases) {
      const alias = `Database "${db.alias}"`;
      if (route.kind === 'unknown') {
        unknown(route.reason, route.span);
        continue;
      }
      if (route.kind === 'pgbouncer') {
        const pgb = route.pgbouncer;
        const { addr, port } = pgbouncerListen(pgb);
        if (addr.kind === 'known' && addr.value === '') {
          found.push({
            key: `addr|${route.host.span.start}|${pgb.service.name}`, service: db.app.service.name,
            build: (who) => ({
              span: addr.span,
              message: `${describePgbouncer(pgb)} listens only on a unix socket (listen_addr is ${addr.isDefault ? 'not set' : 'empty'}), but ${alias} of ${who} connects to ${route.host.value}:${route.port.value} over TCP (${where(editSpan(route.host))})`,
              related: [{ span: editSpan(route.host), message: `HOST ${route.host.value}` }],
              hint: 'set listen_addr = 0.0.0.0 (or *) in [pgbouncer]',
            }),
          });
          continue;
        }
        if (port.kind === 'unknown') {
          unknown(`listen_port of ${pgb.service.name} is unknown: ${port.reason}`, port.span);
          continue;
        }
        if (port.value === route.port.value) continue;
        found.push({
          key: `port|${route.port.span.start}|${pgb.service.name}`, service: db.app.service.name,
          build: (who) => ({
            span: editSpan(route.port),
            message: `${alias} of ${who} connects to ${route.host.value}:${route.port.value}${route.port.isDefault ? ' (PORT unset: libpq\'s 5432)' : ''}, but ${describePgbouncer(pgb)} listens on ${port.value} (${where(port.span)}${port.isDefault ? ', default' : ''})`,
            related: [{ span: port.span, message: `listen_port ${port.value}${port.isDefault ? ' (default)' : ''}` }],
            hint: `set PORT to ${port.value}`,
          }),
        });
        continue;
      }
      const pooler = tier.pgbouncers[0]!;
      const target = route.kind === 'postgres' ? route.postgres.service.name : route.service?.name;
      const bypass = route.kind === 'postgres' || pgbouncerHosts.has(route.host.value);
      const socket = route.kind === 'other' && (route.host.value === '' || route.host.value.startsWith('/'));
      if (!bypass && !socket) {
        unknown(`${alias} connects to ${route.host.value}, which is not part of this stack`, route.host.span);
        continue;
      }
      found.push({
        key: `bypass|${route.host.span.start}`, service: db.app.service.name,
        build: (who) => ({
          span: editSpan(route.host),
          severity: socket ? 'error' : 'warning',
          message: socket
            ? `${alias} of ${who} has ${route.host.value === '' ? 'an empty HOST' : `HOST ${route.host.value}`}, so libpq connects to a unix socket inside the app container, not to ${pooler.service.name}`
            : `${alias} of ${who} connects straight to ${target ?? route.host.value}:${route.port.value}, bypassing ${pooler.service.name}: pool sizes and max_client_conn do not apply to it`,
          related: [{ span: pooler.service.nameSpan, message: `${pooler.service.name} is the stack's pooler` }],
          hint: `point HOST at ${pooler.service.name} and PORT at its listen_port`,
        }),
      });
    }
    for (const group of groupBy(found, (f) => f.key)) {
      report(group[0]!.build(listNames(group.map((g) => g.service), 3)));
    }
  },
});
