import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import {
  djangoApps, djangoDatabases, djangoRedisUses, isPostgresEngine, pyText, type DjangoApp, type DjangoDatabase, type DjangoRedisUse,
} from '../inputs/django.js';
import { databaseFor, isPgbouncerService, pgbouncerNumber, pgbouncerText, readPgbouncer, type PgbouncerDatabase, type PgbouncerService } from '../inputs/pgbouncer.js';
import { isPostgresService, readPostgres, type PostgresService } from '../inputs/postgres.js';
import { isRedisService, readRedis, type RedisService } from '../inputs/redis.js';
import type { AppService, Stack } from './stack.js';
import { own } from '../core/own.js';

/** Where one Django database alias really connects. */
export type DatabaseRoute =
  | { readonly kind: 'pgbouncer'; readonly pgbouncer: PgbouncerService; readonly host: Known<string>; readonly port: Known<number>; readonly database?: PgbouncerDatabase }
  | { readonly kind: 'postgres'; readonly postgres: PostgresService; readonly host: Known<string>; readonly port: Known<number> }
  /** Another compose service, an outside host, or a unix socket (empty HOST or a path). */
  | { readonly kind: 'other'; readonly service?: ComposeService; readonly host: Known<string>; readonly port: Known<number> }
  | { readonly kind: 'unknown'; readonly reason: string; readonly span: Span };

export interface RoutedDatabase {
  readonly db: DjangoDatabase;
  readonly route: DatabaseRoute;
}

export interface RoutedRedisUse {
  readonly use: DjangoRedisUse;
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
  /** The Postgres service a pgbouncer database entry forwards to. */
  backendOf(pgb: PgbouncerService, db: PgbouncerDatabase): PostgresService | undefined;
}

/** Builds (once) and returns the stack's data tier; called eagerly so parse errors are reported. */
export function dataTier(stack: Stack): DataTier {
  return stack.memo('data-tier', () => buildDataTier(stack));
}

function buildDataTier(stack: Stack): DataTier {
  const pgbouncers = stack.services.filter((s) => isPgbouncerService(stack, s)).map((s) => readPgbouncer(stack, s));
  const postgres = stack.services.filter((s) => !isPgbouncerService(stack, s) && isPostgresService(stack, s)).map((s) => readPostgres(stack, s));
  const redis = stack.services.filter((s) => isRedisService(stack, s)).map((s) => readRedis(stack, s));
  const apps = djangoApps(stack);

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
  const redisUses = apps.flatMap(djangoRedisUses).map((use): RoutedRedisUse => {
    const svc = use.host.kind === 'known' ? stack.resolveHost(use.host.value) : undefined;
    const target = svc ? redis.find((r) => r.service === svc) : undefined;
    return target ? { use, redis: target } : { use };
  });

  return {
    stack: stack.name,
    pgbouncers,
    postgres,
    redis,
    apps,
    databases,
    unknownDatabases,
    redisUses,
    backendOf(pgb, db) {
      const host = db.params.get('host');
      const svc = host?.kind === 'known' ? stack.resolveHost(host.value) : undefined;
      return svc ? postgres.find((p) => p.service === svc) : undefined;
    },
  };
}

const POSTGRES_PORT = 5432;

function routeDatabase(stack: Stack, db: DjangoDatabase, pgbouncers: readonly PgbouncerService[], postgres: readonly PostgresService[]): DatabaseRoute {
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

/** How many processes an app service runs and how many requests each serves at once. */
export interface AppConcurrency {
  readonly processes: Value<number>;
  /** Requests one process serves at once: threads (gthread), 1 (sync), worker_connections (gevent, eventlet). */
  readonly perProcess: Value<number>;
  /** How the per-process unit is named in messages. */
  readonly perProcessUnit: string;
}

const GREEN_WORKERS = /gevent|eventlet/i;
const ASYNC_WORKERS = /uvicorn|asgi|tornado|aiohttp/i;

export function appConcurrency(app: AppService): AppConcurrency {
  const g = app.gunicorn;
  if (g) {
    const cls = g.workerClass;
    if (cls.kind === 'unknown') return { processes: g.workers, perProcess: cls, perProcessUnit: 'threads' };
    if (cls.value === 'sync') return { processes: g.workers, perProcess: known(1, cls.span, { isDefault: cls.isDefault === true }), perProcessUnit: 'threads' };
    if (cls.value === 'gthread') return { processes: g.workers, perProcess: g.threads, perProcessUnit: 'threads' };
    if (GREEN_WORKERS.test(cls.value)) return { processes: g.workers, perProcess: g.workerConnections, perProcessUnit: 'worker_connections' };
    const why = ASYNC_WORKERS.test(cls.value) ? `${cls.value} runs requests as async tasks without a fixed limit` : `unknown worker class ${cls.value}`;
    return { processes: g.workers, perProcess: unknown(why, cls.span), perProcessUnit: 'tasks' };
  }
  const argv = app.server.argv.map((w) => w.value);
  const at = argv.findIndex((w) => w.kind === 'known' && /^--workers(=|$)/.test(w.value));
  let processes: Value<number> = known(1, app.server.span, { isDefault: true });
  if (app.server.kind === 'uwsgi') processes = unknown('uwsgi process counts are not read', app.server.span);
  else if (at >= 0) {
    const w = argv[at]!;
    const raw = w.kind === 'known' && w.value.includes('=') ? known(w.value.split('=')[1]!, w.span) : argv[at + 1];
    processes = raw?.kind === 'known' && /^\d+$/.test(raw.value) ? { ...raw, value: Number(raw.value) } : unknown('--workers is not a number', w.span);
  }
  return { processes, perProcess: unknown(`${app.server.kind} runs requests as async tasks without a fixed limit`, app.server.span), perProcessUnit: 'tasks' };
}

/** One summand of a capacity sum: a group of services with the same numbers. */
export interface CapacityTerm {
  readonly services: readonly ComposeService[];
  /** The factors after the service count, e.g. [8 workers, 4 threads]. */
  readonly factors: ReadonlyArray<{ readonly value: number; readonly unit: string }>;
}

/** Groups per-service products by equal factors, keeping first-seen order. */
export function capacityTerms(items: ReadonlyArray<{ service: ComposeService; factors: CapacityTerm['factors'] }>): CapacityTerm[] {
  const out: Array<{ services: ComposeService[]; factors: CapacityTerm['factors']; key: string }> = [];
  for (const item of items) {
    const key = JSON.stringify(item.factors);
    const group = out.find((g) => g.key === key);
    if (group) group.services.push(item.service);
    else out.push({ services: [item.service], factors: item.factors, key });
  }
  return out.map(({ services, factors }) => ({ services, factors }));
}

export function termValue(t: CapacityTerm): number {
  return t.factors.reduce((acc, f) => acc * f.value, t.services.length);
}

const SINGULAR: Readonly<Record<string, string>> = { workers: 'worker', threads: 'thread', aliases: 'alias', pools: 'pool', processes: 'process' };

function singular(unit: string): string {
  return own(SINGULAR, unit) ?? unit;
}

/** `15 replicas x 8 workers x 4 threads` for one term, joined with ` + ` for several. */
export function formatTerms(terms: readonly CapacityTerm[]): string {
  return terms.map((t) => {
    const who = t.services.length === 1 ? t.services[0]!.name : `${t.services.length} replicas`;
    return [who, ...t.factors.map((f) => `${f.value} ${f.value === 1 ? singular(f.unit) : f.unit}`)].join(' x ');
  }).join(' + ');
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
