import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import {
  djangoDatabases, djangoProcesses, djangoRedisUses, isPostgresEngine, pyText,
  type DjangoApp, type DjangoDatabase, type DjangoProcess, type DjangoRedisUse, type DjangoWorker,
} from '../inputs/django.js';
import { databaseFor, isPgbouncerService, pgbouncerNumber, pgbouncerText, readPgbouncer, type PgbouncerDatabase, type PgbouncerService } from '../inputs/pgbouncer.js';
import { isPostgresService, readPostgres, type PostgresService } from '../inputs/postgres.js';
import { isRedisService, readRedis, type RedisService } from '../inputs/redis.js';
import type { StackReader } from './core.js';

/** Where one Django database alias really connects. */
export type DatabaseRoute =
  | { readonly kind: 'pgbouncer'; readonly pgbouncer: PgbouncerService; readonly host: Known<string>; readonly port: Known<number>; readonly database?: PgbouncerDatabase }
  | { readonly kind: 'postgres'; readonly postgres: PostgresService; readonly host: Known<string>; readonly port: Known<number> }
  /** Another compose service, an outside host, or a unix socket (empty HOST or a path). */
  | { readonly kind: 'other'; readonly service?: ComposeService; readonly host: Known<string>; readonly port: Known<number> }
  | { readonly kind: 'unknown'; readonly reason: string; readonly span: Span };

export interface RoutedDatabase<A extends DjangoProcess = DjangoApp> {
  readonly db: DjangoDatabase<A>;
  readonly route: DatabaseRoute;
}

export interface RoutedRedisUse<A extends DjangoProcess = DjangoApp> {
  readonly use: DjangoRedisUse<A>;
  readonly redis?: RedisService;
}

/**
 * The database and cache tier of a stack: pgbouncer, Postgres, Redis and the Django settings the web
 * tier runs with, joined once per stack (issue: the data tier).
 */
export interface DataTier {
  readonly stack: string;
  readonly pgbouncers: readonly PgbouncerService[];
  readonly postgres: readonly PostgresService[];
  readonly redis: readonly RedisService[];
  readonly apps: readonly DjangoApp[];
  /** Every Postgres alias of every app, routed. */
  readonly databases: readonly RoutedDatabase[];
  /** Apps whose DATABASES cannot be known, with the reason. */
  readonly unknownDatabases: ReadonlyArray<{ readonly app: DjangoApp; readonly reason: string }>;
  readonly redisUses: readonly RoutedRedisUse[];
  /** Services that run background workers (Celery, Channels, RQ, Django-Q) instead of an app server, with their settings. */
  readonly workers: readonly DjangoWorker[];
  /** Every Postgres alias of every worker service, routed like the apps'. */
  readonly workerDatabases: readonly RoutedDatabase<DjangoWorker>[];
  readonly workerRedisUses: readonly RoutedRedisUse<DjangoWorker>[];
  /** The Postgres service a pgbouncer database entry forwards to. */
  backendOf(pgb: PgbouncerService, db: PgbouncerDatabase): PostgresService | undefined;
}

/** The stack's data tier, read and routed while the stack is built. */
export function dataTier(stack: { readonly data: DataTier }): DataTier {
  return stack.data;
}

