import { describe, expect, it } from 'vitest';
import { known } from '../../src/core/value.js';
import type { ContainerProcess } from '../../src/container/types.js';
import { literalText } from '../../src/parsers/mapped-text.js';
import { splitShellWords } from '../../src/parsers/shell-words.js';
import { backgroundWorkers, type BackgroundWorker } from '../../src/stack/workers.js';

const FILE = 'docker-compose.yml';

function processOf(command: string, children: string[] = []): ContainerProcess {
  const span = { file: FILE, start: 0, end: command.length };
  return {
    argv: splitShellWords(literalText(FILE, command, 0)),
    argvSpan: span,
    workingDir: known('/app', span),
    environment: new Map(),
    steps: [],
    ...(children.length ? { children: children.map((c) => processOf(c)) } : {}),
  };
}

/** kind, pool, processes, per process (unit): `?` for an unknown number. */
function summary(w: BackgroundWorker): string {
  const n = (v: BackgroundWorker['processes']) => (v.kind === 'known' ? String(v.value) : '?');
  return `${w.kind} ${w.pool?.kind === 'known' ? w.pool.value : '-'} ${n(w.processes)} x ${n(w.perProcess)} ${w.perProcessUnit}`;
}

const workers = (command: string, children: string[] = []) => backgroundWorkers(processOf(command, children)).map(summary);

describe('background workers read from the process argv', () => {
  it('Celery prefork: --concurrency processes of one task each, in every spelling', () => {
    expect(workers('celery -A proj worker --concurrency 4 -l info')).toEqual(['celery-worker prefork 4 x 1 tasks']);
    expect(workers('celery -A proj worker --concurrency=6')).toEqual(['celery-worker prefork 6 x 1 tasks']);
    expect(workers('celery -A proj worker -c 3')).toEqual(['celery-worker prefork 3 x 1 tasks']);
    expect(workers('celery -A proj worker -c3')).toEqual(['celery-worker prefork 3 x 1 tasks']);
    expect(workers('python -m celery -A proj worker -c 2')).toEqual(['celery-worker prefork 2 x 1 tasks']);
    expect(workers('celery -A proj worker --autoscale=10,3')).toEqual(['celery-worker prefork 10 x 1 tasks']);
  });

  it('threads, gevent and eventlet pools run --concurrency tasks in one process; solo runs one', () => {
    expect(workers('celery -A proj worker --pool threads -c 8')).toEqual(['celery-worker threads 1 x 8 threads']);
    expect(workers('celery -A proj worker -P gevent -c 100')).toEqual(['celery-worker gevent 1 x 100 greenlets']);
    expect(workers('celery -A proj worker --pool=eventlet --concurrency=50')).toEqual(['celery-worker eventlet 1 x 50 greenlets']);
    expect(workers('celery -A proj worker --pool solo')).toEqual(['celery-worker solo 1 x 1 tasks']);
  });

  it('without --concurrency the pool size is the host CPU count: unknown, never guessed', () => {
    const [w] = backgroundWorkers(processOf('celery -A proj worker -l info'));
    expect(w?.processes.kind).toBe('unknown');
    expect(w?.processes.kind === 'unknown' && w.processes.reason).toBe('--concurrency is not set: Celery starts one pool process per CPU of the host');
  });

  it('beat is one process and keeps its scheduler; flower, multi and inspect are not workers', () => {
    const [beat] = backgroundWorkers(processOf('celery -A proj beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler'));
    expect(beat && summary(beat)).toBe('celery-beat - 1 x 1 tasks');
    expect(beat?.scheduler?.kind === 'known' && beat.scheduler.value).toBe('django_celery_beat.schedulers:DatabaseScheduler');
    expect(beat?.app?.kind === 'known' && beat.app.value).toBe('proj');
    expect(workers('celery -A proj flower --port=5555')).toEqual([]);
    expect(workers('celery multi start w1 -A proj')).toEqual([]);
    expect(workers('celery -A proj inspect ping')).toEqual([]);
  });

  it('Channels runworker, RQ and Django-Q through manage.py; supervised children count too', () => {
    expect(workers('python manage.py runworker thumbnails')).toEqual(['channels-worker - 1 x 1 tasks']);
    expect(workers('python /app/manage.py rqworker default')).toEqual(['rq-worker - 1 x 1 tasks']);
    expect(workers('rq worker high default')).toEqual(['rq-worker - 1 x 1 tasks']);
    expect(workers('python manage.py qcluster')).toEqual(['django-q - ? x 1 tasks']);
    expect(workers('python manage.py migrate')).toEqual([]);
    expect(workers('supervisord -n', ['celery -A proj worker -c 2', 'celery -A proj beat'])).toEqual(['celery-worker prefork 2 x 1 tasks', 'celery-beat - 1 x 1 tasks']);
  });
});
