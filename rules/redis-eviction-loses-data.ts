import { defineRule } from '../src/engine/rule.js';
import { parseRedisMemory } from '../src/parsers/redis.js';
import { redisValue } from '../src/inputs/redis.js';
import { listNames } from '../src/stack/topology.js';
import { redisRoles, roleText, type RedisRoleKind } from './support/redis-roles.js';

/** What is lost when Redis evicts the keys of each role. */
const LOSS: Readonly<Record<Exclude<RedisRoleKind, 'cache'>, string>> = {
  'celery-broker': 'queued tasks vanish without running',
  'celery-results': 'task results disappear and AsyncResult.get() never returns',
  channels: 'group memberships and undelivered messages are dropped',
  sessions: 'users are logged out and their session data is gone',
};

export default defineRule({
  meta: {
    id: 'redis-eviction-loses-data',
    description: 'Reports a Celery broker, result backend, Channels layer or cache-backed sessions on a Redis whose maxmemory-policy evicts any key',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'For every Redis service with a `maxmemory` above 0 and a `maxmemory-policy` of `allkeys-lru`, `allkeys-lfu` or `allkeys-random` (from the redis-server command or the redis.conf it loads), arena-lint looks for data in it that is not a cache: Celery\'s broker (`CELERY_BROKER_URL`/`BROKER_URL`) or result backend (`CELERY_RESULT_BACKEND`), a channels_redis layer (`CHANNEL_LAYERS`), or sessions stored in a Redis cache (`SESSION_ENGINE = "django.contrib.sessions.backends.cache"`), in the settings of every app and worker service. The database number does not matter: maxmemory is per server.',
      why: 'An allkeys policy makes Redis a cache: when memory fills up it deletes any key, not only cached ones. Celery\'s queues are Redis lists, so evicting one silently drops every task queued in it; results, Channels groups and sessions disappear the same way, with no error anywhere. https://redis.io/docs/latest/develop/reference/eviction/ and https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html',
      notes: 'volatile-* policies evict only keys with a TTL and are not reported. `cached_db` sessions write through to the database and survive eviction. A URL or policy that cannot be read is not judged.',
    },
  },
  check({ stack, report, where, unknown }) {
    const roles = redisRoles(stack).filter((r) => r.kind !== 'cache');
    for (const redis of stack.data.redis) {
      const mine = roles.filter((r) => r.redis === redis);
      if (mine.length === 0) continue;
      const policy = redisValue(redis, 'maxmemory-policy');
      const max = redisValue(redis, 'maxmemory');
      if (policy.kind === 'unknown' || max.kind === 'unknown') {
        const u = policy.kind === 'unknown' ? policy : max;
        if (u.kind === 'unknown') unknown(`eviction of ${redis.service.name} is unknown: ${u.reason}`, u.span);
        continue;
      }
      if (!/^allkeys-/.test(policy.value.toLowerCase())) continue;
      const bytes = parseRedisMemory(max.value);
      if (bytes === undefined) {
        unknown(`maxmemory ${max.value} of ${redis.service.name} is not a size`, max.span);
        continue;
      }
      // maxmemory 0 means no limit: nothing is ever evicted.
      if (bytes === 0) continue;
      const kinds = [...new Set(mine.map((r) => r.kind as Exclude<RedisRoleKind, 'cache'>))];
      const first = mine[0]!;
      report({
        span: policy.span,
        message: `${redis.service.name} runs maxmemory-policy ${policy.value} with maxmemory ${max.value} (${where(max.span)}), so when it is full it evicts any key, but it holds ${listNames([...new Map(mine.map((r) => [r.label, `${r.label} (${where(r.span)})`])).values()], 5)} of ${listNames([...new Set(mine.flatMap((r) => r.services.map((s) => s.name)))], 3)}: evicted, ${kinds.map((k) => `${LOSS[k]} (${roleText(k)})`).join('; ')}`,
        related: [
          { span: max.span, message: `maxmemory ${max.value}` },
          ...mine.slice(0, 4).map((r) => ({ span: r.span, message: `${r.label}: ${roleText(r.kind)} in ${redis.service.name} db ${r.db}` })),
        ],
        hint: `set maxmemory-policy to noeviction (or a volatile-* policy) on ${redis.service.name}, or move ${roleText(first.kind)} to a Redis of its own`,
        key: `${stack.name}/${redis.service.name}`,
      });
    }
  },
});
