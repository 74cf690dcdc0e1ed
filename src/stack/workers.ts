import { known, unknown, type Span, type Value } from '../core/value.js';
import type { ContainerProcess } from '../container/types.js';
import type { ShellWord } from '../parsers/shell-words.js';

/**
 * The background workers a container runs besides (or instead of) an app server: Celery workers and
 * beat, Channels `runworker`, RQ and Django-Q workers. Each loads the same Django settings as the web
 * tier and holds its own database and Redis connections, so the connection funnels count them.
 * Read statically from the process argv the container view followed (supervised children included).
 */
export type WorkerKind = 'celery-worker' | 'celery-beat' | 'channels-worker' | 'rq-worker' | 'django-q';

export interface BackgroundWorker {
  readonly kind: WorkerKind;
  /** The program word that starts it (`celery`, `manage.py`), where the user edits its flags. */
  readonly span: Span;
  /** Celery's execution pool: prefork (default), threads, gevent, eventlet, solo. */
  readonly pool?: Value<string>;
  /** Processes that run tasks: prefork's `--concurrency`, 1 for the other pools. */
  readonly processes: Value<number>;
  /** Tasks one process runs at once: the threads/greenlets of the threads/gevent/eventlet pools, else 1. */
  readonly perProcess: Value<number>;
  /** How `perProcess` is named in messages. */
  readonly perProcessUnit: 'threads' | 'greenlets' | 'tasks';
  /** Celery's `-A/--app` module, whose import may set DJANGO_SETTINGS_MODULE. */
  readonly app?: Value<string>;
  /** Celery beat's `--scheduler`; only django_celery_beat's DatabaseScheduler queries the database. */
  readonly scheduler?: Value<string>;
  /** The Django settings the worker needs for its own count (Django-Q's `Q_CLUSTER["workers"]`), filled by the data tier. */
  readonly readsSetting?: string;
}

const WORKER_NAMES: Readonly<Record<WorkerKind, string>> = {
  'celery-worker': 'Celery worker',
  'celery-beat': 'Celery beat',
  'channels-worker': 'Channels worker',
  'rq-worker': 'RQ worker',
  'django-q': 'Django-Q cluster',
};

export function workerName(w: BackgroundWorker): string {
  return WORKER_NAMES[w.kind];
}

/** Celery options (before or after the subcommand) that take a separate value word. */
const CELERY_VALUE_OPTIONS = new Set([
  '-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-l', '--loglevel', '-Q', '--queues',
  '-n', '--hostname', '-X', '--exclude-queues', '-f', '--logfile', '--pidfile', '-s', '--schedule', '-S', '--scheduler',
  '--max-tasks-per-child', '--max-memory-per-child', '--prefetch-multiplier', '-E', '--uid', '--gid', '--statedb',
  '-O', '--time-limit', '--soft-time-limit', '--max-interval', '-c', '--concurrency', '-P', '--pool', '--autoscale',
]);
/** Flags among those that are booleans in Celery 5 (`-E` is `--task-events`). */
const CELERY_FLAGS = new Set(['-E', '-B', '--beat', '--detach', '--without-gossip', '--without-mingle', '--without-heartbeat', '-D']);

const THREAD_POOLS: Readonly<Record<string, BackgroundWorker['perProcessUnit']>> = { threads: 'threads', gevent: 'greenlets', eventlet: 'greenlets' };

/** Every background worker the container's process (or a supervised child) runs. */
export function backgroundWorkers(process: ContainerProcess | undefined): BackgroundWorker[] {
  if (!process) return [];
  const own = workerOf(process.argv, process.argvSpan);
  return [...(own ? [own] : []), ...(process.children ?? []).flatMap((c) => backgroundWorkers(c))];
}

function text(w: ShellWord | undefined): string | undefined {
  return w?.value.kind === 'known' ? w.value.value : undefined;
}

function base(w: ShellWord): string | undefined {
  return text(w)?.split('/').pop();
}

function workerOf(argv: readonly ShellWord[], argvSpan: Span): BackgroundWorker | undefined {
  const celeryAt = argv.findIndex((w, i) => base(w) === 'celery' && (i === 0 || text(argv[i - 1]) !== '-A'));
  const moduleAt = argv.findIndex((w, i) => text(w) === '-m' && text(argv[i + 1]) === 'celery');
  const at = celeryAt >= 0 ? celeryAt : moduleAt >= 0 ? moduleAt + 1 : -1;
  if (at >= 0) return celeryWorker(argv, at);
  const manageAt = argv.findIndex((w) => /^(manage\.py|django-admin)$/.test(base(w) ?? ''));
  if (manageAt >= 0) {
    const command = argv.slice(manageAt + 1).find((w) => w.value.kind === 'unknown' || !w.value.value.startsWith('-'));
    const span = argv[manageAt]!.value.span;
    const one = (kind: WorkerKind): BackgroundWorker => ({ kind, span, processes: known(1, span, { isDefault: true }), perProcess: known(1, span, { isDefault: true }), perProcessUnit: 'tasks' });
    switch (command && text(command)) {
      // Channels consumers run sync code (the ORM) in one thread per process (asgiref's thread_sensitive).
      case 'runworker': return one('channels-worker');
      // RQ forks one work horse per job, one job at a time.
      case 'rqworker': return one('rq-worker');
      case 'qcluster': return { ...one('django-q'), processes: unknown('Django-Q starts one worker per CPU unless Q_CLUSTER["workers"] is set', span), readsSetting: 'Q_CLUSTER' };
      default: return undefined;
    }
  }
  const rqAt = argv.findIndex((w, i) => base(w) === 'rq' && text(argv[i + 1]) === 'worker');
  if (rqAt >= 0) {
    const span = argv[rqAt]!.value.span;
    return { kind: 'rq-worker', span, processes: known(1, span, { isDefault: true }), perProcess: known(1, span, { isDefault: true }), perProcessUnit: 'tasks' };
  }
  void argvSpan;
  return undefined;
}

