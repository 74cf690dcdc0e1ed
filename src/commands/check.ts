import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type Finding, type RunResult } from '../core/finding.js';
import { applyBaseline, baselineOf, formatBaseline, parseBaseline } from '../engine/baseline.js';
import { check, UsageError } from '../engine/run.js';
import { formatters, isFormatName, summaryLine, type FormatName } from '../reporters/index.js';
import { RULES } from '../../rules/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { useColor, type CliIO } from './io.js';
import { fixAndWrite, diffCommand } from './fix.js';

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
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  fix: { type: 'boolean' },
  diff: { type: 'boolean' },
  'unsafe-fixes': { type: 'boolean' },
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
  const checkOpts = { dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: RULES };
  if (values.diff) return diffCommand(checkOpts, io, values['unsafe-fixes'] === true);
  const run = values.fix ? fixAndWrite(checkOpts, io, values['unsafe-fixes'] === true) : check(checkOpts);
  let findings = run.result.findings;
  if (values['write-baseline'] !== undefined) {
    // Everything found now, before --quiet or an older baseline thin it out.
    writeFileSync(resolve(io.cwd, values['write-baseline']), formatBaseline(baselineOf(run.result)));
    io.stderr(`baseline with ${findings.length} finding${findings.length === 1 ? '' : 's'} written to ${values['write-baseline']}\n`);
  }
  if (values.baseline !== undefined) {
    const matched = applyBaseline(run.result, readBaseline(resolve(io.cwd, values.baseline), values.baseline));
    findings = matched.findings;
    io.stderr(`${matched.matched} finding${matched.matched === 1 ? '' : 's'} in the baseline ${values.baseline}${matched.gone ? `; ${matched.gone} baseline entr${matched.gone === 1 ? 'y' : 'ies'} no longer found (rewrite it with --write-baseline)` : ''}\n`);
  }
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
    // Several places can be silent for the same reason; say each reason once.
    for (const line of new Set(run.unknowns.map((u) => `[${u.ruleId}] ${u.stack}: ${u.reason}`))) io.stderr(`${line}\n`);
  }
  // Writing a baseline accepts what is there: the run that adopts arena-lint passes.
  return values['write-baseline'] !== undefined ? 0 : exitCode(findings, maxWarnings);
}

function readBaseline(abs: string, shown: string) {
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new UsageError(`baseline file not found: ${shown}`);
  }
  const { baseline, error } = parseBaseline(text);
  if (!baseline) throw new UsageError(`invalid baseline ${shown}: ${error}`);
  return baseline;
}

export function exitCode(findings: readonly Finding[], maxWarnings?: number): number {
  if (findings.some((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER.error)) return 1;
  if (maxWarnings !== undefined && findings.filter((f) => f.severity === 'warning').length > maxWarnings) return 1;
  return 0;
}
