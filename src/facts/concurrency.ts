import { own } from '../core/own.js';
import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { AppService, Stack } from '../stack/stack.js';
import { groupName } from './groups.js';
import { pyNumber, type DjangoWorker } from '../inputs/django.js';
import { pyGet } from '../python/value.js';
import type { BackgroundWorker } from '../stack/workers.js';

/**
 * Concurrency, computed in one place: for every app service, containers (`deploy.replicas`/`scale:`,
 * counted exactly like N numbered services) x processes (gunicorn `--workers`, from every settings
 * source) x requests per process (threads, 1 for sync, worker connections for gevent/eventlet). Every
 * rule and the capacity report read this fact; nothing else multiplies these numbers.
 */
export interface ServiceConcurrency {
  readonly service: ComposeService;
  readonly app: AppService;
  /** Containers the service runs; 1 (isDefault) when neither `deploy.replicas` nor `scale:` is set. */
  readonly containers: Value<number>;
  readonly processes: Value<number>;
  /** Requests one process serves at once. */
  readonly perProcess: Value<number>;
  /** How the per-process number is named in messages: `threads`, `worker_connections`, `tasks`. */
  readonly perProcessUnit: string;
}

/**
 * A concurrency's three numbers when all are known, else the first unknown of processes, per-process
 * and containers (in that order), which says why a count cannot be made.
 */
export function concurrencyNumbers(c: Pick<ServiceConcurrency, 'containers' | 'processes' | 'perProcess'>):
  | { readonly kind: 'known'; readonly containers: number; readonly processes: number; readonly perProcess: number }
  | Extract<Value<number>, { kind: 'unknown' }> {
  for (const v of [c.processes, c.perProcess, c.containers]) if (v.kind === 'unknown') return v;
  return { kind: 'known', containers: (c.containers as Known<number>).value, processes: (c.processes as Known<number>).value, perProcess: (c.perProcess as Known<number>).value };
}

/** Replicas of one tier (or one service) that run the same workers x threads. */
export interface ConcurrencyGroup {
  /** `web` for a whole tier, `web-11..web-15` for part of one, else the service name. */
  readonly name: string;
  readonly services: readonly ComposeService[];
  /** Containers, `deploy.replicas` counted. */
  readonly containers: number;
  readonly workers: Known<number>;
  readonly workerClass: Known<string>;
  readonly perWorker: Known<number>;
  readonly unit: 'threads' | 'worker_connections';
  /** containers x workers x perWorker. */
  readonly concurrency: number;
  readonly app: AppService;
}

/** One background worker (Celery, Channels, RQ, Django-Q) of a service, counted like an app server. */
export interface WorkerConcurrency {
  readonly service: ComposeService;
  readonly worker: BackgroundWorker;
  readonly containers: Value<number>;
  readonly processes: Value<number>;
  readonly perProcess: Value<number>;
  readonly perProcessUnit: BackgroundWorker['perProcessUnit'];
}

export interface StackConcurrency {
  /** Every app service, in compose order. */
  readonly services: readonly ServiceConcurrency[];
  /** Every background worker of a service without an app server, in compose order. */
  readonly workers: readonly WorkerConcurrency[];
  workersOf(service: ComposeService): readonly WorkerConcurrency[];
  readonly groups: readonly ConcurrencyGroup[];
  /** App servers whose concurrency cannot be known; a total over the stack is then unknown. */
  readonly unknowns: ReadonlyArray<{ readonly service: ComposeService; readonly reason: string; readonly span: Span }>;
  readonly total: number;
  of(service: ComposeService): ServiceConcurrency | undefined;
}

const GREEN_WORKERS = /gevent|eventlet/i;
const ASYNC_WORKERS = /uvicorn|asgi|tornado|aiohttp/i;

