import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type Finding, type RunResult } from '../core/finding.js';
import { applyBaseline, baselineOf, formatBaseline, parseBaseline } from '../engine/baseline.js';
import { combineRuns, type RunPart } from '../engine/combine.js';
import type { RuleSetting } from '../engine/config.js';
import { check, COMPOSE_FILE_NAMES, readConfig, severityFor, UsageError, type CheckRun } from '../engine/run.js';
import { Workspace } from '../workspace/workspace.js';
import { closest } from '../core/suggest.js';
import { formatters, isFormatName, summaryLine, type FormatName } from '../reporters/index.js';
import { RULES } from '../../rules/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { useColor, type CliIO } from './io.js';
import { redirectOf } from '../core/rule-redirects.js';
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
  'no-error-on-empty': { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  select: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  'print-config': { type: 'boolean' },
  fix: { type: 'boolean' },
  diff: { type: 'boolean' },
  'unsafe-fixes': { type: 'boolean' },
} as const;

const SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'off'];

/** The rule ids a command-line word names: a rule, or every rule a redirected id (timeout-chain) stands for. */
function knownRules(id: string, flag: string): readonly string[] {
  return redirectOf(id)?.to ?? [knownRule(id, flag)];
}

function knownRule(id: string, flag: string): string {
  if (RULES.some((r) => r.meta.id === id)) return id;
  const near = closest(id, RULES.map((r) => r.meta.id));
  throw new UsageError(`${flag}: unknown rule "${id}"${near ? `; did you mean "${near}"?` : ''} (see \`arena-lint rules\`)`);
}

/**
 * `--select` turns every other rule off, `--ignore` turns rules off, `--rule ID:severity` sets
 * one (the last word wins, as on ruff's and ESLint's command lines); all win over the config file.
 */
