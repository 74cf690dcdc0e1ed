import { known, type Known, type Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { AppService, Stack } from '../stack/stack.js';
import { appConcurrency } from '../stack/data-tier.js';
import { groupName } from './groups.js';
import { serviceResources } from './resources.js';

/**
 * Requests one worker process handles at once, by gunicorn worker class
 * (https://docs.gunicorn.org/en/stable/design.html): sync 1, gthread `--threads`, gevent and eventlet
 * `--worker-connections`. ASGI and tornado workers have no fixed bound.
 */
export interface WorkerConcurrency {
  readonly perWorker: Known<number>;
  /** What the per-worker number is: `threads` or `worker_connections`. */
  readonly unit: 'threads' | 'worker_connections';
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
  readonly unit: WorkerConcurrency['unit'];
  /** containers x workers x perWorker. */
  readonly concurrency: number;
  readonly app: AppService;
}

export interface StackConcurrency {
  readonly groups: readonly ConcurrencyGroup[];
  /** App servers whose concurrency cannot be known; a total over the stack is then unknown. */
  readonly unknowns: ReadonlyArray<{ readonly service: ComposeService; readonly reason: string; readonly span: Span }>;
  readonly total: number;
}

/** The per-worker concurrency of an app server, from the data tier's reading of its worker class. */
export function workerConcurrency(app: AppService): WorkerConcurrency | { reason: string; span: Span } {
  const c = appConcurrency(app);
  if (c.perProcess.kind === 'unknown') return { reason: c.perProcess.reason, span: c.perProcess.span };
  return { perWorker: c.perProcess, unit: c.perProcessUnit === 'worker_connections' ? 'worker_connections' : 'threads' };
}

/** Concurrent requests of every app server of the stack, grouped by tier; computed once per stack. */
export function stackConcurrency(stack: Stack): StackConcurrency {
  return stack.memo('host.concurrency', () => {
    const groups: ConcurrencyGroup[] = [];
    const unknowns: { service: ComposeService; reason: string; span: Span }[] = [];
    const counts = new Map(serviceResources(stack).map((u) => [u.service.name, u.count]));
    const pending = new Map<string, { services: ComposeService[]; containers: number; app: AppService; wc: WorkerConcurrency; workers: Known<number> }>();
    for (const svc of stack.services) {
      const app = stack.app(svc);
      if (!app) continue;
      const wc = workerConcurrency(app);
      const count = counts.get(svc.name);
      const workers = appConcurrency(app).processes;
      if ('reason' in wc) {
        unknowns.push({ service: svc, ...wc });
        continue;
      }
      if (!workers || workers.kind === 'unknown') {
        unknowns.push({ service: svc, reason: workers?.kind === 'unknown' ? workers.reason : 'no worker count', span: workers?.span ?? app.server.span });
        continue;
      }
      if (!count || count.kind === 'unknown') {
        unknowns.push({ service: svc, reason: count?.kind === 'unknown' ? count.reason : 'no replica count', span: count?.span ?? svc.nameSpan });
        continue;
      }
      const tier = stack.tierOf(svc);
      const key = tier ? `${tier.name}\0${workers.value}\0${wc.perWorker.value}\0${wc.unit}` : `\0${svc.name}`;
      const group = pending.get(key);
      if (group) {
        group.services.push(svc);
        group.containers += count.value;
      } else {
        pending.set(key, { services: [svc], containers: count.value, app, wc, workers });
      }
    }
    for (const g of pending.values()) {
      const name = groupName(stack, g.services);
      groups.push({
        name,
        services: g.services,
        containers: g.containers,
        workers: g.workers,
        workerClass: g.app.gunicorn?.workerClass.kind === 'known' ? g.app.gunicorn.workerClass : known(g.app.server.kind, g.app.server.span),
        perWorker: g.wc.perWorker,
        unit: g.wc.unit,
        concurrency: g.containers * g.workers.value * g.wc.perWorker.value,
        app: g.app,
      });
    }
    return { groups, unknowns, total: groups.reduce((s, g) => s + g.concurrency, 0) };
  });
}

/** `15 replicas x 8 workers x 4 threads = 480` */
export function describeGroup(g: ConcurrencyGroup): string {
  const unit = g.unit === 'threads' ? (g.perWorker.value === 1 ? 'thread' : 'threads') : 'worker_connections';
  return `${g.containers} ${g.containers === 1 ? 'replica' : 'replicas'} x ${g.workers.value} ${g.workers.value === 1 ? 'worker' : 'workers'} x ${g.perWorker.value} ${unit}`;
}