/** Processes and per-process requests of one app server. */
function processConcurrency(app: AppService): Pick<ServiceConcurrency, 'processes' | 'perProcess' | 'perProcessUnit'> {
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
  if (app.facts) {
    // uWSGI, uvicorn, daphne, granian: the view read their processes; async servers have no fixed per-process limit.
    const f = app.facts;
    const perProcess = f.interface.kind === 'known' && f.interface.value === 'wsgi' ? f.threads : unknown(`${f.kind} runs requests as async tasks without a fixed limit`, app.server.span);
    return { processes: f.processes, perProcess, perProcessUnit: f.interface.kind === 'known' && f.interface.value === 'wsgi' ? 'threads' : 'tasks' };
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

/** Containers a service runs: `scale:`, else `deploy.replicas`, else 1. */
export function containerCount(svc: ComposeService): Value<number> {
  return svc.replicas ?? known(1, svc.nameSpan, { isDefault: true });
}

/** The stack's concurrency; built once per stack into its facts (src/facts/index.ts). */
export function stackConcurrency(stack: Stack): StackConcurrency {
  const services: ServiceConcurrency[] = [];
  for (const svc of stack.services) {
    const app = stack.app(svc);
    if (app) services.push({ service: svc, app, containers: containerCount(svc), ...processConcurrency(app) });
  }
  const groups: ConcurrencyGroup[] = [];
  const unknowns: { service: ComposeService; reason: string; span: Span }[] = [];
  const pending = new Map<string, { services: ComposeService[]; containers: number; c: ServiceConcurrency; workers: Known<number>; perWorker: Known<number> }>();
  for (const c of services) {
    const svc = c.service;
    if (c.perProcess.kind === 'unknown' || (c.perProcessUnit !== 'threads' && c.perProcessUnit !== 'worker_connections')) {
      const p = c.perProcess;
      unknowns.push({ service: svc, reason: p.kind === 'unknown' ? p.reason : `${c.perProcessUnit} per process are not bounded`, span: p.span });
      continue;
    }
    const workers = c.processes;
    if (workers.kind === 'unknown') {
      unknowns.push({ service: svc, reason: workers.reason, span: workers.span });
      continue;
    }
    const count = c.containers;
    if (count.kind === 'unknown') {
      unknowns.push({ service: svc, reason: count.reason, span: count.span });
      continue;
    }
    const tier = stack.tierOf(svc);
    const key = tier ? `${tier.name}\0${workers.value}\0${c.perProcess.value}\0${c.perProcessUnit}` : `\0${svc.name}`;
    const group = pending.get(key);
    if (group) {
      group.services.push(svc);
      group.containers += count.value;
    } else {
      pending.set(key, { services: [svc], containers: count.value, c, workers, perWorker: c.perProcess });
    }
  }
  for (const g of pending.values()) {
    const app = g.c.app;
    groups.push({
      name: groupName(stack, g.services),
      services: g.services,
      containers: g.containers,
      workers: g.workers,
      workerClass: app.gunicorn?.workerClass.kind === 'known' ? app.gunicorn.workerClass : known(app.server.kind, app.server.span),
      perWorker: g.perWorker,
      unit: g.c.perProcessUnit === 'worker_connections' ? 'worker_connections' : 'threads',
      concurrency: g.containers * g.workers.value * g.perWorker.value,
      app,
    });
  }
  const byService = new Map(services.map((c) => [c.service, c]));
  const workers = stack.data.workers.flatMap((w) => w.workers.map((worker) => workerConcurrency(w, worker)));
  return {
    services, workers, groups, unknowns, total: groups.reduce((s, g) => s + g.concurrency, 0),
    of: (s) => byService.get(s), workersOf: (s) => workers.filter((w) => w.service === s),
  };
}

function workerConcurrency(w: DjangoWorker, worker: BackgroundWorker): WorkerConcurrency {
  let processes = worker.processes;
  if (worker.readsSetting === 'Q_CLUSTER') {
    const n = pyNumber(pyGet(w.settings?.names.get('Q_CLUSTER'), 'workers'));
    if (n?.kind === 'known' && n.value !== null) processes = { ...n, value: n.value };
    else if (n?.kind === 'unknown') processes = n;
  }
  return { service: w.service, worker, containers: containerCount(w.service), processes, perProcess: worker.perProcess, perProcessUnit: worker.perProcessUnit };
}

/** `15 replicas x 8 workers x 4 threads = 480` */
export function describeGroup(g: ConcurrencyGroup): string {
  const unit = g.unit === 'threads' ? (g.perWorker.value === 1 ? 'thread' : 'threads') : 'worker_connections';
  return `${g.containers} ${g.containers === 1 ? 'replica' : 'replicas'} x ${g.workers.value} ${g.workers.value === 1 ? 'worker' : 'workers'} x ${g.perWorker.value} ${unit}`;
}

/** One summand of a capacity sum: services with the same factors, their containers counted. */
export interface CapacityTerm {
  readonly services: readonly ComposeService[];
  /** Containers of those services (`deploy.replicas` counted). */
  readonly containers: number;
  /** The factors after the container count, e.g. [8 workers, 4 threads]. */
  readonly factors: ReadonlyArray<{ readonly value: number; readonly unit: string }>;
}

/** A service's share of a sum: its containers times `factors`. */
export interface CapacityItem {
  readonly service: ComposeService;
  readonly containers: number;
  readonly factors: CapacityTerm['factors'];
}

/** Groups per-service products by equal factors, keeping first-seen order. */
export function capacityTerms(items: readonly CapacityItem[]): CapacityTerm[] {
  const out: Array<{ services: ComposeService[]; containers: number; factors: CapacityTerm['factors']; key: string }> = [];
  for (const item of items) {
    const key = JSON.stringify(item.factors);
    const group = out.find((g) => g.key === key);
    if (group) {
      if (!group.services.includes(item.service)) group.services.push(item.service);
      group.containers += item.containers;
    } else out.push({ services: [item.service], containers: item.containers, factors: item.factors, key });
  }
  return out.map(({ services, containers, factors }) => ({ services, containers, factors }));
}

export function termValue(t: CapacityTerm): number {
  return t.factors.reduce((acc, f) => acc * f.value, t.containers);
}

const SINGULAR: Readonly<Record<string, string>> = { workers: 'worker', threads: 'thread', aliases: 'alias', pools: 'pool', processes: 'process' };

function singular(unit: string): string {
  return own(SINGULAR, unit) ?? unit;
}

/** `15 replicas x 8 workers x 4 threads` for one term, joined with ` + ` for several. */
export function formatTerms(terms: readonly CapacityTerm[]): string {
  return terms.map((t) => {
    const who = t.containers === 1 ? t.services[0]!.name : `${t.containers} replicas`;
    return [who, ...t.factors.map((f) => `${f.value} ${f.value === 1 ? singular(f.unit) : f.unit}`)].join(' x ');
  }).join(' + ');
}
