import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { buildCapacityReport, capacityMarkdown, type CapacityReport } from '../capacity/index.js';
import { SEVERITY_ORDER, type Finding, type RunResult, type Severity } from '../core/finding.js';
import { parseBaseline, type Baseline } from '../engine/baseline.js';
import { check, UsageError, type CheckRun } from '../engine/run.js';
import { availableFixesMarkdown } from '../fix/summary.js';
import { stackGraph } from '../graph/build.js';
import { escapeData, escapeProperty, formatGithub, formatMarkdownSummary, formatSarif, githubBlobUrl, summaryLine, toLocated, type ReportOptions } from '../reporters/index.js';
import { countBySeverity, repoPath } from '../reporters/locate.js';
import { escapeCell, findingsTable } from '../reporters/markdown.js';
import { formatMermaidChange, topologyChange } from '../graph/mermaid.js';
import { capacityChange, capacityChangeMarkdown } from './capacity-change.js';
import { changedFiles, classify, readPullRequest, withBaseWorktree, type PullRequestEvent } from './pull-request.js';
import { RULES } from '../../rules/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { getBooleanInput, getChoiceInput, getInput, InputError, setOutputs, workflowCommand, type Runner } from './runner.js';

/** Every input and output action.yml declares (a test holds the two lists equal). */
export const INPUT_NAMES = ['path', 'config', 'fail-on', 'fail-level', 'baseline', 'sarif-file', 'annotations'] as const;
export const OUTPUT_NAMES = ['errors', 'warnings', 'new-errors', 'new-warnings', 'sarif-file'] as const;
type InputName = (typeof INPUT_NAMES)[number];
type OutputName = (typeof OUTPUT_NAMES)[number];

