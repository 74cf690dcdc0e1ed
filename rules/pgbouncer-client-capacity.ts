import { defineRule } from '../src/engine/rule.js';
import { describePgbouncer, pgbouncerNumber } from '../src/inputs/pgbouncer.js';
import { capacityTerms, formatTerms, termValue } from '../src/facts/concurrency.js';
import { listNames } from '../src/stack/topology.js';
import { connectionHolders } from '../src/facts/connections.js';

export default defineRule({
  meta: {
    id: 'pgbouncer-client-capacity',
    description: 'Reports a web tier that can hold more client connections to pgbouncer than max_client_conn',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Django keeps one database connection per thread and alias; with `CONN_MAX_AGE` above 0 (or None) it keeps it open between requests. arena-lint adds up, for every app service whose aliases reach a pgbouncer service, processes x requests per process (gunicorn `--workers` x `--threads` for gthread, 1 for sync, `--worker-connections` for gevent/eventlet) x aliases, and compares the sum with pgbouncer\'s `max_client_conn`.',
      why: 'Beyond max_client_conn pgbouncer refuses new clients ("no more connections allowed"), so requests fail under exactly the load the tier was scaled for, while pgbouncer\'s server pool may be idle. https://www.pgbouncer.org/config.html#max_client_conn',
      notes: 'Background workers count like app servers: a Celery worker\'s pool processes (prefork) or threads/greenlets (`--pool threads|gevent|eventlet`) from `--concurrency`, beat with django_celery_beat\'s DatabaseScheduler, Channels `runworker`, RQ and Django-Q workers; one whose concurrency is unknown (Celery without `--concurrency`) is named in the message and not counted. Aliases with CONN_MAX_AGE 0 (Django\'s default) close their connection after each request and are not counted. Async workers (uvicorn) have no fixed concurrency and make the sum unknown.',
    },
  },
  check(ctx) {
    const { stack, report, where, unknown } = ctx;
    const tier = stack.data;
    for (const pgb of tier.pgbouncers) {
      const holders = connectionHolders(ctx, (r) => r.route.kind === 'pgbouncer' && r.route.pgbouncer === pgb, true);
      if (holders.silent || holders.items.length === 0) continue;
      const max = pgbouncerNumber(pgb, 'max_client_conn');
      if (max.kind === 'unknown') {
        unknown(`max_client_conn of ${pgb.service.name} is unknown: ${max.reason}`, max.span);
        continue;
      }
      const terms = capacityTerms(holders.items);
      const total = terms.reduce((acc, t) => acc + termValue(t), 0);
      if (total <= max.value) continue;
      const first = holders.starts.get(terms[0]!.services[0]!)!;
      const lower = holders.unknownWorkers.length > 0 ? `, not counting ${listNames(holders.unknownWorkers.map((u) => u.what), 2)},` : '';
      report({
        span: max.span,
        message: `${formatTerms(terms)} = ${total} persistent client connections (${where(first.span)})${lower} > max_client_conn ${max.value}${max.isDefault ? ' (default)' : ''} of ${describePgbouncer(pgb)}`,
        related: [
          ...terms.map((t) => ({ span: holders.starts.get(t.services[0]!)!.span, message: holders.starts.get(t.services[0]!)!.text })),
          ...holders.related,
        ],
        hint: `raise max_client_conn to at least ${total}, or set CONN_MAX_AGE to 0 so connections close after each request`,
      });
    }
  },
});
