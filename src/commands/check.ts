import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type Finding, type RunResult } from '../core/finding.js';
import { check, UsageError } from '../engine/run.js';
import { formatters, isFormatName, summaryLine, type FormatName } from '../reporters/index.js';
import { RULES } from '../../rules/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { useColor, type CliIO } from './io.js';

export const CHECK_OPTIONS = {
  format: { type: 'string', short: 'f' },
  config: { type: 'string', short: 'c' },
  output: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  'max-warnings': { type: 'string' },
  verbose: { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  debug: { type: 'boolean' },
} as const;

/** `arena-lint check [DIR]`: the exit code is 1 when findings fail the run. */
export function checkCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CHECK_OPTIONS });
  if (positionals.length > 1) throw new UsageError(`check takes one directory, got ${positionals.length}`);
  const dir = positionals[0] ?? '.';
  const format = values.format ?? 'stylish';
  if (!isFormatName(format)) throw new UsageError(`unknown format "${format}"; use one of ${Object.keys(formatters).join(', ')}`);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings needs a whole number, got "${values['max-warnings']}"`);
  }
  const run = check({ dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: RULES });
  let findings = run.result.findings;
  if (values.quiet) findings = findings.filter((f) => f.severity === 'error');
  const result: RunResult = { ...run.result, root: dir, findings };
  const cwdRelativeRoot = relative(io.cwd, resolve(io.cwd, dir)).split('\\').join('/');
  const color = useColor(io, values);
  const opts = { color: values.output ? false : color, rules: RULES.map((r) => r.meta), version: pkg.version, ...(cwdRelativeRoot ? { cwdRelativeRoot } : {}) };
  const report = formatters[format as FormatName](result, opts);
  if (values.output) {
    writeFileSync(resolve(io.cwd, values.output), report);
    io.stdout(`${summaryLine(result)}\nreport written to ${values.output}\n`);
  } else {
    io.stdout(report.endsWith('\n') || report === '' ? report : `${report}\n`);
  }
  if (values.verbose) {
    for (const u of run.unknowns) io.stderr(`[${u.ruleId}] ${u.stack}: ${u.reason}\n`);
  }
  return exitCode(findings, maxWarnings);
}

export function exitCode(findings: readonly Finding[], maxWarnings?: number): number {
  if (findings.some((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER.error)) return 1;
  if (maxWarnings !== undefined && findings.filter((f) => f.severity === 'warning').length > maxWarnings) return 1;
  return 0;
}
