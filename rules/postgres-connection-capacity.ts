import { defineRule } from '../src/engine/rule.js';
import { capacityTerms, formatTerms, termValue } from '../src/facts/concurrency.js';
import { listNames } from '../src/stack/topology.js';
import { availableConnections, connectionHolders } from '../src/facts/connections.js';

export default defineRule({
  meta: {
    id: 'postgres-connection-capacity',
    description: 'Reports Django processes that connect straight to Postgres (no pooler) with more connections than max_connections accepts',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'For every Postgres service, arena-lint adds up the Django database aliases that reach it directly (HOST is the Postgres service, not a pgbouncer): one connection per alias per thread of every app server (containers x workers x threads, from the one concurrency fact) and of every background worker (Celery worker pool processes or threads/greenlets from `--concurrency`, Celery beat with django_celery_beat\'s DatabaseScheduler, Channels `runworker`, RQ and Django-Q workers). The sum is compared with what Postgres accepts from ordinary clients: `max_connections` (100 when neither the command line nor a postgresql.conf the container loads sets it) minus `superuser_reserved_connections` (and `reserved_connections` on PostgreSQL 16+). With `CONN_MAX_AGE` above 0 (or None) the connections are held open between requests and the sum is reached as soon as every thread has served a request (an error); with `CONN_MAX_AGE` 0 each request opens and closes its own, and the sum is reached at full load (a warning).',
      why: 'Past the limit PostgreSQL refuses new connections with "FATAL: sorry, too many clients already": requests and tasks fail under exactly the load the replicas and workers were added for. https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS',
      notes: 'An app service whose concurrency is unknown (async workers, unread settings) makes the rule silent; a background worker whose concurrency is unknown (Celery without `--concurrency` starts one process per CPU of the host) is left out and named in the message, so the sum shown is a lower bound. Server connections a pgbouncer opens to the same Postgres are judged by pgbouncer-pool-over-db-limit and not added here. A Postgres outside the stack (managed) is not judged.',
    },
  },
  check(ctx) {
    const { stack, report, where, unknown } = ctx;
    const tier = stack.data;
    for (const pg of tier.postgres) {
      const holders = connectionHolders(ctx, (r) => r.route.kind === 'postgres' && r.route.postgres === pg, false);
      if (holders.silent || holders.items.length === 0) continue;
      const available = availableConnections(pg);
      if (typeof available === 'string') {
        unknown(available, pg.anchor);
        continue;
      }
      const terms = capacityTerms(holders.items);
      const total = terms.reduce((acc, t) => acc + termValue(t), 0);
      if (total <= available.value) continue;
      const first = holders.starts.get(terms[0]!.services[0]!)!;
      const lower = holders.unknownWorkers.length > 0
        ? `, not counting ${listNames(holders.unknownWorkers.map((u) => u.what), 2)}`
        : '';
      const how = holders.persistent
        ? 'connections held open between requests (CONN_MAX_AGE)'
        : 'connections when every thread queries at once (CONN_MAX_AGE 0 closes them after each request)';
      report({
        span: available.span,
        severity: holders.persistent ? 'error' : 'warning',
        message: `${formatTerms(terms)} = ${total} ${how} straight to ${pg.service.name} (${where(first.span)})${lower} > ${available.text}${available.isDefault ? ' (max_connections is PostgreSQL\'s default)' : ''}: past it Postgres refuses clients with "too many clients already"`,
        related: [
          ...terms.map((t) => ({ span: holders.starts.get(t.services[0]!)!.span, message: holders.starts.get(t.services[0]!)!.text })),
          ...holders.related,
        ],
        hint: `put pgbouncer between Django and ${pg.service.name}, lower the workers, or raise max_connections to at least ${total + available.max - available.value}`,
        key: `${stack.name}/${pg.service.name}`,
      });
    }
  },
});
