import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { inputVariable } from '../../src/action/runner.js';
import { REPO, run, tempDir } from './helpers.js';

/** action.yml as the runner reads it. */
export interface ActionManifest {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

export function actionManifest(): ActionManifest {
  return parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as ActionManifest;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** Undefined when the action did not touch $GITHUB_STEP_SUMMARY. */
  summary: string | undefined;
  commands: WorkflowCommand[];
}

// The runner's unescaping of workflow command data and properties (the reverse of escapeData/escapeProperty).
function unescape(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
    out.push({ command: m[1] ?? '', properties, message: unescape(m[3] ?? '') });
  }
  return out;
}

/** $GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const end = lines.indexOf(delimiter, i + 1);
      if (end < 0) throw new Error(`output ${name}: no closing delimiter`);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line !== '') throw new Error(`malformed output line: ${line}`);
  }
  return out;
}

let installed: string | undefined;

/**
 * A copy of the action as the runner downloads it (action.yml and dist/, no node_modules), so a
 * bundle that needs anything beyond itself fails here.
 */
function actionCheckout(): string {
  if (installed && existsSync(installed)) return installed;
  const dir = tempDir('action');
  copyFileSync(join(REPO, 'action.yml'), join(dir, 'action.yml'));
  const main = actionManifest().runs.main;
  if (!existsSync(join(REPO, main))) throw new Error(`${main} is missing: run npm run build`);
  const target = join(dir, main);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(REPO, main), target);
  installed = dir;
  return dir;
}

/**
 * Runs the action's entry point the way the runner does: `node <action>/dist/action.js` in the
 * workspace, inputs as INPUT_* variables (action.yml's defaults for those the step leaves out),
 * and fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
export function runAction(workspace: string, withInputs: Readonly<Record<string, string>>, extraEnv: Readonly<Record<string, string>> = {}): ActionRun {
  const manifest = actionManifest();
  // The runner warns about inputs action.yml does not declare and the action never sees them.
  const undeclared = Object.keys(withInputs).filter((name) => !Object.hasOwn(manifest.inputs, name));
  if (undeclared.length) throw new Error(`inputs not declared in action.yml: ${undeclared.join(', ')}`);
  const files = tempDir('runner');
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary');
  writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: files,
    ...extraEnv,
  };
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = withInputs[name] ?? spec.default;
    if (value !== undefined) env[inputVariable(name)] = value;
  }
  const r = run(process.execPath, [join(actionCheckout(), manifest.runs.main)], { cwd: workspace, env });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : undefined,
    commands: parseCommands(r.stdout),
  };
}
