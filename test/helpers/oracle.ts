import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from 'node:child_process';

/**
 * Real programs (nginx -t, pgbouncer, python3, pre-commit, npm) are waited on until they give their
 * own signal: they exit, or pgbouncer logs "process up". Never a fixed sleep. The limit only stops a
 * program that hangs, so it is generous: a loaded CI machine is slow, not wrong.
 */
export const ORACLE_TIMEOUT_MS = 180_000;

/** Runs `program` to its exit. A program that outlives the limit is an error, never a verdict. */
export function runToExit(program: string, args: readonly string[], opts: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'> = {}): SpawnSyncReturns<string> {
  const r = spawnSync(program, [...args], { maxBuffer: 64 * 1024 * 1024, ...opts, encoding: 'utf8', timeout: opts.timeout ?? ORACLE_TIMEOUT_MS });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`${program} ${args.join(' ').slice(0, 200)} did not exit within ${(opts.timeout ?? ORACLE_TIMEOUT_MS) / 1000} s`);
  }
  return r;
}