export function ruleSettingsOf(values: { rule?: readonly string[] | undefined; select?: readonly string[] | undefined; ignore?: readonly string[] | undefined }): Record<string, RuleSetting> {
  const list = (xs: readonly string[] | undefined) => (xs ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  const settings: Record<string, RuleSetting> = {};
  const selected = list(values.select).flatMap((id) => knownRules(id, '--select'));
  if (selected.length) for (const r of RULES) if (!selected.includes(r.meta.id)) settings[r.meta.id] = 'off';
  for (const id of list(values.ignore)) for (const r of knownRules(id, '--ignore')) settings[r] = 'off';
  for (const spec of values.rule ?? []) {
    const m = /^([^:=\s]+)\s*[:=]\s*(\S+)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--rule needs ID:SEVERITY (e.g. --rule replica-drift:error), got "${spec}"`);
    const [, id = '', level = ''] = m;
    if (!(SETTINGS as readonly string[]).includes(level)) throw new UsageError(`--rule ${id}: severity must be one of ${SETTINGS.join(', ')}, got "${level}"`);
    for (const r of knownRules(id, '--rule')) settings[r] = level as RuleSetting;
  }
  return settings;
}

/** A path of the command line: a directory, or one compose file (checked with its folder as root). */
interface CheckedPath {
  readonly shown: string;
  readonly dir: string;
  readonly composeFile?: string;
  /** The directory as seen from the working directory, '' for the working directory itself. */
  readonly prefix: string;
}

function checkedPath(io: CliIO, shown: string): CheckedPath {
  const abs = resolve(io.cwd, shown);
  if (!existsSync(abs)) throw new UsageError(`no such file or directory: ${shown}`);
  const isFile = statSync(abs).isFile();
  const dir = isFile ? dirname(abs) : abs;
  const rel = relative(io.cwd, dir).split('\\').join('/');
  // Outside the working directory, a path named absolutely stays absolute (as ESLint prints it)
  // rather than climbing out with `../../`.
  const prefix = (rel === '..' || rel.startsWith('../')) && isAbsolute(shown) ? dir.split('\\').join('/') : rel;
  return { shown, dir, prefix, ...(isFile ? { composeFile: basename(abs) } : {}) };
}

/** Why nothing was checked under a path: what was looked for, where, and what came close. */
export function noStackMessage(path: CheckedPath, run: CheckRun): string {
  const where = path.shown;
  const s = run.search;
  const lines = [`no stack found in ${where}: looked for compose files named ${COMPOSE_FILE_NAMES} in ${where} and every folder under it (${s?.filesSeen ?? 0} files seen)`];
  for (const f of s?.unnamed ?? []) {
    const named = path.prefix === '' ? f : `${path.prefix}/${f}`;
    lines.push(`  ${named} has a top-level services: key but not a compose file's name; check it with \`arena-lint check ${named}\``);
  }
  if (s?.notChosen.length) lines.push(`  the config's stacks: leaves out ${s.notChosen.join(', ')}`);
  if (s?.templates.length) lines.push(`  skipped as Jinja templates (render them first): ${s.templates.join(', ')}`);
  lines.push('Pass --no-error-on-empty to exit 0 when there is nothing to check.');
  return lines.join('\n');
}

/**
 * The last line of the default output when rules stayed silent: how many checks could not run,
 * and why in a few words, so a green run that checked little does not look like a clean one.
 */
export function silentChecksLine(runs: readonly CheckRun[]): string | undefined {
  const pairs = new Map<string, string>();
  for (const run of runs) for (const u of run.unknowns) {
    const key = `${run.result.root}\0${u.stack}\0${u.ruleId}`;
    if (!pairs.has(key)) pairs.set(key, silenceReason(u.ruleId, u.reason));
  }
  if (pairs.size === 0) return undefined;
  const byReason = new Map<string, number>();
  for (const reason of pairs.values()) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  const reasons = [...byReason].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${r} (${n})`);
  return `${pairs.size} check${pairs.size === 1 ? '' : 's'} could not run: ${reasons.join(', ')}; see --verbose${runs.some((r) => r.config.file) ? '' : ', and `arena-lint init` to configure the host'}`;
}

/** A few words for a rule's reason to stay silent. */
function silenceReason(ruleId: string, reason: string): string {
  if (/no host:|host\.\w+ is not configured|no capacity:|config gives no host|needs host\./.test(reason)) return 'no host configured';
  if (/settings module/.test(reason)) return 'settings module unknown';
  if (/sysctl/.test(reason) || ruleId === 'sysctl-required') return 'no host sysctl source';
  if (/daemon's default|not part of this stack/.test(reason)) return 'set outside the repository';
  if (/\$\{|environment|env/.test(reason)) return 'value from the environment';
  return 'value unknown';
}

/** `arena-lint check [PATH...]`: the exit code is 1 when findings fail the run. */
export function checkCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CHECK_OPTIONS });
  const shownPaths = positionals.length ? positionals : ['.'];
  const format = values.format ?? 'stylish';
  if (!isFormatName(format)) throw new UsageError(`unknown format "${format}"; use one of ${Object.keys(formatters).join(', ')}`);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings needs a whole number, got "${values['max-warnings']}"`);
  }
  const ruleSettings = ruleSettingsOf(values);
  const paths = shownPaths.map((p) => checkedPath(io, p));
  const configPath = values.config ? resolve(io.cwd, values.config) : undefined;

  if (values['print-config']) {
    if (paths.length > 1) throw new UsageError('--print-config takes one path');
    io.stdout(printConfig(io, paths[0]!, configPath, ruleSettings));
    return 0;
  }

  const optsOf = (p: CheckedPath) => ({
    dir: p.dir,
    displayDir: p.shown,
    ...(configPath ? { configPath } : {}),
    rules: RULES,
    ruleSettings,
    ...(p.composeFile ? { composeFiles: [p.composeFile] } : {}),
  });
  const unsafe = values['unsafe-fixes'] === true;
  if (values.diff) return Math.max(0, ...paths.map((p) => diffCommand(optsOf(p), io, unsafe, p.prefix)));
  const runs = paths.map((p) => (values.fix ? fixAndWrite(optsOf(p), io, unsafe, p.prefix) : check(optsOf(p))));
  const empty = paths.flatMap((p, i) => (runs[i]!.stacks.length === 0 ? [noStackMessage(p, runs[i]!)] : []));
  if (empty.length && !values['no-error-on-empty']) throw new UsageError(empty.join('\n'));
  for (const m of empty) io.stderr(`arena-lint: ${m.split('\n')[0]}\n`);

  const parts: RunPart[] = paths.map((p, i) => ({ prefix: p.prefix, result: runs[i]!.result }));
  const combined = combineRuns(parts, shownPaths.length === 1 ? shownPaths[0]! : '.');
  let findings = combined.findings;
  if (values['write-baseline'] !== undefined) {
    // Everything found now, before --quiet or an older baseline thin it out.
    writeFileSync(resolve(io.cwd, values['write-baseline']), formatBaseline(baselineOf(combined)));
    io.stderr(`baseline with ${findings.length} finding${findings.length === 1 ? '' : 's'} written to ${values['write-baseline']}\n`);
  }
  if (values.baseline !== undefined) {
    const matched = applyBaseline(combined, readBaseline(resolve(io.cwd, values.baseline), values.baseline));
    findings = matched.findings;
    io.stderr(`${matched.matched} finding${matched.matched === 1 ? '' : 's'} in the baseline ${values.baseline}${matched.gone ? `; ${matched.gone} baseline entr${matched.gone === 1 ? 'y' : 'ies'} no longer found (rewrite it with --write-baseline)` : ''}\n`);
  }
  if (values.quiet) findings = findings.filter((f) => f.severity === 'error');
  const result: RunResult = { ...combined, roots: shownPaths, findings };
  const color = useColor(io, values);
  const opts = { color: values.output ? false : color, rules: RULES.map((r) => r.meta), version: pkg.version };
  const report = formatters[format as FormatName](result, opts);
  const silent = format === 'stylish' ? silentChecksLine(runs) : undefined;
  if (values.output) {
    writeFileSync(resolve(io.cwd, values.output), report);
    io.stdout(`${summaryLine(result)}\n${silent ? `${silent}\n` : ''}report written to ${values.output}\n`);
  } else {
    io.stdout(report.endsWith('\n') || report === '' ? report : `${report}\n`);
    if (silent) io.stdout(`${silent}\n`);
  }
  if (values.verbose) {
    // Several places can be silent for the same reason; say each reason once.
    for (const run of runs) for (const line of new Set(run.unknowns.map((u) => `[${u.ruleId}] ${u.stack}: ${u.reason}`))) io.stderr(`${line}\n`);
  }
  // Writing a baseline accepts what is there: the run that adopts arena-lint passes.
  return values['write-baseline'] !== undefined ? 0 : exitCode(findings, maxWarnings);
}

/** `--print-config`: the configuration a check of this path would use, with this run's overrides. */
function printConfig(io: CliIO, path: CheckedPath, configPath: string | undefined, cli: Readonly<Record<string, RuleSetting>>): string {
  const config = readConfig(new Workspace(path.dir), configPath, path.shown);
  const rules: Record<string, RuleSetting> = {};
  for (const r of RULES) rules[r.meta.id] = severityFor(r, config, undefined, undefined, cli);
  const configFile = configPath ? relative(io.cwd, configPath).split('\\').join('/') : config.file ? (path.prefix ? `${path.prefix}/${config.file.path}` : config.file.path) : null;
  const { rules: _asWritten, ...rest } = config.data;
  return `${JSON.stringify({ configFile, ...rest, rules, ...(Object.keys(cli).length ? { commandLine: cli } : {}) }, null, 2)}\n`;
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
