import type { RelatedLocation } from '../core/finding.js';
import type { Known, Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import { pyNumber, pyText, type DjangoProcess, type DjangoWorker } from '../inputs/django.js';
import { postgresInt, type PostgresService } from '../inputs/postgres.js';
import type { Stack } from '../stack/stack.js';
import type { RoutedDatabase } from '../stack/data-tier.js';
import { workerName } from '../stack/workers.js';
import { concurrencyNumbers, type CapacityItem, type StackConcurrency } from './concurrency.js';

/**
 * Who holds database connections, for the connection funnels (postgres-connection-capacity,
 * pgbouncer-client-capacity): every app service and every background worker whose aliases are
 * selected, each one connection per alias per thread (Django keeps one connection per thread and alias).
 */
export interface ConnectionHolders {
  readonly items: CapacityItem[];
  /** The place each term starts its processes (the app server, the celery command). */
  readonly starts: Map<ComposeService, { span: Span; text: string }>;
  /** CONN_MAX_AGE lines of the aliases counted. */
  readonly related: RelatedLocation[];
  /** True when any alias counted keeps its connection open between requests (CONN_MAX_AGE > 0 or None). */
  readonly persistent: boolean;
  /** Workers that reach the target but whose concurrency is unknown: what is counted is then a lower bound. */
  readonly unknownWorkers: Array<{ readonly service: ComposeService; readonly what: string }>;
  /** An app service's concurrency or an alias's CONN_MAX_AGE is unknown: the rule stays silent. */
  readonly silent: boolean;
}

type Selected<A extends DjangoProcess> = (r: RoutedDatabase<A>) => boolean;

/**
 * The connection holders among `databases` (apps) and `workerDatabases` that `select` keeps.
 * `persistentOnly` leaves out aliases with CONN_MAX_AGE 0, which close after each request.
 */
export function connectionHolders(
  ctx: { readonly stack: Stack; readonly facts: { readonly concurrency: StackConcurrency }; unknown?(reason: string, span?: Span): void },
  select: Selected<DjangoProcess>,
  persistentOnly: boolean,
): ConnectionHolders {
  const { stack, facts } = ctx;
  const unknown = (reason: string, span?: Span) => ctx.unknown?.(reason, span);
  const related: RelatedLocation[] = [];
  const items: CapacityItem[] = [];
  const starts = new Map<ComposeService, { span: Span; text: string }>();
  const unknownWorkers: Array<{ service: ComposeService; what: string }> = [];
  let persistent = false;
  let silent = false;
  const aliasesOf = (routed: readonly RoutedDatabase<DjangoProcess>[]): Map<ComposeService, number> => {
    const out = new Map<ComposeService, Set<string>>();
    for (const r of routed) {
      if (!select(r)) continue;
      const age = pyNumber(r.db.connMaxAge);
      if (age?.kind === 'unknown') {
        unknown(`CONN_MAX_AGE of "${r.db.alias}" is unknown: ${age.reason}`, age.span);
        silent = true;
        continue;
      }
      const held = age !== undefined && age.value !== 0;
      if (!held && persistentOnly) continue;
      if (held) {
        persistent = true;
        if (!related.some((x) => x.span === age.span)) related.push({ span: age.span, message: `CONN_MAX_AGE ${age.value === null ? 'None' : age.value}: connections persist` });
      }
      const set = out.get(r.db.app.service) ?? new Set<string>();
      set.add(r.db.alias);
      out.set(r.db.app.service, set);
    }
    return new Map([...out].map(([s, set]) => [s, set.size]));
  };
  for (const [service, aliases] of aliasesOf(stack.data.databases)) {
    const c = facts.concurrency.of(service)!;
    const n = concurrencyNumbers(c);
    if (n.kind === 'unknown') {
      unknown(`concurrency of ${service.name} is unknown: ${n.reason}`, n.span);
      silent = true;
      continue;
    }
    const factors = [
      { value: n.processes, unit: 'workers' },
      { value: n.perProcess, unit: c.perProcessUnit },
      ...(aliases > 1 ? [{ value: aliases, unit: 'aliases' }] : []),
    ];
    items.push({ service, containers: n.containers, factors });
    starts.set(service, { span: c.app.server.span, text: `${service.name} starts ${factors.map((f) => `${f.value} ${f.unit}`).join(' x ')}` });
  }
  for (const [service, aliases] of aliasesOf(stack.data.workerDatabases as readonly RoutedDatabase<DjangoWorker>[])) {
    for (const w of facts.concurrency.workersOf(service)) {
      // Beat only queries the database with django_celery_beat's scheduler (command line or settings).
      if (w.worker.kind === 'celery-beat' && !beatUsesDatabase(stack.data.workers.find((x) => x.service === service), w.worker.scheduler)) continue;
      const missing = [w.containers, w.processes, w.perProcess].find((v) => v.kind === 'unknown');
      if (missing?.kind === 'unknown') {
        unknown(`concurrency of the ${workerName(w.worker)} of ${service.name} is unknown: ${missing.reason}`, missing.span);
        unknownWorkers.push({ service, what: `${service.name} (${workerName(w.worker)}, ${missing.reason})` });
        continue;
      }
      const [containers, processes, perProcess] = [w.containers, w.processes, w.perProcess] as Known<number>[];
      const factors = [
        ...(processes!.value !== 1 || perProcess!.value === 1 ? [{ value: processes!.value, unit: 'processes' }] : []),
        ...(perProcess!.value !== 1 ? [{ value: perProcess!.value, unit: w.perProcessUnit }] : []),
        ...(aliases > 1 ? [{ value: aliases, unit: 'aliases' }] : []),
      ];
      items.push({ service, containers: containers!.value, factors });
      const pool = w.worker.pool?.kind === 'known' ? ` (pool ${w.worker.pool.value})` : '';
      starts.set(service, { span: w.worker.span, text: `${service.name} runs a ${workerName(w.worker)}${pool}: ${factors.map((f) => count(f.value, f.unit)).join(' x ')}` });
    }
  }
  return { items, starts, related, persistent, unknownWorkers, silent };
}

function count(n: number, unit: string): string {
  return `${n} ${n !== 1 ? unit : unit === 'processes' ? 'process' : unit.replace(/s$/, '')}`;
}

function beatUsesDatabase(worker: DjangoWorker | undefined, scheduler: Known<string> | { kind: 'unknown' } | undefined): boolean {
  if (scheduler) return scheduler.kind === 'known' && /django_celery_beat/.test(scheduler.value);
  const setting = pyText(worker?.settings?.names.get('CELERY_BEAT_SCHEDULER'));
  return setting?.kind === 'known' && /django_celery_beat/.test(setting.value);
}

/** What a Postgres server accepts from clients: max_connections minus the reserved slots. */
export interface PostgresAvailable {
  readonly value: number;
  readonly max: number;
  readonly text: string;
  readonly span: Span;
  readonly isDefault: boolean;
}

export function availableConnections(pg: PostgresService): PostgresAvailable | string {
  const max = postgresInt(pg, 'max_connections');
  const superuser = postgresInt(pg, 'superuser_reserved_connections');
  const reserved = postgresInt(pg, 'reserved_connections');
  if (max.kind === 'unknown') return `max_connections of ${pg.service.name} is unknown: ${max.reason}`;
  if (superuser.kind === 'unknown') return `superuser_reserved_connections of ${pg.service.name} is unknown: ${superuser.reason}`;
  if (reserved.kind === 'unknown') return `reserved_connections of ${pg.service.name} is unknown: ${reserved.reason}`;
  const [m, s, r] = [max, superuser, reserved];
  const text = `max_connections ${m.value} - superuser_reserved_connections ${s.value}${r.value > 0 ? ` - reserved_connections ${r.value}` : ''} = ${m.value - s.value - r.value}`;
  return { value: m.value - s.value - r.value, max: m.value, text, span: m.span, isDefault: m.isDefault === true };
}