/** `celery -A proj worker -c 4 -P prefork`, `celery -A proj beat`. */
function celeryWorker(argv: readonly ShellWord[], at: number): BackgroundWorker | undefined {
  const span = argv[at]!.value.span;
  let sub: string | undefined;
  let subUnknown: Value<string> | undefined;
  const options = new Map<string, Value<string>>();
  let unknownWord: Value<string> | undefined;
  for (let i = at + 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (w.operator) break;
    const v = w.value;
    if (v.kind === 'unknown') {
      if (!sub) subUnknown = v;
      unknownWord ??= v;
      continue;
    }
    const word = v.value;
    if (word.startsWith('--') && word.includes('=')) {
      const eq = word.indexOf('=');
      options.set(word.slice(0, eq), known(word.slice(eq + 1), v.span));
      continue;
    }
    if (/^-[cP]\S/.test(word)) {
      options.set(word.slice(0, 2), known(word.slice(2), v.span));
      continue;
    }
    if (word.startsWith('-')) {
      if (CELERY_VALUE_OPTIONS.has(word) && !CELERY_FLAGS.has(word)) {
        const next = argv[i + 1];
        if (next) options.set(word, next.value);
        i++;
      } else options.set(word, known('true', v.span));
      continue;
    }
    if (!sub) sub = word;
  }
  if (!sub) return undefined;
  if (subUnknown && sub !== 'worker' && sub !== 'beat') return undefined;
  const appOption = options.get('-A') ?? options.get('--app');
  const app = appOption ? { app: appOption } : {};
  if (sub === 'beat') {
    const scheduler = options.get('--scheduler') ?? options.get('-S');
    return {
      ...app, kind: 'celery-beat', span, processes: known(1, span, { isDefault: true }), perProcess: known(1, span, { isDefault: true }), perProcessUnit: 'tasks',
      ...(scheduler ? { scheduler } : {}),
    };
  }
  if (sub !== 'worker') return undefined;
  const pool = options.get('--pool') ?? options.get('-P') ?? known('prefork', span, { isDefault: true });
  const conc = options.get('--concurrency') ?? options.get('-c');
  const autoscale = options.get('--autoscale');
  let n: Value<number>;
  if (conc) n = conc.kind === 'known' && /^\d+$/.test(conc.value) ? { ...conc, value: Number(conc.value) } : unknown(conc.kind === 'unknown' ? conc.reason : `--concurrency ${JSON.stringify(conc.value)} is not a number`, conc.span);
  else if (autoscale) {
    // --autoscale=MAX,MIN grows the pool up to MAX.
    const max = autoscale.kind === 'known' ? /^(\d+)(,\d+)?$/.exec(autoscale.value)?.[1] : undefined;
    n = max !== undefined ? { ...(autoscale as typeof autoscale & { kind: 'known' }), value: Number(max) } : unknown('--autoscale is not MAX,MIN', autoscale.span);
  } else if (unknownWord) n = unknown(`a word of the celery command is unknown (${unknownWord.kind === 'unknown' ? unknownWord.reason : ''}) and may set --concurrency`, unknownWord.span);
  // os.cpu_count() inside a container is the host's CPUs, whatever deploy.resources says: unknown here.
  else n = unknown('--concurrency is not set: Celery starts one pool process per CPU of the host', span);
  const kind = 'celery-worker';
  if (pool.kind === 'unknown') return { ...app, kind, span, pool, processes: pool, perProcess: pool, perProcessUnit: 'tasks' };
  const one = known(1, pool.span, { isDefault: true });
  if (pool.value === 'solo') return { ...app, kind, span, pool, processes: one, perProcess: one, perProcessUnit: 'tasks' };
  const unit = THREAD_POOLS[pool.value];
  if (unit) return { ...app, kind, span, pool, processes: one, perProcess: n, perProcessUnit: unit };
  if (pool.value === 'prefork' || pool.value === 'processes') return { ...app, kind, span, pool, processes: n, perProcess: one, perProcessUnit: 'tasks' };
  return { ...app, kind, span, pool, processes: unknown(`unknown Celery pool ${pool.value}`, pool.span), perProcess: one, perProcessUnit: 'tasks' };
}
