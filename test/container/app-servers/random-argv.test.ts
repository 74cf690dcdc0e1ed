import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readAppServerReading } from '../../../src/container/app-servers/index.js';
import type { Value } from '../../../src/core/value.js';
import { envFile, fsOf, processOf, repo } from './helpers.js';

/** A fixed-seed generator (mulberry32): the same argvs on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROGRAMS = ['gunicorn', 'uvicorn', 'daphne', 'uwsgi', 'granian', 'python -m gunicorn', 'exec gosu app gunicorn'];
const WORDS = [
  '-w', '-b', '-k', '-c', '-t', '-p', '-s', '--workers', '--bind', '--threads', '--timeout', '--keep-alive', '--backlog', '--worker-class', '--config',
  '--socket', '--http-socket', '--http', '--processes', '--harakiri', '--listen', '--ini', '--yaml', '--protocol', '--host', '--port', '--uds', '--interface',
  '--blocking-threads', '--no-http1-keep-alive', '--reload', '--env', '--chdir', '-e', '-u', '--fd', '--http-timeout', '--', '=', '-', '4', '0', '-1', ':8000',
  '0.0.0.0:8000', 'unix:/run/x.sock', '/etc/gunicorn.conf.py', 'uwsgi.ini', 'app.wsgi', 'app.asgi:application', 'gevent', 'gthread', 'sync', 'wsgi', 'asgi',
  'rsgi', 'uvicorn.workers.UvicornWorker', '__proto__', 'constructor', '--__proto__=1', "'quoted word'", '"$VAR"', '%(ENV_X)s', 'é', '--workers=abc', '-w8',
];

test('random command lines never throw, and every fact is a value or an unknown with a reason', () => {
  const next = random(20261201);
  const ws = repo({
    'app.env': envFile({ GUNICORN_CMD_ARGS: '--workers 3 -k', UWSGI_SOCKET: ':3031', UVICORN_PORT: 'x' }),
    'uwsgi.ini': '[uwsgi]\nsocket = :$(NOPE)\nprocesses = %(missing)\nif-env = X\n',
    'gunicorn.conf.py': 'workers = (\nbind = 5\n',
  });
  const fs = fsOf(ws, [['/app', '']]);
  for (let n = 0; n < 300; n++) {
    const words = [PROGRAMS[Math.floor(next() * PROGRAMS.length)]!];
    const count = Math.floor(next() * 10);
    for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(next() * WORDS.length)]!);
    const line = words.join(' ');
    const file = `cmd-${n}.sh`;
    writeFileSync(join(ws.rootAbs, file), `${line}\n`);
    const r = readAppServerReading(processOf(ws, file, { env: { GUNICORN_CMD_ARGS: '--workers 3 -k', UWSGI_SOCKET: ':3031', UVICORN_PORT: 'x' } }), fs, ws);
    expect(r, line).toBeDefined();
    for (const [name, v] of Object.entries(r!.facts)) {
      if (name === 'kind' || name === 'configFiles') continue;
      const value = v as Value<unknown>;
      if (value.kind === 'unknown') expect(value.reason.length, `${line}: ${name}`).toBeGreaterThan(0);
      else expect(value.value, `${line}: ${name}`).not.toBeUndefined();
    }
  }
});
