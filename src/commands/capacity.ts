import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { positionAt } from '../core/source.js';
import { buildCapacityReport, renderCapacityJson, renderCapacityMarkdown, renderCapacityText } from '../capacity/index.js';
import { check, UsageError } from '../engine/run.js';
import { capacityPlan } from '../facts/plan.js';
import { useColor, type CliIO } from './io.js';

const FORMATS = ['text', 'json', 'markdown'] as const;
type CapacityFormat = (typeof FORMATS)[number];

export const CAPACITY_OPTIONS = {
  format: { type: 'string', short: 'f' },
  config: { type: 'string', short: 'c' },
  output: { type: 'string', short: 'o' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

/**
 * `arena-lint capacity [DIR]`: the seed's capacity tables computed from the files. Exit 0 even when
 * the plan misses its target (that is the capacity-target rule's job in `check`); 2 for usage and
 * configuration errors, including a host the config names but arena-lint does not know.
 */
export function capacityCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CAPACITY_OPTIONS });
  if (positionals.length > 1) throw new UsageError(`capacity takes one directory, got ${positionals.length}`);
  const dir = positionals[0] ?? '.';
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}"; use one of ${FORMATS.join(', ')}`);
  // No rules: only the stacks and the config are needed.
  const run = check({ dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: [] });
  const problems = capacityPlan(run.config).problems;
  if (problems.length) {
    const file = run.config.file;
    const lines = problems.map((p) => (p.span && file ? `${file.path}:${positionAt(file, p.span.start).line}: ${p.message}` : p.message));
    throw new UsageError(`invalid configuration\n${lines.join('\n')}`);
  }
  const report = buildCapacityReport(run.stacks, run.config, dir);
  const color = values.output ? false : useColor(io, values);
  const text = (format as CapacityFormat) === 'json' ? renderCapacityJson(report) : format === 'markdown' ? renderCapacityMarkdown(report) : renderCapacityText(report, { color });
  if (values.output) {
    writeFileSync(resolve(io.cwd, values.output), text);
    io.stdout(`capacity report written to ${values.output}\n`);
  } else io.stdout(text);
  return 0;
}
