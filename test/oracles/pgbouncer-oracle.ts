import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORACLE_TIMEOUT_MS } from '../helpers/oracle.js';

/**
 * Runs the real pgbouncer on a config file, as ORACLES.md describes: pgbouncer has no check mode
 * and refuses to run as root, so as root it runs as `postgres` inside a private network namespace
 * (`unshare -n`); it is stopped by pid as soon as it logs "process up", or it exits on a bad config.
 */

export interface OracleRun {
  /** pgbouncer got as far as "process up". */
  readonly loaded: boolean;
  /** Why it refused, from its log: the first of these that appears. */
  readonly refusal?: 'unknown-key' | 'bad-value' | 'syntax' | 'section' | 'other';
  readonly log: string;
}

export interface PgbouncerOracle {
  readonly version: string;
  /** Where the configs are written; configs may name files here (auth_file, pidfile, logfile). */
  readonly dir: string;
  run(ini: string): Promise<OracleRun>;
  dispose(): void;
}

function installedVersion(): string | undefined {
  const r = spawnSync('pgbouncer', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /PgBouncer (\d+\.\d+(?:\.\d+)?)/.exec(r.stdout)?.[1];
}

const isRoot = process.getuid?.() === 0;

/** The oracle, or why pgbouncer cannot be run here. */
export function findPgbouncer(): { oracle: PgbouncerOracle } | { missing: string } {
  const version = installedVersion();
  if (!version) return { missing: 'pgbouncer is not installed (Debian package "pgbouncer")' };
  if (isRoot) {
    if (spawnSync('id', ['postgres']).status !== 0) return { missing: 'running as root needs a "postgres" user for pgbouncer -u' };
    if (spawnSync('unshare', ['-n', 'true']).status !== 0) return { missing: 'unshare -n is not permitted here' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'arena-pgbouncer-'));
  // pgbouncer drops to `postgres`, which must read the configs and write its files here.
  chmodSync(dir, 0o777);
  let counter = 0;
  return {
    oracle: {
      version,
      dir,
      run(ini: string) {
        const path = join(dir, `case-${++counter}.ini`);
        writeFileSync(path, ini, { mode: 0o644 });
        return runOnce(path);
      },
      dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

function classify(log: string): OracleRun['refusal'] {
  if (/unknown parameter|unrecognized connection parameter/i.test(log)) return 'unknown-key';
  if (/invalid section/i.test(log)) return 'section';
  if (/syntax error/i.test(log)) return 'syntax';
  if (/invalid value/i.test(log)) return 'bad-value';
  return 'other';
}

/**
 * Waits for pgbouncer's own signal: "process up" in its log (then stops it by pid and waits for it to
 * exit, so the next run never meets this one's sockets), or its exit on a config it refuses. Only a
 * hang hits the limit, and that is an error, not a refusal.
 */
function runOnce(path: string): Promise<OracleRun> {
  const [cmd, args] = isRoot ? ['unshare', ['-n', 'pgbouncer', '-u', 'postgres', path]] as const : ['pgbouncer', [path]] as const;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let up = false;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      if (!up && /process up/.test(log)) {
        up = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pgbouncer neither logged "process up" nor exited within ${ORACLE_TIMEOUT_MS / 1000} s on ${path}:\n${log}`));
    }, ORACLE_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(up ? { loaded: true, log } : { loaded: false, refusal: classify(log), log });
    });
  });
}
