/**
 * Redis server defaults (redis.conf of Redis 7, https://redis.io/docs/latest/operate/oss_and_stack/management/config-file/)
 * for the settings the stack rules read. Names are lower-case, as Redis matches them case-insensitively.
 */
export const REDIS_DEFAULTS: ReadonlyMap<string, string> = new Map([
  ['port', '6379'],
  ['bind', '* -::*'],
  ['protected-mode', 'yes'],
  ['maxclients', '10000'],
  ['tcp-backlog', '511'],
  // 0 means no limit (on 64-bit builds).
  ['maxmemory', '0'],
  ['maxmemory-policy', 'noeviction'],
  ['timeout', '0'],
  ['tcp-keepalive', '300'],
  ['databases', '16'],
  ['appendonly', 'no'],
  ['save', '3600 1 300 100 60 10000'],
  ['io-threads', '1'],
]);

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };

/**
 * Bytes of a Redis memory value, with Redis's own grammar (memtoll): an integer, then optionally
 * `k` = 1000, `kb` = 1024, `m` = 10^6, `mb` = 1024^2, `g` = 10^9, `gb` = 1024^3, `b` = 1, in any
 * case; no spaces and no fractions. Undefined when Redis would refuse it.
 */
export function parseRedisMemory(raw: string): number | undefined {
  const m = /^(-?\d+)([a-z]*)$/i.exec(raw);
  if (!m) return undefined;
  const mul = MEMORY_UNITS[m[2]!.toLowerCase()];
  return mul === undefined ? undefined : Number(m[1]) * mul;
}
