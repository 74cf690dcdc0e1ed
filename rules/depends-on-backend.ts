import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';

/** A Django app service and a backing service its settings connect to. */
interface BackendUse {
  readonly app: ComposeService;
  readonly backend: ComposeService;
  readonly kind: 'Postgres' | 'pgbouncer' | 'Redis';
  readonly via: Span;
  readonly what: string;
}

export default defineRule({
  meta: {
    id: 'depends-on-backend',
    description: "Reports an app service whose depends_on leaves out, or does not wait for, the database, pgbouncer or Redis it connects to",
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: "For each Django app service, arena-lint follows its settings to the Postgres, pgbouncer and Redis services they connect to (`DATABASES`, `CACHES`, `CHANNEL_LAYERS`). Each of them must be in the app's `depends_on`; where the backend has a `healthcheck:` in compose, the entry must say `condition: service_healthy`.",
      why: "Without the entry, `docker compose up web` does not start the database at all, and `docker compose up` starts both at once: an entrypoint that runs `migrate` or `collectstatic` against the database fails on `connection refused`, and the first requests get 500s. The short form (or `condition: service_started`) only waits for the container to exist, not for Postgres to accept connections; the healthcheck the backend already declares is what `service_healthy` waits for.",
      notes: "A healthcheck the image or Dockerfile declares (`HEALTHCHECK`) is not read, so only compose healthchecks ask for `service_healthy`. A condition that cannot be read leaves the entry unknown.",
    },
  },
  check({ stack, report, where }) {
    const uses: BackendUse[] = [];
    for (const { db, route } of stack.data.databases) {
      if (route.kind === 'pgbouncer') uses.push({ app: db.app.service, backend: route.pgbouncer.service, kind: 'pgbouncer', via: route.host.span, what: `DATABASES["${db.alias}"]` });
      else if (route.kind === 'postgres') uses.push({ app: db.app.service, backend: route.postgres.service, kind: 'Postgres', via: route.host.span, what: `DATABASES["${db.alias}"]` });
    }
    for (const r of stack.data.redisUses) if (r.redis) uses.push({ app: r.use.app.service, backend: r.redis.service, kind: 'Redis', via: r.use.span, what: r.use.label });

    const seen = new Set<string>();
    for (const use of uses) {
      const { app, backend } = use;
      if (app === backend) continue;
      const key = `${app.name}\0${backend.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const related = [
        { span: use.via, message: `${use.what} connects to ${backend.name} here` },
        { span: backend.nameSpan, message: `${backend.name} is defined here` },
      ];
      const entry = app.dependsOn.find((d) => d.name === backend.name);
      if (!entry) {
        report({
          span: app.dependsOnSpan ?? app.nameSpan,
          message: `${app.name} connects to ${use.kind} at ${backend.name} (${use.what}, ${where(use.via)}) but its depends_on does not list ${backend.name}: compose may start ${app.name} first, and \`docker compose up ${app.name}\` does not start ${backend.name} at all`,
          related,
          hint: `add ${backend.name} to ${app.name}'s depends_on${hasHealthcheck(backend) ? ' with condition: service_healthy' : ''}`,
          key: `${app.name}->${backend.name}`,
        });
        continue;
      }
      if (!hasHealthcheck(backend)) continue;
      if (entry.condition?.kind === 'unknown') continue;
      const condition = entry.condition?.value ?? 'service_started';
      if (condition === 'service_healthy') continue;
      report({
        span: entry.condition?.span ?? entry.span,
        message: `${app.name} waits for ${backend.name} only until its container starts (condition: ${condition}${entry.condition ? '' : ', the short form\'s default'}), though ${backend.name} has a healthcheck (${where(backend.healthcheckSpan!)}): ${app.name} starts before ${use.kind} accepts connections`,
        related: [{ span: backend.healthcheckSpan!, message: `${backend.name}'s healthcheck` }, ...related],
        hint: `give ${app.name}'s depends_on entry for ${backend.name} condition: service_healthy`,
        key: `${app.name}->${backend.name}:condition`,
      });
    }
  },
});

/** A compose healthcheck with a `test:` (one with only timings tunes the image's check, which is not read). */
function hasHealthcheck(svc: ComposeService): boolean {
  if (svc.healthcheckSpan === undefined || svc.healthcheckDisabled === true) return false;
  const data = svc.settings.get('healthcheck')?.data;
  return typeof data === 'object' && data !== null && 'test' in data;
}
