import { defineRule } from '../src/engine/rule.js';
import { pyNumber } from '../src/inputs/django.js';
import { describePgbouncer, pgbouncerNumber } from '../src/inputs/pgbouncer.js';
import { capacityTerms, formatTerms, termValue, type CapacityItem } from '../src/facts/concurrency.js';
import type { ComposeService } from '../src/inputs/compose.js';
import type { RelatedLocation } from '../src/core/finding.js';

export default defineRule({
  meta: {
    id: 'pgbouncer-client-capacity',
    description: 'Reports a web tier that can hold more client connections to pgbouncer than max_client_conn',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Django keeps one database connection per thread and alias; with `CONN_MAX_AGE` above 0 (or None) it keeps it open between requests. arena-lint adds up, for every app service whose aliases reach a pgbouncer service, processes x requests per process (gunicorn `--workers` x `--threads` for gthread, 1 for sync, `--worker-connections` for gevent/eventlet) x aliases, and compares the sum with pgbouncer\'s `max_client_conn`.',
      why: 'Beyond max_client_conn pgbouncer refuses new clients ("no more connections allowed"), so requests fail under exactly the load the tier was scaled for, while pgbouncer\'s server pool may be idle. https://www.pgbouncer.org/config.html#max_client_conn',
      notes: 'Aliases with CONN_MAX_AGE 0 (Django\'s default) close their connection after each request and are not counted. Async workers (uvicorn) have no fixed concurrency and make the sum unknown.',
    },
  },
  check({ stack, facts, report, where, unknown }) {
    const tier = stack.data;
    for (const pgb of tier.pgbouncers) {
      const items: CapacityItem[] = [];
      const related: RelatedLocation[] = [];
      const perService = new Map<ComposeService, { aliases: number; maxAge: string }>();
      let silent = false;
      for (const { db, route } of tier.databases) {
        if (route.kind !== 'pgbouncer' || route.pgbouncer !== pgb) continue;
        const age = pyNumber(db.connMaxAge);
        if (age?.kind === 'unknown') {
          unknown(`CONN_MAX_AGE of "${db.alias}" is unknown: ${age.reason}`, age.span);
          silent = true;
          continue;
        }
        if (!age || age.value === 0) continue;
        const entry = perService.get(db.app.service) ?? { aliases: 0, maxAge: age.value === null ? 'None' : String(age.value) };
        entry.aliases++;
        perService.set(db.app.service, entry);
        if (!related.some((r) => r.span === age.span)) related.push({ span: age.span, message: `CONN_MAX_AGE ${age.value === null ? 'None' : age.value}: connections persist` });
      }
      for (const [service, { aliases }] of perService) {
        const c = facts.concurrency.of(service)!;
        if (c.processes.kind === 'unknown' || c.perProcess.kind === 'unknown' || c.containers.kind === 'unknown') {
          const missing = c.processes.kind === 'unknown' ? c.processes : c.perProcess.kind === 'unknown' ? c.perProcess : c.containers;
          unknown(`concurrency of ${service.name} is unknown: ${missing.kind === 'unknown' ? missing.reason : ''}`, missing.span);
          silent = true;
          continue;
        }
        items.push({
          service,
          containers: c.containers.value,
          factors: [
            { value: c.processes.value, unit: 'workers' },
            { value: c.perProcess.value, unit: c.perProcessUnit },
            ...(aliases > 1 ? [{ value: aliases, unit: 'aliases' }] : []),
          ],
        });
      }
      if (silent || items.length === 0) continue;
      const max = pgbouncerNumber(pgb, 'max_client_conn');
      if (max.kind === 'unknown') {
        unknown(`max_client_conn of ${pgb.service.name} is unknown: ${max.reason}`, max.span);
        continue;
      }
      const terms = capacityTerms(items);
      const total = terms.reduce((acc, t) => acc + termValue(t), 0);
      if (total <= max.value) continue;
      const first = stack.app(terms[0]!.services[0]!)!;
      report({
        span: max.span,
        message: `${formatTerms(terms)} = ${total} persistent client connections (${where(first.server.span)}) > max_client_conn ${max.value}${max.isDefault ? ' (default)' : ''} of ${describePgbouncer(pgb)}`,
        related: [
          ...terms.map((t) => ({ span: stack.app(t.services[0]!)!.server.span, message: `${t.services[0]!.name} starts ${t.factors.map((f) => `${f.value} ${f.unit}`).join(' x ')}` })),
          ...related,
        ],
        hint: `raise max_client_conn to at least ${total}, or set CONN_MAX_AGE to 0 so connections close after each request`,
      });
    }
  },
});
