import { defineRule } from '../src/engine/rule.js';
import { formatBytes, parseComposeMemory } from '../src/reference/units.js';
import { parseRedisMemory } from '../src/parsers/redis.js';
import { redisValue } from '../src/inputs/redis.js';

/** Above this share of the container limit, Redis has no room for fragmentation, client buffers and fork copy-on-write. */
const MAX_SHARE = 0.9;

export default defineRule({
  meta: {
    id: 'redis-maxmemory-headroom',
    description: 'Reports a Redis maxmemory that is missing or too close to the container memory limit',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'For a Redis service with a memory limit (`deploy.resources.limits.memory` or `mem_limit`), arena-lint reads `maxmemory` from the redis-server command or its redis.conf, in Redis\'s units (`8gb` = 8 GiB, `8g` = 8 * 10^9 bytes), and the limit in compose\'s units (`8192M` = 8 GiB). maxmemory must be set, and at most 90% of the limit.',
      why: 'maxmemory counts only the dataset. Redis also needs memory for allocator fragmentation, client output buffers, replication and AOF buffers, and copy-on-write pages while it forks to save. With maxmemory at or near the limit, or unset (0 = no limit), the kernel OOM-kills the container before eviction starts: the cache disappears and every client reconnects at once. https://redis.io/docs/latest/operate/oss_and_stack/management/admin/ (memory) and https://redis.io/docs/latest/develop/reference/eviction/',
      notes: 'A limit or maxmemory that cannot be read (an unset variable, a config file outside the repository) is not judged.',
    },
  },
  check({ stack, report, where, unknown }) {
    for (const redis of stack.data.redis) {
      const svc = redis.service;
      const limit = svc.resources?.limits.memory ?? svc.settings.get('mem_limit');
      if (!limit) continue;
      const limitValue = 'kind' in limit ? limit : { kind: 'known' as const, value: String(limit.data), span: limit.span };
      if (limitValue.kind === 'unknown') {
        unknown(`memory limit of ${svc.name} is unknown: ${limitValue.reason}`, limitValue.span);
        continue;
      }
      const limitBytes = parseComposeMemory(limitValue.value);
      if (limitBytes === undefined || limitBytes === 0) continue;
      const limitText = `${limitValue.value} = ${formatBytes(limitBytes)}`;
      const max = redisValue(redis, 'maxmemory');
      if (max.kind === 'unknown') {
        unknown(`maxmemory of ${svc.name} is unknown: ${max.reason}`, max.span);
        continue;
      }
      const bytes = parseRedisMemory(max.value);
      if (bytes === undefined) {
        unknown(`maxmemory ${JSON.stringify(max.value)} is not a Redis memory value`, max.span);
        continue;
      }
      const related = [{ span: limitValue.span, message: `container memory limit ${limitText}` }];
      const budget = Math.floor(limitBytes * MAX_SHARE);
      if (bytes === 0) {
        report({
          span: max.span,
          message: `${svc.name} has no maxmemory${max.isDefault ? '' : ` (maxmemory ${max.value})`} but a memory limit of ${limitText} (${where(limitValue.span)}): Redis grows until the kernel OOM-kills it, and no eviction policy ever runs`,
          related,
          hint: `add --maxmemory ${Math.floor(budget / 1024 ** 2)}mb (90% of the limit) and a --maxmemory-policy`,
        });
        continue;
      }
      if (bytes <= budget) continue;
      const share = Math.round((bytes / limitBytes) * 100);
      report({
        span: max.span,
        message: `maxmemory ${max.value} = ${formatBytes(bytes)} is ${share}% of ${svc.name}'s memory limit ${limitText} (${where(limitValue.span)}): with fragmentation, client buffers and fork copy-on-write the container is OOM-killed before eviction starts (keep maxmemory at or below 90%, ${formatBytes(budget)})`,
        related,
        hint: `lower maxmemory to ${Math.floor(budget / 1024 ** 2)}mb, or raise the memory limit`,
      });
    }
  },
});
