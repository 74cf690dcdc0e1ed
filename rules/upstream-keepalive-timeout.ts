import { defineRule } from '../src/engine/rule.js';
import { groupBy } from '../src/stack/data-tier.js';
import { formatMillis, parseNginxTime } from '../src/facts/timeouts.js';
import { listNames, resolvedUpstreams } from '../src/stack/topology.js';
import { appTimeouts } from './support/app-timeouts.js';
import { upstreamKeepaliveFix } from '../src/fix/fixers.js';

/** nginx's upstream keepalive_timeout when the upstream caches connections but sets none (since 1.15.3). */
const NGINX_UPSTREAM_KEEPALIVE_MS = 60_000;

export default defineRule({
  meta: {
    id: 'upstream-keepalive-timeout',
    description: 'Reports an nginx upstream that keeps idle connections at least as long as the app server behind it does',
    defaultSeverity: 'error',
    category: 'topology',
    fixable: 'sometimes',
    docs: {
      what: 'An nginx upstream that caches connections (`keepalive N`) holds each idle one for `keepalive_timeout` (60s when the upstream sets none). The app servers behind it close an idle connection after their own keep-alive: gunicorn `--keep-alive` (2s by default), uvicorn `--timeout-keep-alive` (5s), daphne, uWSGI `http-keepalive`. The rule reports an upstream whose `keepalive_timeout` is at or above the keep-alive of a server it lists; gunicorn sync workers close every connection after its response and are skipped.',
      why: 'When the app server closes an idle connection first, nginx can send the next request on a socket the server is closing at that moment: the request fails with a 502 (`upstream prematurely closed connection`) that no application log explains, a few times an hour under light traffic. nginx must give up on idle connections first (https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout, https://docs.gunicorn.org/en/stable/settings.html#keepalive).',
      notes: 'The finding points at the nginx line to change (`keepalive_timeout`, or `keepalive` when the default applies) and names the app server setting as a related location. A default counts as known and the message says so; a server started with a config file arena-lint cannot read is unknown and keeps the rule silent. Part of what `timeout-chain` checked before 0.2.0. The fix sets the upstream\'s keepalive_timeout a second below the shortest keep-alive of the servers behind it (added after `keepalive` when not written).',
    },
  },
  check({ stack, report, where }) {
    for (const r of resolvedUpstreams(stack)) {
      const keepalive = r.upstream.keepalive;
      // Without `keepalive`, nginx closes each upstream connection after its response.
      if (!keepalive) continue;
      const timeoutNode = r.upstream.keepaliveTimeout;
      const raw = timeoutNode?.directive.args[0]?.value;
      const nginxMs = raw === undefined ? NGINX_UPSTREAM_KEEPALIVE_MS : parseNginxTime(raw);
      if (nginxMs === undefined) continue;
      const offenders = r.servers.flatMap(({ service }) => {
        const t = service ? appTimeouts(stack, service) : undefined;
        if (!service || !t?.keepAlive) return [];
        return t.keepAlive.value * 1000 <= nginxMs ? [{ service, t, keepAlive: t.keepAlive }] : [];
      });
      // One edit for every finding of the upstream: below the shortest keep-alive behind it.
      const fix = offenders.length ? upstreamKeepaliveFix(stack.sources, { keepalive, ...(timeoutNode ? { timeout: timeoutNode } : {}) }, Math.min(...offenders.map((o) => o.keepAlive.value)), r.upstream.name) : undefined;
      for (const group of groupBy(offenders, (o) => `${o.t.server}|${o.keepAlive.value}`)) {
        const { t, keepAlive } = group[0]!;
        const names = [...new Set(group.map((o) => o.service.name))];
        const setting = `${t.keepAliveFlag} ${keepAlive.value}s${keepAlive.isDefault ? ' (default)' : ''}`;
        const relation = keepAlive.value * 1000 === nginxMs ? `${formatMillis(nginxMs)} = ${keepAlive.value}s: the two close at the same moment and race` : `${formatMillis(nginxMs)} >= ${keepAlive.value}s`;
        report({
          span: (timeoutNode ?? keepalive).directive.span,
          message: `upstream ${r.upstream.name} keeps idle connections ${formatMillis(nginxMs)} (keepalive_timeout${timeoutNode ? '' : ' default'}), but ${t.server} on ${listNames(names, 3)} closes them after ${setting} (${where(keepAlive.span)}); ${relation}, so nginx reuses connections ${t.server} is closing and those requests fail with 502`,
          related: [{ span: keepAlive.span, message: `${t.keepAliveFlag} ${keepAlive.value}${keepAlive.isDefault ? ` (${t.server} default)` : ''}` }],
          hint: `make keepalive_timeout shorter than ${keepAlive.value}s, or raise ${t.server} ${t.keepAliveFlag} above ${formatMillis(nginxMs)}`,
          ...(fix ? { fix } : {}),
        });
      }
    }
  },
});
