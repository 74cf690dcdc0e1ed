import type { Span } from '../src/core/value.js';
import { defineRule, type RuleContext } from '../src/engine/rule.js';
import { parseStartupOptions, startupParameterSupport } from '../src/reference/pgbouncer-settings.js';
import { parsePostgresDuration } from '../src/reference/postgres-settings.js';
import { pyTruthy, pyGet } from '../src/python/value.js';
import { pyNumber, pyText } from '../src/inputs/django.js';
import { describePgbouncer, pgbouncerNumber, pgbouncerText, type PgbouncerService } from '../src/inputs/pgbouncer.js';
import { postgresMillis } from '../src/inputs/postgres.js';
import { groupBy, spanKey } from '../src/stack/data-tier.js';
import { formatMillis, parseNginxTime } from '../src/facts/timeouts.js';
import { inherited } from '../src/inputs/nginx.js';
import { listNames, passTargets, resolvedUpstreams } from '../src/stack/topology.js';

/** nginx's upstream keepalive_timeout when the upstream caches connections but sets none (since 1.15.3). */
const NGINX_UPSTREAM_KEEPALIVE_MS = 60_000;

export default defineRule({
  meta: {
    id: 'timeout-chain',
    description: 'Reports timeouts along nginx, gunicorn, pgbouncer and PostgreSQL that contradict each other',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Follows a request from nginx to PostgreSQL and checks each link, naming both ends: (1) an nginx upstream that caches connections (`keepalive`) keeps them idle for `keepalive_timeout` (60s by default), which must be shorter than the `--keep-alive` of the gunicorn servers behind it (2s by default; sync workers do not keep connections and are skipped); (2) a PostgreSQL `statement_timeout` (set on the server, or by Django OPTIONS when pgbouncer passes it on) must be shorter than pgbouncer\'s `query_timeout`; (3) Django\'s `CONN_MAX_AGE` must not outlive pgbouncer\'s `client_idle_timeout` (or PostgreSQL\'s `idle_session_timeout` for a direct connection) unless `CONN_HEALTH_CHECKS` is True; (4) a location\'s explicit `proxy_read_timeout` must not exceed the `--timeout` of sync gunicorn workers behind it.',
      why: '(1) When gunicorn closes an idle connection first, nginx can send the next request on a socket that is being closed: intermittent 502s that no log explains (https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout, https://docs.gunicorn.org/en/stable/settings.html#keepalive). (2) pgbouncer documents query_timeout as a safety net set slightly above statement_timeout; at or below it, pgbouncer cuts the client off instead of PostgreSQL cancelling the statement (https://www.pgbouncer.org/config.html#query_timeout). (3) Django reuses a connection pgbouncer already closed, and the first query of the request fails (https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections). (4) The sync worker is killed at --timeout and nginx answers 502 long before its own read timeout.',
      notes: 'Only values that are known are compared; a default counts as known and the message says so.',
    },
  },
  check(ctx) {
    checkUpstreamKeepalive(ctx);
    checkStatementTimeout(ctx);
    checkConnMaxAge(ctx);
    checkReadTimeout(ctx);
  },
});

function checkUpstreamKeepalive({ stack, report, where }: RuleContext): void {
  for (const r of resolvedUpstreams(stack)) {
    const keepalive = r.upstream.keepalive;
    if (!keepalive) continue;
    const timeoutNode = r.upstream.keepaliveTimeout;
    const raw = timeoutNode?.directive.args[0]?.value;
    const nginxMs = raw === undefined ? NGINX_UPSTREAM_KEEPALIVE_MS : parseNginxTime(raw);
    if (nginxMs === undefined) continue;
    const nginxSpan = (timeoutNode ?? keepalive).directive.span;
    const offenders = r.servers.flatMap(({ service }) => {
      const g = service ? stack.app(service)?.gunicorn : undefined;
      if (!service || !g || g.workerClass.kind !== 'known' || g.workerClass.value === 'sync' || g.keepAlive.kind !== 'known') return [];
      return g.keepAlive.value * 1000 <= nginxMs ? [{ service, keepAlive: g.keepAlive }] : [];
    });
    for (const group of groupBy(offenders, (o) => String(o.keepAlive.value))) {
      const { keepAlive } = group[0]!;
      const names = [...new Set(group.map((o) => o.service.name))];
      report({
        span: nginxSpan,
        message: `upstream ${r.upstream.name} keeps idle connections ${formatMillis(nginxMs)} (keepalive_timeout${timeoutNode ? '' : ' default'}), but gunicorn on ${listNames(names, 3)} closes them after --keep-alive ${keepAlive.value}s${keepAlive.isDefault ? ' (default)' : ''} (${where(keepAlive.span)}): nginx reuses connections gunicorn is closing, and those requests fail with 502`,
        related: [{ span: keepAlive.span, message: `--keep-alive ${keepAlive.value}${keepAlive.isDefault ? ' (gunicorn default)' : ''}` }],
        hint: `make keepalive_timeout shorter than ${keepAlive.value}s, or raise gunicorn --keep-alive above ${formatMillis(nginxMs)}`,
      });
    }
  }
}

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

function checkReadTimeout({ stack, report, where }: RuleContext): void {
  const found = [];
  for (const proxy of stack.proxies) {
    for (const loc of proxy.nginx.locations) {
      if (!loc.proxyPass || loc.proxyPass.kind !== 'proxy_pass') continue;
      const read = inherited(loc.node, 'proxy_read_timeout')[0];
      const raw = read?.directive.args[0]?.value;
      const readMs = raw === undefined ? undefined : parseNginxTime(raw);
      if (!read || readMs === undefined) continue;
      for (const service of passTargets(stack, loc.proxyPass)) {
        const g = stack.app(service)?.gunicorn;
        if (!g || g.workerClass.kind !== 'known' || g.workerClass.value !== 'sync' || g.timeout.kind !== 'known') continue;
        if (g.timeout.value > 0 && readMs > g.timeout.value * 1000) found.push({ loc, read, readMs, service, timeout: g.timeout });
      }
    }
  }
  for (const group of groupBy(found, (f) => `${spanKey(f.read.directive.span)}|${f.loc.match}|${f.timeout.value}`)) {
    const { loc, read, readMs, timeout } = group[0]!;
    const names = [...new Set(group.map((g) => g.service.name))];
    report({
      span: read.directive.span,
      message: `location ${loc.match} waits up to proxy_read_timeout ${formatMillis(readMs)} for ${listNames(names, 3)}, but their sync gunicorn workers are killed after --timeout ${timeout.value}s${timeout.isDefault ? ' (default)' : ''} (${where(timeout.span)}): slower requests end in 502, not in the wait nginx allows`,
      related: [{ span: timeout.span, message: `--timeout ${timeout.value}${timeout.isDefault ? ' (gunicorn default)' : ''}` }],
      hint: `raise gunicorn --timeout to at least ${formatMillis(readMs)}, or use gthread workers for long requests`,
    });
  }
}