/** Which findings fail the step: those the pull request adds, all of them, or none. */
export const FAIL_ON = ['new', 'all', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** The lowest severity that fails the step. */
export const FAIL_LEVEL = ['error', 'warning', 'info'] as const;
export type FailLevel = (typeof FAIL_LEVEL)[number];

/** The inputs of action.yml, read the way the runner hands them over. */
export interface ActionInputs {
  readonly path: string;
  readonly config?: string;
  readonly failOn: FailOn;
  readonly failLevel: FailLevel;
  readonly baseline?: string;
  readonly sarifFile?: string;
  readonly annotations: boolean;
}

/** `pullRequest`: whether the job runs for a pull request, which decides the default of fail-on. */
export function readInputs(runner: Runner, pullRequest = false): ActionInputs {
  // Typed names: reading an input that action.yml does not declare fails to compile.
  const name = (n: InputName) => n;
  const config = getInput(runner.env, name('config'));
  const sarifFile = getInput(runner.env, name('sarif-file'));
  const baseline = getInput(runner.env, name('baseline'));
  return {
    path: getInput(runner.env, name('path')) ?? '.',
    ...(config !== undefined ? { config } : {}),
    failOn: getChoiceInput(runner.env, name('fail-on'), FAIL_ON, pullRequest ? 'new' : 'all'),
    failLevel: getChoiceInput(runner.env, name('fail-level'), FAIL_LEVEL, 'error'),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(sarifFile !== undefined ? { sarifFile } : {}),
    annotations: getBooleanInput(runner.env, name('annotations'), true),
  };
}

export interface ActionRunner extends Runner {
  /** The process's working directory; paths are taken from GITHUB_WORKSPACE when the runner sets it. */
  readonly cwd: string;
}

/** GitHub drops a step summary larger than this (1 MiB) altogether. */
export const SUMMARY_LIMIT = 1024 * 1024;

/**
 * The job summary: the findings table, then the capacity report. A summary over GitHub's limit
 * would be lost entirely, so the table is cut to the findings that fit, under a note with the
 * totals (the table's own counts then cover only the rows shown; the annotations and the SARIF
 * file still carry every finding).
 */
export function jobSummary(result: RunResult, opts: ReportOptions, capacity: string): string {
  const total = countBySeverity(result.findings);
  const compose = (keep: number) => {
    if (keep === result.findings.length) return `${formatMarkdownSummary(result, opts)}\n${capacity}`;
    const note = `> [!NOTE]\n> This summary lists ${keep} of ${result.findings.length} findings (${plural(total.errors, 'error')}, ${plural(total.warnings, 'warning')} in all): the full table would exceed GitHub's step summary limit. The annotations and the SARIF file have every finding.\n\n`;
    return `${note}${formatMarkdownSummary({ ...result, findings: result.findings.slice(0, keep) }, opts)}\n${capacity}`;
  };
  let keep = result.findings.length;
  let text = compose(keep);
  while (Buffer.byteLength(text) > SUMMARY_LIMIT && keep > 0) {
    keep = Math.floor(keep / 2);
    text = compose(keep);
  }
  return text;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function failing(findings: readonly Finding[], level: FailLevel): Finding[] {
  return findings.filter((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[level as Severity]);
}

function describeCounts(findings: readonly Finding[]): string {
  const c = countBySeverity(findings);
  const parts = [plural(c.errors, 'error'), plural(c.warnings, 'warning')];
  if (c.infos) parts.push(plural(c.infos, 'info'));
  return parts.join(', ');
}

/** `path:line:col: message`, the form of each line of a configuration error. */
const POSITIONED_LINE = /^(.+?):(\d+):(\d+): (.+)$/;

/**
 * A usage or configuration error as workflow commands: a line that names a position becomes an
 * annotation on the config file, so the pull request shows it where it is.
 */
function usageErrorCommands(message: string, workspace: string): string {
  const [first, ...rest] = message.split('\n');
  const positioned = rest.map((line) => POSITIONED_LINE.exec(line));
  if (rest.length === 0 || positioned.some((m) => m === null)) return workflowCommand('error', `arena-lint: ${message}`);
  return positioned
    .map((m) => {
      const [, file = '', line = '', col = '', text = ''] = m ?? [];
      const shown = isAbsolute(file) ? relative(workspace, file).split('\\').join('/') : file;
      const props = [`file=${escapeProperty(shown)}`, `line=${line}`, `col=${col}`, `title=${escapeProperty(`arena-lint: ${first}`)}`];
      return `::error ${props.join(',')}::${escapeData(text)}\n`;
    })
    .join('');
}

/** What the base commit had: its run, or why it could not be checked. */
interface BaseCheck {
  readonly run?: CheckRun;
  readonly note?: string;
}

/**
 * Checks the base commit with the head's configuration (so a finding does not look new only
 * because the pull request changed a rule's severity), in a worktree removed afterwards.
 */
function checkBase(runner: ActionRunner, workspace: string, pr: PullRequestEvent, inputs: ActionInputs, headConfig: string | undefined): BaseCheck {
  // The head's config file goes where the base has (or would have) it, so spans into it, and the
  // messages that cite it, read the same in both runs.
  const configRel = headConfig ? relative(workspace, headConfig).split('\\').join('/') : undefined;
  const configText = headConfig ? readFileSync(headConfig, 'utf8') : undefined;
  const out = withBaseWorktree(workspace, pr.baseSha, runner.env.RUNNER_TEMP, (dir): BaseCheck => {
    const baseDir = resolve(dir, inputs.path);
    if (!existsSync(baseDir)) return { note: `${inputs.path} does not exist on the base commit; every finding is new` };
    let configPath: string | undefined;
    if (configRel !== undefined && configText !== undefined && !configRel.startsWith('..') && !isAbsolute(configRel)) {
      configPath = join(dir, configRel);
      mkdirSync(dirname(configPath), { recursive: true });
      writeFileSync(configPath, configText);
    } else if (headConfig) configPath = headConfig;
    try {
      return { run: check({ dir: baseDir, displayDir: inputs.path, ...(configPath ? { configPath } : {}), rules: RULES }) };
    } catch (e) {
      return { note: `the base commit could not be checked (${(e as Error).message.split('\n')[0]}); every finding is treated as new` };
    }
  });
  if (out.error !== undefined) return { note: `${out.error}. Every finding is treated as new.` };
  return out.value ?? {};
}

function readBaselineInput(workspace: string, path: string): Baseline {
  const abs = resolve(workspace, path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new InputError(`input "baseline": file not found: ${path}`);
  }
  const { baseline, error } = parseBaseline(text);
  if (!baseline) throw new InputError(`input "baseline": invalid baseline ${path}: ${error}`);
  return baseline;
}

/** Annotations for a pull request: the new findings only, errors first, and each related location in a changed file. */
function pullRequestAnnotations(result: RunResult, fresh: readonly Finding[], opts: ReportOptions, changed: ReadonlySet<string> | undefined): string {
  const ordered = [...fresh].sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity]);
  const lines: string[] = [];
  for (const f of ordered) {
    const one = { ...result, findings: [f] };
    lines.push(formatGithub(one, opts).trimEnd());
    const at = toLocated(result, f);
    const primary = `${repoPath(opts, at.file)}:${at.line}`;
    for (const r of at.related) {
      const file = repoPath(opts, r.file);
      if (!changed?.has(file) || (r.file === at.file && r.line === at.line)) continue;
      const cmd = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const props = [`file=${escapeProperty(file)}`, `line=${r.line}`, `col=${r.column}`, `title=${escapeProperty(`arena-lint (${f.ruleId})`)}`];
      lines.push(`::${cmd} ${props.join(',')}::${escapeData(`${r.message}: this is part of the finding at ${primary}: ${f.message}`)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

interface PullRequestView {
  readonly pr: PullRequestEvent;
  readonly fresh: readonly Finding[];
  readonly existing: readonly Finding[];
  readonly base?: CheckRun;
  readonly note?: string;
}

/**
 * The job summary of a pull request: what it adds (with hints), what was there before (folded),
 * how it moves capacity, and its topology with what it changed marked; then the capacity report.
 * Lists are cut (existing first) to stay under GitHub's limit.
 */
export function pullRequestSummary(result: RunResult, view: PullRequestView, opts: ReportOptions, head: CheckRun, shownDir: string): string {
  const headCapacity: CapacityReport = buildCapacityReport(head.stacks, head.config, shownDir);
  const baseCapacity = view.base ? buildCapacityReport(view.base.stacks, view.base.config, shownDir) : undefined;
  const topology: string[] = [];
  for (const stack of head.stacks) {
    const graph = stackGraph(stack);
    const baseStack = view.base?.stacks.find((s) => s.name === stack.name);
    const baseGraph = baseStack ? stackGraph(baseStack) : undefined;
    const change = topologyChange(baseGraph, graph);
    const said = [
      change.added.length ? `added ${change.added.join(', ')}` : '',
      change.removed.length ? `removed ${change.removed.join(', ')}` : '',
      change.changed.length ? `changed ${change.changed.join(', ')}` : '',
      change.broke.length ? `**broke ${change.broke.join(', ')}**` : '',
      change.fixed.length ? `repaired ${change.fixed.join(', ')}` : '',
    ].filter(Boolean);
    if (!baseGraph && view.base) said.push('a new stack');
    topology.push(`#### ${escapeCell(repoPath(opts, stack.name))}`, '', said.length ? `This pull request ${said.join('; ')}.` : 'No change to the topology.', '', '```mermaid', formatMermaidChange(baseGraph, graph).trimEnd(), '```', '');
  }
  const compose = (keepNew: number, keepExisting: number) => {
    const out = ['## arena-lint', ''];
    if (view.note) out.push('> [!WARNING]', `> ${escapeCell(view.note)}`, '');
    out.push(`${plural(view.fresh.length, 'finding')} new in this pull request, ${view.existing.length} already on the base branch (${view.pr.baseSha.slice(0, 7)}).`, '');
    out.push(`### New in this pull request (${view.fresh.length})`, '');
    if (view.fresh.length === 0) out.push('Nothing new. ✔');
    else {
      if (keepNew < view.fresh.length) out.push(`> [!NOTE]\n> ${keepNew} of ${view.fresh.length} shown: the full list would exceed GitHub's step summary limit. The annotations and the SARIF file have every finding.`, '');
      out.push(...findingsTable(result, view.fresh.slice(0, keepNew), opts, true));
    }
    out.push('');
    if (view.existing.length) {
      out.push('<details>', `<summary>Already on the base branch (${view.existing.length})</summary>`, '');
      if (keepExisting < view.existing.length) out.push(`${keepExisting} of ${view.existing.length} shown (GitHub's step summary limit).`, '');
      out.push(...findingsTable(result, view.existing.slice(0, keepExisting), opts, true), '', '</details>', '');
    }
    const delta = capacityChangeMarkdown(capacityChange(baseCapacity, headCapacity));
    if (delta) out.push(delta);
    if (topology.length) out.push('### Topology', '', ...topology);
    out.push(capacityMarkdown(head.stacks, head.config, shownDir));
    return out.join('\n');
  };
  let keepNew = view.fresh.length;
  let keepExisting = view.existing.length;
  let text = compose(keepNew, keepExisting);
  while (Buffer.byteLength(text) > SUMMARY_LIMIT && (keepExisting > 0 || keepNew > 0)) {
    if (keepExisting > 0) keepExisting = Math.floor(keepExisting / 2);
    else keepNew = Math.floor(keepNew / 2);
    text = compose(keepNew, keepExisting);
  }
  return text;
}

/**
 * The action: checks the stacks under `path` (and, on a pull request, the base commit too, to tell
 * new findings from existing ones), writes annotations, the SARIF file, the job summary and the
 * outputs, and returns the exit code (1 when `fail-on` says the findings fail the job, 2 for a bad
 * input, a configuration error or an internal error).
 */
export function runAction(runner: ActionRunner): number {
  const workspace = resolve(runner.cwd, runner.env.GITHUB_WORKSPACE ?? '.');
  try {
    const pr = readPullRequest(runner.env);
    const inputs = readInputs(runner, pr !== undefined);
    const dirAbs = resolve(workspace, inputs.path);
    // Annotations and SARIF need repository-relative paths; the workspace is the repository root.
    const shownDir = relative(workspace, dirAbs).split('\\').join('/') || '.';
    const configPath = inputs.config !== undefined ? resolve(workspace, inputs.config) : undefined;
    const checkOpts = { dir: dirAbs, displayDir: shownDir, ...(configPath ? { configPath } : {}), rules: RULES };
    const run = check(checkOpts);
    if (run.stacks.length === 0) throw new UsageError(`no stack found in ${shownDir}: no compose file (docker-compose*.yml, compose*.yml) there or under it; check the path input`);
    const baseline = inputs.baseline !== undefined ? readBaselineInput(workspace, inputs.baseline) : undefined;
    const result: RunResult = { ...run.result, root: shownDir };
    const blobUrl = githubBlobUrl(runner.env);
    const opts: ReportOptions = {
      color: false,
      rules: RULES.map((r) => r.meta),
      version: pkg.version,
      ...(shownDir !== '.' ? { cwdRelativeRoot: shownDir } : {}),
      ...(blobUrl !== undefined ? { blobUrl } : {}),
    };

    let view: PullRequestView | undefined;
    if (pr) {
      const headConfig = configPath ?? (run.config.file ? join(dirAbs, run.config.file.path) : undefined);
      const base = checkBase(runner, workspace, pr, inputs, headConfig);
      const { fresh, existing } = classify(result.findings, base.run?.result.findings ?? [], baseline);
      view = { pr, fresh, existing, ...(base.run ? { base: base.run } : {}), ...(base.note ? { note: base.note } : {}) };
      if (base.note) runner.stdout(workflowCommand('warning', `arena-lint: ${base.note}`));
    }
    // Without a pull request, the baseline alone says what is accepted.
    const { fresh, existing } = view ?? classify(result.findings, [], baseline);

    if (inputs.annotations) {
      if (view) runner.stdout(pullRequestAnnotations(result, fresh, opts, changedFiles(workspace, view.pr.baseSha, view.pr.headSha)));
      else runner.stdout(formatGithub({ ...result, findings: fresh }, opts));
    }
    if (inputs.sarifFile !== undefined) {
      const sarifAbs = resolve(workspace, inputs.sarifFile);
      mkdirSync(dirname(sarifAbs), { recursive: true });
      writeFileSync(sarifAbs, formatSarif(result, opts));
    }
    const summaryFile = runner.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      // The diff of the fixes `check --fix` would make follows either summary (at most 64 KiB of it).
      const fixes = availableFixesMarkdown(checkOpts, run, shownDir);
      appendFileSync(summaryFile, (view ? pullRequestSummary(result, view, opts, run, shownDir) : jobSummary(result, opts, capacityMarkdown(run.stacks, run.config, shownDir))) + fixes);
    }

    const counts = countBySeverity(result.findings);
    const newCounts = countBySeverity(fresh);
    const outputs: Record<OutputName, string> = {
      errors: String(counts.errors),
      warnings: String(counts.warnings),
      'new-errors': String(newCounts.errors),
      'new-warnings': String(newCounts.warnings),
      'sarif-file': inputs.sarifFile ?? '',
    };
    setOutputs(runner, outputs);
    runner.stdout(`${summaryLine(result)}${view || baseline ? ` (${fresh.length} new, ${existing.length} ${view ? 'already on the base branch' : 'in the baseline'})` : ''}\n`);
    if (inputs.failOn === 'none') return 0;
    // fail-on all: every finding but those the baseline accepts; new: only what this change adds.
    const counted = inputs.failOn === 'new' ? fresh : baseline ? classify(result.findings, [], baseline).fresh : result.findings;
    const failed = failing(counted, inputs.failLevel);
    if (failed.length === 0) return 0;
    const which = inputs.failOn === 'new' ? (view ? ' new in this pull request' : baseline ? ' not in the baseline' : '') : '';
    runner.stdout(workflowCommand('error', `arena-lint found ${describeCounts(failed)}${which} (fail-on: ${inputs.failOn}, fail-level: ${inputs.failLevel})`));
    return 1;
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      runner.stdout(usageErrorCommands(e.message, workspace));
      return 2;
    }
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    runner.stdout(workflowCommand('error', `arena-lint: internal error: ${message}. Please report it with the failing repository's files.`));
    return 2;
  }
}
