import type { Span } from '../src/core/value.js';
import { defineRule, type RuleContext } from '../src/engine/rule.js';
import { parseStartupOptions, startupParameterSupport } from '../src/reference/pgbouncer-settings.js';
import { parsePostgresDuration } from '../src/reference/postgres-settings.js';
import { pyGet } from '../src/python/value.js';
import { pyText } from '../src/inputs/django.js';
import { describePgbouncer, pgbouncerNumber, pgbouncerText, type PgbouncerService } from '../src/inputs/pgbouncer.js';
import { postgresMillis } from '../src/inputs/postgres.js';
import { dataTier, groupBy, spanKey } from '../src/stack/data-tier.js';
import { formatMillis } from '../src/facts/timeouts.js';

export default defineRule({
  meta: {
    id: 'pgbouncer-query-timeout',
    description: 'Reports a PostgreSQL statement_timeout at or above the query_timeout of the pgbouncer in front of it',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'A PostgreSQL `statement_timeout` (set on the server, or sent by Django `OPTIONS` when pgbouncer passes it on) must be shorter than pgbouncer\'s `query_timeout` for the databases it pools. The rule reports a statement_timeout at or above query_timeout, naming both lines.',
      why: 'pgbouncer documents query_timeout as a safety net set slightly above statement_timeout. At or below it, pgbouncer drops the client connection instead of PostgreSQL cancelling the statement: the app sees a broken connection rather than a clean `canceling statement due to statement timeout` error, and the transaction state is lost (https://www.pgbouncer.org/config.html#query_timeout).',
      notes: 'Only values that are known are compared; a default counts as known and the message says so. A statement_timeout in OPTIONS that pgbouncer does not pass on is reported by pgbouncer-startup-parameter, not here. Part of what `timeout-chain` checked before 0.2.0.',
    },
  },
  check(ctx) {
    checkStatementTimeout(ctx);
  },
});

function checkStatementTimeout({ stack, report, where, unknown }: RuleContext): void {
  const tier = stack.data;
  const told = new Set<string>();
  const found: Array<{ pgb: PgbouncerService; ms: number; span: Span; source: string }> = [];
  for (const pgb of tier.pgbouncers) {
    const query = pgbouncerNumber(pgb, 'query_timeout');
    if (query.kind === 'unknown') {
      unknown(`query_timeout of ${pgb.service.name} is unknown: ${query.reason}`, query.span);
      continue;
    }
    if (query.value <= 0) continue;
    for (const database of pgb.databases) {
      const pg = tier.backendOf(pgb, database);
      const st = pg ? postgresMillis(pg, 'statement_timeout') : undefined;
      if (pg && st?.kind === 'known' && st.value > 0) found.push({ pgb, ms: st.value, span: st.span, source: `statement_timeout of ${pg.service.name}` });
    }
    for (const { db, route } of tier.databases) {
      if (route.kind !== 'pgbouncer' || route.pgbouncer !== pgb) continue;
      const options = pyText(pyGet(db.options, 'options'));
      if (options?.kind !== 'known') continue;
      const setting = parseStartupOptions(options.value).find((o) => o.name === 'statement_timeout');
      if (!setting) continue;
      const ignore = pgbouncerText(pgb, 'ignore_startup_parameters');
      const track = pgbouncerText(pgb, 'track_extra_parameters');
      const settings = { ...(ignore.kind === 'known' ? { ignoreStartupParameters: ignore.value } : {}), ...(track.kind === 'known' ? { trackExtraParameters: track.value } : {}) };
      // Only a parameter pgbouncer passes on reaches PostgreSQL; pgbouncer-startup-parameter reports the others.
      if (startupParameterSupport('statement_timeout', pgb.version, settings, true).handling !== 'tracked') {
        if (!told.has(spanKey(options.span))) unknown(`statement_timeout in OPTIONS of "${db.alias}" does not reach PostgreSQL through ${pgb.service.name}`, options.span);
        told.add(spanKey(options.span));
        continue;
      }
      const ms = parsePostgresDuration(setting.value, 'ms');
      if (ms !== undefined && ms > 0) found.push({ pgb, ms, span: options.span, source: `statement_timeout in OPTIONS of "${db.alias}"` });
    }
    for (const group of groupBy(found.filter((f) => f.pgb === pgb && f.ms >= query.value * 1000), (f) => spanKey(f.span))) {
      const f = group[0]!;
      report({
        span: query.span,
        message: `${f.source} is ${formatMillis(f.ms)} (${where(f.span)}), at or above query_timeout ${query.value}${query.isDefault ? ' (default)' : ''} of ${describePgbouncer(pgb)}: pgbouncer drops the client before PostgreSQL cancels the statement (query_timeout should be slightly longer)`,
        related: [{ span: f.span, message: `statement_timeout ${formatMillis(f.ms)}` }],
        hint: `raise query_timeout above ${formatMillis(f.ms)}, or lower statement_timeout`,
      });
    }
  }
}
