import { defineRule } from '../src/engine/rule.js';
import { groupBy } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';
import { redisRoles, roleText } from './support/redis-roles.js';

export default defineRule({
  meta: {
    id: 'redis-db-shared',
    description: 'Reports a Django cache in the same Redis database as the Celery broker, Celery results or a Channels layer',
    defaultSeverity: 'warning',
    category: 'data',
    docs: {
      what: 'arena-lint reads the Redis URL (`redis://host:port/N`, database 0 when absent, `?db=N` counted) of every Redis-backed CACHES entry, Celery\'s `CELERY_BROKER_URL`/`BROKER_URL` and `CELERY_RESULT_BACKEND`, and every channels_redis layer, in the settings each app and worker service loads, and reports a cache that shares a (Redis service, port, database) with any of the others.',
      why: '`cache.clear()` (and django-redis\'s `delete_pattern("*")`, a deploy script\'s cache flush) runs FLUSHDB on the cache\'s database: it deletes every queued Celery task, every stored result and every Channels group in that database with it, and no KEY_PREFIX protects against it. Keys of one also count against the other\'s eviction. https://docs.djangoproject.com/en/stable/topics/cache/#django.core.cache.cache.clear',
      notes: 'Celery\'s broker and result backend sharing one database are not reported: their keys do not overlap and neither flushes the database. A URL that cannot be read (an unset variable) is not judged.',
    },
  },
  check({ stack, report, where }) {
    const roles = redisRoles(stack).filter((r) => r.kind !== 'sessions');
    for (const group of groupBy(roles, (r) => `${r.redis.service.name}|${r.port}|${r.db}`)) {
      const caches = group.filter((r) => r.kind === 'cache');
      const others = group.filter((r) => r.kind !== 'cache');
      if (caches.length === 0 || others.length === 0) continue;
      for (const cache of caches) {
        const kinds = [...new Set(others.map((o) => roleText(o.kind)))];
        report({
          span: cache.editAt,
          message: `${cache.label} of ${listNames(cache.services.map((s) => s.name), 3)} uses ${cache.redis.service.name} database ${cache.db}, the same as ${listNames(others.map((o) => `${o.label} (${where(o.span)})`), 3)}: a cache.clear() flushes the whole database and takes ${listNames(kinds)} with it`,
          related: others.slice(0, 4).map((o) => ({ span: o.span, message: `${o.label}: ${roleText(o.kind)} in ${o.redis.service.name} db ${o.db}` })),
          hint: `give the cache a database of its own (e.g. redis://${cache.redis.service.name}:${cache.port}/${Math.max(...group.map((g) => g.db)) + 1})`,
          key: `${stack.name}/${cache.redis.service.name}/${cache.db}/${cache.label}`,
        });
      }
    }
  },
});
