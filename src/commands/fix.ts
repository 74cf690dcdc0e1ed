import type { Finding } from '../core/finding.js';
import type { Fix } from '../core/fix.js';
import { UsageError, type CheckOptions, type CheckRun } from '../engine/run.js';
import { FixWriteError, writeChanges } from '../fix/apply.js';
import { unifiedDiffs } from '../fix/diff.js';
import { fixLoop, safeFixes } from '../fix/loop.js';
import type { CliIO } from './io.js';

function chooser(unsafe: boolean): (findings: readonly Finding[]) => Fix[] {
  return unsafe ? (findings) => findings.flatMap((f) => (f.fix ? [f.fix] : [])) : safeFixes;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `check --fix`: the fix loop runs in memory, then every changed file is written at once (all or
 * nothing); the report that follows is the check of the fixed files.
 */
function shown(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}/${path}`;
}

export function fixAndWrite(opts: CheckOptions, io: CliIO, unsafe: boolean, prefix = ''): CheckRun {
  const loop = fixLoop(opts, chooser(unsafe));
  try {
    writeChanges(opts.dir, loop.changes);
  } catch (e) {
    if (e instanceof FixWriteError) throw new UsageError(`--fix wrote nothing: ${e.message}`);
    throw e;
  }
  if (loop.changes.length > 0) {
    io.stderr(`fixed ${plural(loop.applied, 'problem')} in ${plural(loop.changes.length, 'file')}: ${loop.changes.map((c) => shown(prefix, c.path)).join(', ')}\n`);
  }
  return loop.final;
}

/**
 * `check --diff`: what `--fix` would write, as a unified diff on stdout; nothing is written. Exit 1 when
 * there is something to fix (like ruff's --diff), 0 when not.
 */
export function diffCommand(opts: CheckOptions, io: CliIO, unsafe: boolean, prefix = ''): number {
  const loop = fixLoop(opts, chooser(unsafe));
  // Paths as seen from the working directory, so `git apply` and `patch -p1` take the diff there.
  const diff = unifiedDiffs(loop.changes.map((c) => ({ ...c, path: shown(prefix, c.path) })), loop.scrub);
  io.stdout(diff);
  const left = loop.final.result.findings.filter((f) => f.fix && (unsafe || f.fix.safe));
  if (loop.changes.length === 0) io.stderr('no fixes available\n');
  else io.stderr(`${loop.applied} ${loop.applied === 1 ? 'fix' : 'fixes'} in ${plural(loop.changes.length, 'file')} (run \`arena-lint check --fix\` to apply)${left.length ? `; ${left.length} left that overlap or repeat` : ''}\n`);
  return loop.changes.length > 0 ? 1 : 0;
}
