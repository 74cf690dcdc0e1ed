import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, UsageError } from '../engine/run.js';
import { formatInspectText, inspectReport } from '../stack/inspect.js';
import type { CliIO } from './io.js';

/**
 * `arena-lint inspect [DIR] [--format text|json]`: per stack and service, the compose files merged,
 * the image, every file the container sees and where it came from, the process and why, the app
 * server's facts, the settings module, and what stayed unknown and why.
 */
export function inspectCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true, strict: true,
    options: { config: { type: 'string', short: 'c' }, format: { type: 'string', short: 'f', default: 'text' } },
  });
  if (positionals.length > 1) throw new UsageError(`inspect takes one directory, got ${positionals.length}`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format "${format}" for inspect (text, json)`);
  const dir = positionals[0] ?? '.';
  const run = check({ dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: [] });
  if (run.stacks.length === 0) throw new UsageError(`no compose stack found in ${dir}`);
  const report = inspectReport(run.stacks, dir);
  io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectText(report));
  return 0;
}