/** Reads the data tier's files (stage 1 of the stack) and routes every Django database to its service. */
export function buildDataTier(stack: StackReader): DataTier {
  // Each service's programs are searched once for pgbouncer (the postgres filter needs the answer too).
  const pgbouncerServices = new Set(stack.services.filter((s) => isPgbouncerService(stack, s)));
  const pgbouncers = stack.services.filter((s) => pgbouncerServices.has(s)).map((s) => readPgbouncer(stack, s));
  const postgres = stack.services.filter((s) => !pgbouncerServices.has(s) && isPostgresService(stack, s)).map((s) => readPostgres(stack, s));
  const redis = stack.services.filter((s) => isRedisService(stack, s)).map((s) => readRedis(stack, s));
  const { apps, workers } = djangoProcesses(stack);

  const databases: RoutedDatabase[] = [];
  const unknownDatabases: Array<{ app: DjangoApp; reason: string }> = [];
  for (const app of apps) {
    const dbs = djangoDatabases(app);
    if (!Array.isArray(dbs)) {
      unknownDatabases.push({ app, reason: dbs.reason });
      continue;
    }
    for (const db of dbs) {
      if (isPostgresEngine(db) === false) continue;
      databases.push({ db, route: routeDatabase(stack, db, pgbouncers, postgres) });
    }
  }
  const workerDatabases: RoutedDatabase<DjangoWorker>[] = [];
  for (const w of workers) {
    const dbs = djangoDatabases(w);
    if (!Array.isArray(dbs)) continue;
    for (const db of dbs) if (isPostgresEngine(db) !== false) workerDatabases.push({ db, route: routeDatabase(stack, db, pgbouncers, postgres) });
  }
  const routeRedis = <A extends DjangoProcess>(use: DjangoRedisUse<A>): RoutedRedisUse<A> => {
    const svc = use.host.kind === 'known' ? stack.resolveHost(use.host.value) : undefined;
    const target = svc ? redis.find((r) => r.service === svc) : undefined;
    return target ? { use, redis: target } : { use };
  };
  const redisUses = apps.flatMap((a) => djangoRedisUses(a)).map(routeRedis);
  const workerRedisUses = workers.flatMap((w) => djangoRedisUses(w)).map(routeRedis);

  return {
    stack: stack.name,
    pgbouncers,
    postgres,
    redis,
    apps,
    databases,
    unknownDatabases,
    redisUses,
    workers,
    workerDatabases,
    workerRedisUses,
    backendOf(pgb, db) {
      const host = db.params.get('host');
      const svc = host?.kind === 'known' ? stack.resolveHost(host.value) : undefined;
      return svc ? postgres.find((p) => p.service === svc) : undefined;
    },
  };
}

const POSTGRES_PORT = 5432;

function routeDatabase(stack: StackReader, db: DjangoDatabase<DjangoProcess>, pgbouncers: readonly PgbouncerService[], postgres: readonly PostgresService[]): DatabaseRoute {
  // Django leaves an empty HOST to libpq (the local unix socket) and an empty PORT to libpq's 5432.
  const host = pyText(db.host) ?? known('', db.aliasSpan, { isDefault: true });
  if (host.kind === 'unknown') return { kind: 'unknown', reason: `HOST of "${db.alias}" is unknown: ${host.reason}`, span: host.span };
  const portText = pyText(db.port) ?? known('', db.aliasSpan, { isDefault: true });
  if (portText.kind === 'unknown') return { kind: 'unknown', reason: `PORT of "${db.alias}" is unknown: ${portText.reason}`, span: portText.span };
  const portNumber = portText.value.trim() === '' ? POSTGRES_PORT : Number(portText.value);
  if (!Number.isInteger(portNumber)) return { kind: 'unknown', reason: `PORT of "${db.alias}" is not a number: ${JSON.stringify(portText.value)}`, span: portText.span };
  const port: Known<number> = { ...portText, value: portNumber };
  if (host.value === '' || host.value.startsWith('/')) return { kind: 'other', host, port };
  const svc = stack.resolveHost(host.value);
  const pgb = svc ? pgbouncers.find((p) => p.service === svc) : undefined;
  if (pgb) {
    const name = pyText(db.name);
    const entry = name?.kind === 'known' ? databaseFor(pgb, name.value) : undefined;
    return { kind: 'pgbouncer', pgbouncer: pgb, host, port, ...(entry ? { database: entry } : {}) };
  }
  const pg = svc ? postgres.find((p) => p.service === svc) : undefined;
  if (pg) return { kind: 'postgres', postgres: pg, host, port };
  return { kind: 'other', ...(svc ? { service: svc } : {}), host, port };
}

/** The TCP port a pgbouncer listens on, and whether it listens on TCP at all (an empty listen_addr means unix socket only). */
export function pgbouncerListen(pgb: PgbouncerService): { port: Value<number>; addr: Value<string> } {
  return { port: pgbouncerNumber(pgb, 'listen_port'), addr: pgbouncerText(pgb, 'listen_addr') };
}

/**
 * Groups items by key, keeping first-seen order. Replicas share one settings evaluation, so a finding
 * about a settings line is reported once, naming every service that runs it.
 */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

export function spanKey(span: Span): string {
  return `${span.file}:${span.start}:${span.end}`;
}
