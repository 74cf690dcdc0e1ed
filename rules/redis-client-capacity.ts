import type { RelatedLocation } from '../src/core/finding.js';
import type { Known } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { pyNumber } from '../src/inputs/django.js';
import { redisInt, type RedisService } from '../src/inputs/redis.js';
import { capacityTerms, formatTerms, termValue, concurrencyNumbers, type CapacityItem } from '../src/facts/concurrency.js';
import type { Span } from '../src/core/value.js';
import type { DjangoProcess, DjangoRedisUse } from '../src/inputs/django.js';
import { listNames } from '../src/stack/topology.js';
import { workerName } from '../src/stack/workers.js';

/** Redis keeps this many descriptors for itself when it lowers maxclients to the open-files limit. */
const REDIS_RESERVED_FDS = 32;

export default defineRule({
  meta: {
    id: 'redis-client-capacity',
    description: 'Reports app processes whose Redis connection pools can exceed Redis maxclients',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'For every Redis service, arena-lint finds the app services whose Django CACHES (django-redis or Django\'s own RedisCache) point at it, and each pool\'s `max_connections` (django-redis: `OPTIONS["CONNECTION_POOL_KWARGS"]`, one pool per process; Django\'s RedisCache: `OPTIONS`, one pool per thread). Connections are opened on demand, so a process holds at most as many as it serves requests at once (threads, or worker_connections for gevent). It reports an error when processes x that concurrency exceed `maxclients` (lowered to the open-files limit minus 32 when the container\'s `nofile` ulimit is smaller), and a warning when the pools\' cap alone exceeds maxclients: then max_connections no longer protects Redis from a connection storm.',
      why: 'Past maxclients Redis answers new connections with "ERR max number of clients reached": cache reads fail, sessions stored in the cache are lost for that request, and every worker retries at once. https://redis.io/docs/latest/develop/reference/clients/#maximum-concurrent-connected-clients',
      notes: 'Background workers (Celery, Channels, RQ, Django-Q) load the same CACHES and count with their pool processes or threads; one whose concurrency is unknown (Celery without `--concurrency`) is named and not counted. channels_redis layers and Celery brokers are not counted. A pool without max_connections has no cap (redis-py\'s default), so only the concurrency bound is checked.',
    },
  },
  check({ stack, facts, report, where, unknown }) {
    const tier = stack.data;
    for (const redis of tier.redis) {
      const uses = tier.redisUses.filter((u) => u.redis === redis && u.use.kind === 'cache');
      if (uses.length === 0 && !tier.workerRedisUses.some((u) => u.redis === redis && u.use.kind === 'cache')) continue;
      const maxclients = effectiveMaxclients(redis);
      if (maxclients.kind === 'unknown') {
        unknown(`maxclients of ${redis.service.name} is unknown: ${maxclients.reason}`, maxclients.span);
        continue;
      }
      const concurrent: CapacityItem[] = [];
      const capped: CapacityItem[] = [];
      const related: RelatedLocation[] = [];
      let capKnown = true;
      let silent = false;
      // Who opens connections: every app service (its workers x threads) and every background worker.
      const holders: Array<{ service: ComposeService; containers: number; workers: number; perProcess: number; unit: string; workerUnit: string; start: Span; list: Array<{ use: DjangoRedisUse<DjangoProcess> }> }> = [];
      const notCounted: string[] = [];
      const byService = new Map<ComposeService, Array<{ use: DjangoRedisUse<DjangoProcess> }>>();
      for (const u of uses) byService.set(u.use.app.service, [...(byService.get(u.use.app.service) ?? []), u]);
      for (const [service, list] of byService) {
        const c = facts.concurrency.of(service)!;
        const n = concurrencyNumbers(c);
        if (n.kind === 'unknown') {
          unknown(`concurrency of ${service.name} is unknown: ${n.reason}`, n.span);
          silent = true;
          continue;
        }
        holders.push({ service, containers: n.containers, workers: n.processes, perProcess: n.perProcess, unit: c.perProcessUnit, workerUnit: 'workers', start: c.app.server.span, list });
      }
      const workerUses = new Map<ComposeService, Array<{ use: DjangoRedisUse<DjangoProcess> }>>();
      for (const u of tier.workerRedisUses) {
        if (u.redis !== redis || u.use.kind !== 'cache') continue;
        workerUses.set(u.use.app.service, [...(workerUses.get(u.use.app.service) ?? []), u]);
      }
      for (const [service, list] of workerUses) {
        for (const w of facts.concurrency.workersOf(service)) {
          const missing = [w.containers, w.processes, w.perProcess].find((v) => v.kind === 'unknown');
          if (missing?.kind === 'unknown') {
            unknown(`concurrency of the ${workerName(w.worker)} of ${service.name} is unknown: ${missing.reason}`, missing.span);
            notCounted.push(`${service.name} (${workerName(w.worker)}, ${missing.reason})`);
            continue;
          }
          const known = (v: typeof w.processes) => (v.kind === 'known' ? v.value : 0);
          holders.push({ service, containers: known(w.containers), workers: known(w.processes), perProcess: known(w.perProcess), unit: w.perProcessUnit, workerUnit: 'processes', start: w.worker.span, list });
        }
      }
      const starts = new Map(holders.map((h) => [h.service, h.start]));
      for (const { service, containers, workers, perProcess, unit, workerUnit, list } of holders) {
        // One pool per distinct server and limit: django-redis shares a process's pool between aliases with the same URL.
        const pools = new Map<string, number | undefined>();
        for (const { use } of list) {
          const max = pyNumber(use.maxConnections);
          if (max?.kind === 'unknown') {
            unknown(`max_connections of ${use.label} is unknown: ${max.reason}`, max.span);
            capKnown = false;
            continue;
          }
          const perPool = max?.value ?? undefined;
          const cap = perPool === undefined || perPool === null ? undefined : use.poolPerThread ? perPool * perProcess : perPool;
          pools.set(`${use.host.kind === 'known' ? use.host.value : '?'}|${cap}`, cap);
          if (max && !related.some((r) => r.span === max.span)) related.push({ span: max.span, message: `${use.label} max_connections ${max.value}${use.poolPerThread ? ' per thread' : ' per process'}` });
        }
        for (const cap of pools.values()) {
          concurrent.push({ service, containers, factors: [{ value: workers, unit: workerUnit }, { value: cap === undefined ? perProcess : Math.min(cap, perProcess), unit }] });
          if (cap === undefined) capKnown = false;
          else capped.push({ service, containers, factors: [{ value: workers, unit: workerUnit }, { value: cap, unit: 'max_connections' }] });
        }
      }
      if (silent || concurrent.length === 0) continue;
      const needTerms = capacityTerms(concurrent);
      const need = needTerms.reduce((acc, t) => acc + termValue(t), 0);
      const firstService = needTerms[0]!.services[0]!;
      const firstStart = starts.get(firstService)!;
      const lower = notCounted.length > 0 ? `, not counting ${listNames(notCounted, 2)},` : '';
      const maxText = `maxclients ${maxclients.value}${maxclients.isDefault ? ' (default)' : ''}${maxclients.note}`;
      if (need > maxclients.value) {
        report({
          span: maxclients.span,
          message: `${formatTerms(needTerms)} = ${need} concurrent Redis connections (${where(firstStart)})${lower} > ${maxText} of ${redis.service.name}`,
          related: [{ span: firstStart, message: `${firstService.name} starts its workers here` }, ...related],
          hint: `raise --maxclients to at least ${need}`,
        });
        continue;
      }
      if (!capKnown || capped.length === 0) continue;
      const capTerms = capacityTerms(capped);
      const cap = capTerms.reduce((acc, t) => acc + termValue(t), 0);
      if (cap <= maxclients.value) continue;
      const poolAt = related[0];
      const processes = capTerms.reduce((acc, t) => acc + t.containers * (t.factors[0]?.value ?? 1), 0);
      report({
        span: poolAt?.span ?? maxclients.span,
        severity: 'warning',
        message: `${formatTerms(capTerms)} = ${cap} Redis connections allowed by the connection pools > ${maxText} of ${redis.service.name} (${where(maxclients.span)}); with ${formatTerms(needTerms)} = ${need} requests at once they stay lower, but the pool limit no longer protects Redis`,
        related: [{ span: maxclients.span, message: maxText }, ...related.slice(1)],
        hint: `lower max_connections to ${Math.floor(maxclients.value / processes)} or less (maxclients / ${processes} processes), or raise maxclients`,
      });
    }
  },
});

/** maxclients as Redis applies it: lowered to the container's open-files limit minus Redis's own descriptors. */
function effectiveMaxclients(redis: RedisService): (Known<number> & { note: string }) | { kind: 'unknown'; reason: string; span: Known<number>['span'] } {
  const max = redisInt(redis, 'maxclients');
  if (max.kind === 'unknown') return max;
  const nofile = redis.service.ulimits.find((u) => u.name === 'nofile')?.soft;
  if (nofile?.kind === 'known' && nofile.value - REDIS_RESERVED_FDS < max.value) {
    return { kind: 'known', value: nofile.value - REDIS_RESERVED_FDS, span: nofile.span, note: ` (maxclients ${max.value} lowered to the nofile ulimit ${nofile.value} - ${REDIS_RESERVED_FDS})` };
  }
  return { ...max, note: '' };
}
