import type { Known } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { pyText } from '../src/inputs/django.js';
import { databaseNumber, describePgbouncer, type PgbouncerDatabase, type PgbouncerService } from '../src/inputs/pgbouncer.js';
import { type DataTier } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';
import { availableConnections } from '../src/facts/connections.js';

/** One `[databases]` entry's worth of server connections. */
interface PoolDemand {
  readonly pgbouncer: PgbouncerService;
  readonly database: PgbouncerDatabase;
  readonly pools: number;
  readonly poolSize: Known<number>;
  readonly reserve: Known<number>;
  /** 0 = no limit. */
  readonly maxDb: Known<number>;
  /** What pgbouncer may open for this entry. */
  readonly servers: number;
  readonly arithmetic: string;
}

export default defineRule({
  meta: {
    id: 'pgbouncer-pool-over-db-limit',
    description: 'Reports pgbouncer pools that exceed max_db_connections, or more server connections than Postgres accepts',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'pgbouncer keeps one pool per (database, user) pair. For each `[databases]` entry arena-lint counts the users that reach it (the `user=` it forces, else the distinct Django USERs whose NAME selects it, at least one), and its size (`pool_size=` or `default_pool_size`, plus `reserve_pool`/`reserve_pool_size`). It warns when pools x (pool size + reserve) exceed the entry\'s `max_db_connections`, and reports an error when what pgbouncer may open towards one Postgres service (each entry capped by max_db_connections) exceeds that server\'s `max_connections` minus `superuser_reserved_connections` (and `reserved_connections` on PostgreSQL 16+).',
      why: 'Pools larger than max_db_connections never reach their size: clients queue in pgbouncer until query_wait_timeout although the pool says they should run. More server connections than Postgres accepts fail with "sorry, too many clients already" as soon as the pools fill, exactly at peak load. https://www.pgbouncer.org/config.html#max_db_connections and https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS',
      notes: 'The `*` fallback entry may serve any number of databases and is not counted. max_user_connections is not applied. A Postgres server outside the stack (managed) is not judged.',
    },
  },
  check({ stack, report, where, unknown }) {
    const tier = stack.data;
    const demands: PoolDemand[] = [];
    for (const pgb of tier.pgbouncers) {
      for (const database of pgb.databases) {
        if (database.name === '*') continue;
        const d = demandOf(tier, pgb, database);
        if (typeof d === 'string') {
          unknown(d, database.span);
          continue;
        }
        demands.push(d);
        if (d.maxDb.value > 0 && d.pools * (d.poolSize.value + d.reserve.value) > d.maxDb.value) {
          report({
            span: d.maxDb.span,
            severity: 'warning',
            message: `[databases] ${database.name}: ${d.arithmetic} = ${d.pools * (d.poolSize.value + d.reserve.value)} server connections > max_db_connections ${d.maxDb.value} (${where(d.maxDb.span)}): the pools never reach their size and clients wait`,
            related: [{ span: d.poolSize.span, message: `pool size ${d.poolSize.value}` }, { span: d.reserve.span, message: `reserve ${d.reserve.value}` }],
            hint: 'size the pools to fit max_db_connections, or raise it',
          });
        }
      }
    }
    for (const pg of tier.postgres) {
      const mine = demands.filter((d) => tier.backendOf(d.pgbouncer, d.database) === pg);
      if (mine.length === 0) continue;
      const available = availableConnections(pg);
      if (typeof available === 'string') {
        unknown(available, pg.anchor);
        continue;
      }
      const total = mine.reduce((acc, d) => acc + d.servers, 0);
      if (total <= available.value) continue;
      const biggest = [...mine].sort((a, b) => b.servers - a.servers)[0]!;
      const fixAt = biggest.maxDb.value > 0 && biggest.servers === biggest.maxDb.value ? biggest.maxDb : biggest.poolSize;
      const sum = mine.map((d) => `${d.database.name}: ${d.servers === d.maxDb.value && d.maxDb.value > 0 ? `max_db_connections ${d.maxDb.value}` : d.arithmetic}`).join(' + ');
      const poolers = listNames([...new Set(mine.map((d) => describePgbouncer(d.pgbouncer)))]);
      report({
        span: fixAt.span,
        message: `${poolers} may open ${sum} = ${total} server connections to ${pg.service.name}, more than it accepts: ${available.text} (${where(available.span)})`,
        related: [{ span: available.span, message: `max_connections ${available.max}${available.isDefault ? ' (PostgreSQL default)' : ''}` }],
        hint: `keep pgbouncer's server connections to ${pg.service.name} at or below ${available.value} (max_db_connections), or raise max_connections`,
      });
    }
  },
});

function demandOf(tier: DataTier, pgb: PgbouncerService, database: PgbouncerDatabase): PoolDemand | string {
  const poolSize = databaseNumber(pgb, database, 'pool_size', 'default_pool_size');
  const reserveParam = database.params.has('reserve_pool_size') ? 'reserve_pool_size' : 'reserve_pool';
  const reserve = databaseNumber(pgb, database, reserveParam, 'reserve_pool_size');
  const maxDb = databaseNumber(pgb, database, 'max_db_connections', 'max_db_connections');
  if (poolSize.kind === 'unknown') return `pool size of [databases] ${database.name} is unknown: ${poolSize.reason}`;
  if (reserve.kind === 'unknown') return `reserve pool of [databases] ${database.name} is unknown: ${reserve.reason}`;
  if (maxDb.kind === 'unknown') return `max_db_connections of [databases] ${database.name} is unknown: ${maxDb.reason}`;
  const forced = database.params.get('user');
  let pools = 1;
  if (!forced) {
    // Distinct known users among the Django aliases this entry serves: a lower bound of its pools.
    const users = new Set<string>();
    for (const { db, route } of tier.databases) {
      if (route.kind !== 'pgbouncer' || route.pgbouncer !== pgb || route.database !== database) continue;
      const user = pyText(db.user);
      if (user?.kind === 'known') users.add(user.value);
    }
    pools = Math.max(1, users.size);
  }
  const wanted = pools * (poolSize.value + reserve.value);
  return {
    pgbouncer: pgb, database, pools, poolSize, reserve, maxDb,
    servers: maxDb.value > 0 ? Math.min(wanted, maxDb.value) : wanted,
    arithmetic: `${pools} ${pools === 1 ? 'pool' : 'pools'} x (${poolSize.value} + ${reserve.value} reserve)`,
  };
}
