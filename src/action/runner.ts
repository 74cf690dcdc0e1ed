import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { escapeData } from '../reporters/index.js';

/**
 * The parts of the GitHub Actions runner protocol the action uses, written against an environment
 * object so tests can play the runner: inputs arrive as `INPUT_*` variables, outputs and the job
 * summary go to the files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, and everything else is
 * a workflow command on stdout.
 */
export type RunnerEnv = Readonly<Record<string, string | undefined>>;

/** Thrown for a bad input; the action reports it as one `::error::` line, without a stack trace. */
export class InputError extends Error {}

/** The runner's name for an input: `INPUT_` + the name upper-cased with spaces as `_`; dashes stay. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** An input's value, trimmed; undefined when the workflow left it empty and action.yml has no default. */
export function getInput(env: RunnerEnv, name: string): string | undefined {
  const value = env[inputVariable(name)]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

// The YAML 1.2 core schema's booleans, the words a workflow author may write for `true`/`false`.
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

export function getBooleanInput(env: RunnerEnv, name: string, fallback: boolean): boolean {
  const value = getInput(env, name);
  if (value === undefined) return fallback;
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  throw new InputError(`input "${name}" must be true or false, got "${value}"`);
}

export function getChoiceInput<T extends string>(env: RunnerEnv, name: string, choices: readonly T[], fallback: T): T {
  const value = getInput(env, name);
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input "${name}" must be one of ${choices.join(', ')}, got "${value}"`);
}

/**
 * Appends `name<<DELIMITER` / value / `DELIMITER` to $GITHUB_OUTPUT: the form that also carries
 * multi-line values. The delimiter is random so no value can end the block early.
 */
export function outputBlock(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter) || name.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

export interface Runner {
  readonly env: RunnerEnv;
  readonly stdout: (s: string) => void;
}

export function setOutputs(runner: Runner, outputs: Readonly<Record<string, string>>): void {
  const file = runner.env.GITHUB_OUTPUT;
  if (!file) {
    // Outside a runner (or on a runner too old for output files) the outputs have nowhere to go.
    runner.stdout(workflowCommand('warning', 'GITHUB_OUTPUT is not set; the step outputs are not written'));
    return;
  }
  appendFileSync(file, Object.entries(outputs).map(([k, v]) => outputBlock(k, v)).join(''));
}

export function workflowCommand(kind: 'error' | 'warning' | 'notice', message: string): string {
  return `::${kind}::${escapeData(message)}\n`;
}
