import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { CAPACITY_OPTIONS } from '../../src/commands/capacity.js';
import { CHECK_OPTIONS } from '../../src/commands/check.js';
import { INIT_OPTIONS } from '../../src/commands/init.js';
import { SCALE_OPTIONS } from '../../src/commands/scale.js';
import pkg from '../../package.json' with { type: 'json' };
import { validateSarif } from '../reporters/sarif-schema.js';
import { REPO, removeTempDirs, run, tempDir } from './helpers.js';
import { runAction, type ActionRun } from './runner.js';

afterAll(removeTempDirs);

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const start = readme.indexOf('<!-- usage:start -->');
const end = readme.indexOf('<!-- usage:end -->');
const usage = readme.slice(start, end);
const yamlBlocks = [...usage.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const THIS_ACTION = 'arena-lint/arena-lint';
const release = `v${pkg.version}`;
/** The Action is used by its major tag, which the release workflow moves. */
const majorTag = `v${pkg.version.split('.')[0]}`;

interface Step { uses?: string; run?: string; id?: string; if?: string; with?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> }

function theWorkflow(): Workflow {
  const text = yamlBlocks.find((b) => b.includes(`uses: ${THIS_ACTION}@`));
  if (text === undefined) throw new Error('no workflow using the action in the README usage section');
  const doc = parseDocument(text);
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  return doc.toJS() as Workflow;
}

/** A `${{ steps.<id>.outputs.<name> }}` expression with the step's real outputs substituted. */
function evaluate(expr: string, outputsOf: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  return expr.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => {
    const value = outputsOf[id]?.[name];
    if (value === undefined) throw new Error(`steps.${id}.outputs.${name} is not an output of that step`);
    return value;
  });
}

it('README has the usage markers after the generated rules table', () => {
  expect(start).toBeGreaterThan(readme.indexOf('<!-- rules:end -->'));
  expect(end).toBeGreaterThan(start);
});

describe('the README workflow', () => {
  const workflow = theWorkflow();
  const jobs = Object.values(workflow.jobs);
  const steps = jobs[0]?.steps ?? [];
  const arena = steps.find((s) => s.uses?.startsWith(`${THIS_ACTION}@`));
  const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));

  it('runs on pull requests with only the permissions it needs', () => {
    expect(Object.keys(workflow.on)).toContain('pull_request');
    expect(workflow.permissions).toEqual({ contents: 'read', 'security-events': 'write' });
  });

  it('checks out, runs this action at the current release, then uploads the SARIF file', () => {
    expect(jobs).toHaveLength(1);
    expect(steps[0]?.uses).toMatch(/^actions\/checkout@v\d+$/);
    // The pull-request comparison needs the base commit in the clone.
    expect(String(steps[0]?.with?.['fetch-depth'])).toBe('0');
    expect(arena?.uses).toBe(`${THIS_ACTION}@${majorTag}`);
    expect(arena?.with?.['sarif-file']).toMatch(/\.sarif$/);
    expect(upload, 'an upload-sarif step').toBeDefined();
    // Findings fail the arena-lint step; the alerts must still be uploaded.
    expect(upload?.if).toMatch(/!cancelled\(\)|always\(\)/);
    // A fork's pull request gets a read-only token: the upload is skipped there.
    expect(upload?.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    // Nothing reaches a shell, so no input can be spliced into one.
    expect(steps.filter((s) => s.run !== undefined)).toEqual([]);
  });

  describe('run as written on the seed stack', () => {
    let workspace = '';
    let result: ActionRun;
    beforeAll(() => {
      workspace = tempDir('readme-workspace');
      cpSync(join(REPO, 'fixtures/arena-scaled'), workspace, { recursive: true });
      result = runAction(workspace, arena?.with ?? {});
    });

    it('reports the seed stack and fails the step on its errors', () => {
      expect(Number(result.outputs.errors)).toBeGreaterThan(0);
      expect(result.status).toBe(1);
      expect(result.commands.some((c) => c.properties.file === 'docker-compose.loadbalanced.yml' || c.properties.file?.startsWith('nginx/'))).toBe(true);
      expect(result.summary).toContain('## arena-lint capacity');
    });

    it('gives the upload step a SARIF file that exists and validates', () => {
      const outputsOf = { [arena?.id ?? '']: result.outputs };
      // Every output the upload step's condition tests is set, so the upload runs.
      const tested = [...(upload?.if ?? '').matchAll(/steps\.[\w-]+\.outputs\.[\w-]+/g)].map((m) => evaluate(`\${{ ${m[0]} }}`, outputsOf));
      for (const value of tested) expect(value).not.toBe('');
      const sarifFile = evaluate(upload?.with?.sarif_file ?? '', outputsOf);
      expect(sarifFile).toBe(arena?.with?.['sarif-file']);
      const path = join(workspace, sarifFile);
      expect(existsSync(path)).toBe(true);
      const log = JSON.parse(readFileSync(path, 'utf8')) as { runs: Array<{ results: unknown[] }> };
      expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
      expect(log.runs[0]?.results).toHaveLength(Number(result.outputs.errors) + Number(result.outputs.warnings) + countInfos(result));
    });
  });
});

function countInfos(r: ActionRun): number {
  return r.commands.filter((c) => c.command === 'notice' && c.properties.file !== undefined).length;
}

describe('the README pre-commit configuration', () => {
  const text = yamlBlocks.find((b) => /^repos:/m.test(b)) ?? '';
  const config = parse(text) as { repos: Array<{ repo: string; rev: string; hooks: Array<{ id: string }> }> };
  const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string }>;

  it('points at this repository at the current release and a hook it defines', () => {
    const repoUrl = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(config.repos[0]?.repo).toBe(repoUrl);
    expect(config.repos[0]?.rev).toBe(release);
    expect(config.repos[0]?.hooks.map((h) => h.id)).toEqual(hooks.map((h) => h.id));
  });
});

describe('the README documents the CLI', () => {
  const help = run(process.execPath, [join(REPO, 'dist/arena-lint.js'), '--help'], { cwd: REPO }).stdout;
  const commands = [...help.matchAll(/^ {2}arena-lint ([a-z]+)/gm)].map((m) => m[1]);

  it('every subcommand of --help', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const c of commands) expect(usage, c).toContain(`\`arena-lint ${c}`);
  });

  it('every option of check, init, capacity and scale, and --version and --help', () => {
    const options = [...Object.keys(CHECK_OPTIONS), ...Object.keys(INIT_OPTIONS), ...Object.keys(CAPACITY_OPTIONS), ...Object.keys(SCALE_OPTIONS), 'version', 'help'];
    for (const o of new Set(options)) expect(usage, o).toContain(`--${o}`);
  });
});
