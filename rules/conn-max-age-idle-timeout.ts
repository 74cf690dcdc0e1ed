import { defineRule, type RuleContext } from '../src/engine/rule.js';
import type { Span } from '../src/core/value.js';
import { pyTruthy } from '../src/python/value.js';
import { pyNumber } from '../src/inputs/django.js';
import { pgbouncerNumber } from '../src/inputs/pgbouncer.js';
import { postgresMillis } from '../src/inputs/postgres.js';
import { dataTier, groupBy, spanKey } from '../src/stack/data-tier.js';
import { formatMillis } from '../src/facts/timeouts.js';
import { listNames } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'conn-max-age-idle-timeout',
    description: 'Reports a Django CONN_MAX_AGE that outlives the idle timeout of the pgbouncer or PostgreSQL it connects to',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Django keeps a database connection for `CONN_MAX_AGE` seconds (`None`: forever). The server side closes idle ones: pgbouncer after `client_idle_timeout`, PostgreSQL after `idle_session_timeout` for a direct connection. The rule reports a CONN_MAX_AGE longer than that idle limit when `CONN_HEALTH_CHECKS` is not True.',
      why: 'Django reuses a connection the server already closed, and the first query of the next request fails with `server closed the connection unexpectedly`. `CONN_HEALTH_CHECKS` (Django 4.1+) makes Django test a reused connection first (https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections, https://www.pgbouncer.org/config.html#client_idle_timeout).',
      notes: 'Only values that are known are compared; a default counts as known. Part of what `timeout-chain` checked before 0.2.0.',
    },
  },
  check(ctx) {
    checkConnMaxAge(ctx);
  },
});

function checkConnMaxAge({ stack, report, where, unknown }: RuleContext): void {
  const found = [];
  for (const { db, route } of stack.data.databases) {
    const age = pyNumber(db.connMaxAge);
    if (!age || age.kind === 'unknown' || age.value === 0) continue;
    if (db.connHealthChecks && pyTruthy(db.connHealthChecks) !== false) continue;
    let closer: { ms: number; span: Span; what: string } | undefined;
    if (route.kind === 'pgbouncer') {
      const idle = pgbouncerNumber(route.pgbouncer, 'client_idle_timeout');
      if (idle.kind === 'unknown') unknown(`client_idle_timeout of ${route.pgbouncer.service.name} is unknown: ${idle.reason}`, idle.span);
      else if (idle.value > 0) closer = { ms: idle.value * 1000, span: idle.span, what: `${route.pgbouncer.service.name} closes idle clients after client_idle_timeout ${idle.value}` };
    } else if (route.kind === 'postgres') {
      const idle = postgresMillis(route.postgres, 'idle_session_timeout');
      if (idle.kind === 'known' && idle.value > 0) closer = { ms: idle.value, span: idle.span, what: `${route.postgres.service.name} closes idle sessions after idle_session_timeout ${formatMillis(idle.value)}` };
    }
    if (!closer || (age.value !== null && age.value * 1000 <= closer.ms)) continue;
    found.push({ db, age, closer });
  }
  for (const group of groupBy(found, (f) => `${spanKey(f.age.span)}|${spanKey(f.closer.span)}`)) {
    const { db, age, closer } = group[0]!;
    const ageText = age.value === null ? 'None (forever)' : `${age.value}s`;
    report({
      span: age.span,
      message: `CONN_MAX_AGE ${ageText} of database "${db.alias}" (${listNames(group.map((g) => g.db.app.service.name), 3)}) outlives the idle limit: ${closer.what} (${where(closer.span)}), and CONN_HEALTH_CHECKS is not True, so the first query after an idle spell fails on a closed connection`,
      related: [{ span: closer.span, message: closer.what }],
      hint: `set "CONN_HEALTH_CHECKS": True, or keep CONN_MAX_AGE below ${formatMillis(closer.ms)}`,
    });
  }
}
