import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { capacityMarkdown } from '../capacity/index.js';
import type { RunResult } from '../core/finding.js';
import { check, UsageError } from '../engine/run.js';
import { availableFixesMarkdown } from '../fix/summary.js';
import { escapeData, escapeProperty, formatGithub, formatMarkdownSummary, formatSarif, githubBlobUrl, summaryLine, type ReportOptions } from '../reporters/index.js';
import { countBySeverity } from '../reporters/locate.js';
import { RULES } from '../../rules/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { getBooleanInput, getChoiceInput, getInput, InputError, setOutputs, workflowCommand, type Runner } from './runner.js';

/** Every input and output action.yml declares (a test holds the two lists equal). */
export const INPUT_NAMES = ['path', 'config', 'fail-on', 'sarif-file', 'annotations'] as const;
export const OUTPUT_NAMES = ['errors', 'warnings', 'sarif-file'] as const;
type InputName = (typeof INPUT_NAMES)[number];
type OutputName = (typeof OUTPUT_NAMES)[number];

export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The inputs of action.yml, read the way the runner hands them over. */
export interface ActionInputs {
  readonly path: string;
  readonly config?: string;
  readonly failOn: FailOn;
  readonly sarifFile?: string;
  readonly annotations: boolean;
}

export function readInputs(runner: Runner): ActionInputs {
  // Typed names: reading an input that action.yml does not declare fails to compile.
  const name = (n: InputName) => n;
  const config = getInput(runner.env, name('config'));
  const sarifFile = getInput(runner.env, name('sarif-file'));
  return {
    path: getInput(runner.env, name('path')) ?? '.',
    ...(config !== undefined ? { config } : {}),
    failOn: getChoiceInput(runner.env, name('fail-on'), FAIL_ON, 'error'),
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

function fails(failOn: FailOn, counts: { errors: number; warnings: number }): boolean {
  if (failOn === 'never') return false;
  return counts.errors > 0 || (failOn === 'warning' && counts.warnings > 0);
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

/**
 * The action: checks the stacks under `path`, writes annotations, the SARIF file, the job summary
 * and the outputs, and returns the exit code (1 when `fail-on` says the findings fail the job,
 * 2 for a bad input, a configuration error or an internal error).
 */
export function runAction(runner: ActionRunner): number {
  const workspace = resolve(runner.cwd, runner.env.GITHUB_WORKSPACE ?? '.');
  try {
    const inputs = readInputs(runner);
    const dirAbs = resolve(workspace, inputs.path);
    // Annotations and SARIF need repository-relative paths; the workspace is the repository root.
    const shownDir = relative(workspace, dirAbs).split('\\').join('/') || '.';
    const checkOpts = {
      dir: dirAbs,
      displayDir: shownDir,
      ...(inputs.config !== undefined ? { configPath: resolve(workspace, inputs.config) } : {}),
      rules: RULES,
    };
    const run = check(checkOpts);
    const result: RunResult = { ...run.result, root: shownDir };
    const blobUrl = githubBlobUrl(runner.env);
    const opts: ReportOptions = {
      color: false,
      rules: RULES.map((r) => r.meta),
      version: pkg.version,
      ...(shownDir !== '.' ? { cwdRelativeRoot: shownDir } : {}),
      ...(blobUrl !== undefined ? { blobUrl } : {}),
    };

    if (inputs.annotations) runner.stdout(formatGithub(result, opts));
    if (inputs.sarifFile !== undefined) {
      const sarifAbs = resolve(workspace, inputs.sarifFile);
      mkdirSync(dirname(sarifAbs), { recursive: true });
      writeFileSync(sarifAbs, formatSarif(result, opts));
    }
    const summaryFile = runner.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, jobSummary(result, opts, capacityMarkdown(run.stacks, run.config, shownDir) + availableFixesMarkdown(checkOpts, run, shownDir)));

    const counts = countBySeverity(result.findings);
    const outputs: Record<OutputName, string> = { errors: String(counts.errors), warnings: String(counts.warnings), 'sarif-file': inputs.sarifFile ?? '' };
    setOutputs(runner, outputs);
    runner.stdout(`${summaryLine(result)}\n`);
    if (!fails(inputs.failOn, counts)) return 0;
    const failing = inputs.failOn === 'warning' ? `${plural(counts.errors, 'error')} and ${plural(counts.warnings, 'warning')}` : plural(counts.errors, 'error');
    runner.stdout(workflowCommand('error', `arena-lint found ${failing} (fail-on: ${inputs.failOn})`));
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
