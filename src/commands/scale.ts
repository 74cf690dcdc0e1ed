import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCapacityReport, renderCapacityText } from '../capacity/index.js';
import type { RunResult } from '../core/finding.js';
import { UsageError, type CheckRun } from '../engine/run.js';
import { FixWriteError, writeChanges } from '../fix/apply.js';
import { unifiedDiffs } from '../fix/diff.js';
import { planScale } from '../fix/scale.js';
import { formatPlain } from '../reporters/plain.js';
import { RULES } from '../../rules/index.js';
import { useColor, type CliIO } from './io.js';

export const SCALE_OPTIONS = {
  replicas: { type: 'string' },
  stack: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  diff: { type: 'boolean' },
  force: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

function count(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new UsageError(`--${name} needs a whole number of at least 1, got "${raw}"`);
  return n;
}

function capacityOf(run: CheckRun, stack: string, dir: string, color: boolean): string {
  const stacks = run.stacks.filter((s) => s.name === stack);
  return renderCapacityText(buildCapacityReport(stacks, run.config, dir), { color });
}

/**
 * `arena-lint scale TIER --replicas N [DIR]`: adds or removes replicas (and sets --workers/--threads)
 * in every file that names them, shows the capacity before and after and what the new size would
 * break, and writes all files at once only when the new size causes no new error (or with --force).
 * Exit 0 when written (or shown with --diff), 1 when refused, 2 for usage errors.
 */
export function scaleCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: SCALE_OPTIONS });
  const [tier, dirArg, ...extra] = positionals;
  if (!tier) throw new UsageError('scale needs a tier: arena-lint scale TIER --replicas N [DIR]');
  if (extra.length) throw new UsageError(`scale takes one tier and one directory, got ${positionals.length} arguments`);
  const replicas = count('replicas', values.replicas);
  if (replicas === undefined) throw new UsageError('scale needs --replicas N');
  const workers = count('workers', values.workers);
  const threads = count('threads', values.threads);
  const dir = dirArg ?? '.';
  const color = useColor(io, values);
  const opts = { dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: RULES };
  const plan = planScale(opts, {
    tier,
    replicas,
    ...(workers !== undefined ? { workers } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(values.stack !== undefined ? { stack: values.stack.replace(/^\.\//, '') } : {}),
  });
  if (plan.changes.length === 0) {
    io.stdout(`${plan.stack}: ${tier} already has that size; nothing to change\n`);
    return 0;
  }
  const out: string[] = [`Scaling ${tier} in ${plan.stack}:`, ...plan.steps.map((s) => `  ${s}`), ''];
  out.push('Before:', capacityOf(plan.before, plan.stack, dir, color).trimEnd(), '', 'After:', capacityOf(plan.after, plan.stack, dir, color).trimEnd(), '');
  const errors = plan.newFindings.filter((f) => f.severity === 'error');
  if (plan.newFindings.length) {
    const shown: RunResult = { ...plan.after.result, findings: plan.newFindings };
    out.push(`The new size causes ${plan.newFindings.length} new finding${plan.newFindings.length === 1 ? '' : 's'}:`, formatPlain(shown).trimEnd(), '');
  } else out.push('The new size causes no new finding.', '');
  io.stdout(`${out.join('\n')}\n`);
  if (values.diff) {
    io.stdout(unifiedDiffs(plan.changes, plan.scrub));
    return 0;
  }
  if (errors.length && !values.force) {
    io.stderr(`nothing written: the new size causes ${errors.length} new error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} first, or write anyway with --force\n`);
    return 1;
  }
  try {
    writeChanges(opts.dir, plan.changes);
  } catch (e) {
    if (e instanceof FixWriteError) throw new UsageError(`scale wrote nothing: ${e.message}`);
    throw e;
  }
  io.stdout(`wrote ${plan.changes.map((c) => c.path).join(', ')}\n`);
  return 0;
}
