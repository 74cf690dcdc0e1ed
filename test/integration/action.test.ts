import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_NAMES, OUTPUT_NAMES } from '../../src/action/main.js';
import { validateSarif } from '../reporters/sarif-schema.js';
import { brokenPort, CLEAN_STACK, REPO, removeTempDirs, tempDir, unlimitedNginx, writeFiles } from './helpers.js';
import { actionManifest, runAction, type ActionRun } from './runner.js';

function workspaceWith(files: Readonly<Record<string, string>>): string {
  const dir = tempDir('workspace');
  writeFiles(dir, files);
  return dir;
}

const annotations = (r: ActionRun) => r.commands.filter((c) => c.properties.file !== undefined);
const plainErrors = (r: ActionRun) => r.commands.filter((c) => c.command === 'error' && c.properties.file === undefined);

afterAll(removeTempDirs);

describe('action.yml', () => {
  const manifest = actionManifest();

  it('is a node24 JavaScript action running the committed bundle', () => {
    expect(manifest.runs.using).toBe('node24');
    expect(manifest.runs.main).toBe('dist/action.js');
    expect(existsSync(join(REPO, manifest.runs.main))).toBe(true);
  });

  it('declares exactly the inputs the code reads and the outputs it writes', () => {
    expect(Object.keys(manifest.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    expect(Object.keys(manifest.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    for (const [name, spec] of Object.entries(manifest.inputs)) expect(spec.description, name).toMatch(/\S/);
    expect(manifest.inputs.path?.default).toBe('.');
    // Empty: the action decides, new on pull requests and all otherwise.
    expect(manifest.inputs['fail-on']?.default).toBe('');
    expect(manifest.inputs['fail-level']?.default).toBe('error');
    expect(manifest.inputs.annotations?.default).toBe('true');
  });
});

describe('the action entry point, run as the runner runs it', () => {
  const broken = workspaceWith(brokenPort());
  const clean = workspaceWith(CLEAN_STACK);
  let brokenRun: ActionRun;
  beforeAll(() => {
    brokenRun = runAction(broken, {});
  });

  it('annotates each finding at its file, line and column, then fails the step on errors', () => {
    const r = brokenRun;
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const found = annotations(r);
    expect(found).toHaveLength(1);
    const [a] = found;
    expect(a?.command).toBe('error');
    expect(a?.properties).toMatchObject({ file: 'nginx/default.conf', line: '4', col: '20', endLine: '4', title: 'arena-lint (upstream-port-mismatch)' });
    expect(a?.message).toContain('proxy_pass connects to web on port 8001, but its app server listens on 8000 (docker-compose.yml:4)');
    expect(a?.message).toContain('docker-compose.yml:4:51 web binds port 8000 here');
    expect(plainErrors(r).map((c) => c.message)).toEqual(['arena-lint found 1 error, 0 warnings (fail-on: all, fail-level: error)']);
  });

  it('writes the counts to $GITHUB_OUTPUT', () => {
    expect(brokenRun.outputs).toEqual({ errors: '1', warnings: '0', 'new-errors': '1', 'new-warnings': '0', 'sarif-file': '' });
  });

  it('writes the findings table and the capacity report to the job summary', () => {
    const summary = brokenRun.summary ?? '';
    expect(summary).toMatch(/^## arena-lint\n/);
    const row = summary.split('\n').find((l) => l.includes('`upstream-port-mismatch`'));
    expect(row).toContain('nginx/default.conf:4');
    expect(row).toContain('port 8001');
    expect(summary).toContain('| docker-compose.yml | 1 | 0 | 0 |');
    // The capacity report follows the findings and names this stack's web tier.
    const capacityAt = summary.indexOf('## arena-lint capacity');
    expect(capacityAt).toBeGreaterThan(summary.indexOf('`upstream-port-mismatch`'));
    expect(summary.slice(capacityAt)).toContain('docker-compose.yml');
    expect(summary.slice(capacityAt)).toMatch(/web/);
  });

  it('links summary locations to the commit when the runner names the repository', () => {
    const r = runAction(broken, {}, { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/shop', GITHUB_SHA: 'abc123' });
    expect(r.summary).toContain('(https://github.com/octo/shop/blob/abc123/nginx/default.conf#L4)');
  });

  it('passes a clean stack with zero counts', () => {
    const r = runAction(clean, {});
    expect(r.status).toBe(0);
    expect(r.commands).toEqual([]);
    expect(r.outputs).toEqual({ errors: '0', warnings: '0', 'new-errors': '0', 'new-warnings': '0', 'sarif-file': '' });
    expect(r.summary).toContain('no problems');
    expect(r.stdout).toContain('1 stack, 2 files checked, no problems');
  });

  it('fail-on: none reports but does not fail; annotations: false leaves the annotations out', () => {
    const r = runAction(broken, { 'fail-on': 'none', annotations: 'false' });
    expect(r.status).toBe(0);
    expect(r.commands).toEqual([]);
    expect(r.outputs.errors).toBe('1');
    expect(r.summary).toContain('`upstream-port-mismatch`');
  });

  it('fail-level: warning fails on a warning that fail-level: error lets pass', () => {
    const warned = workspaceWith(unlimitedNginx());
    const lenient = runAction(warned, {});
    expect(lenient.status).toBe(0);
    expect(lenient.outputs).toMatchObject({ errors: '0', warnings: '1' });
    expect(annotations(lenient).map((c) => [c.command, c.properties.title])).toEqual([['warning', 'arena-lint (resource-limits-missing)']]);
    const strict = runAction(warned, { 'fail-level': 'warning' });
    expect(strict.status).toBe(1);
    expect(plainErrors(strict).map((c) => c.message)).toEqual(['arena-lint found 0 errors, 1 warning (fail-on: all, fail-level: warning)']);
  });

  it('writes a SARIF file that validates against the SARIF 2.1.0 schema, and names it in the outputs', () => {
    const r = runAction(broken, { 'sarif-file': 'reports/arena-lint.sarif' });
    expect(r.outputs['sarif-file']).toBe('reports/arena-lint.sarif');
    const log = JSON.parse(readFileSync(join(broken, 'reports/arena-lint.sarif'), 'utf8')) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
    };
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((x) => x.ruleId)).toEqual(['upstream-port-mismatch']);
    expect(results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('nginx/default.conf');
    expect(results[0]?.locations[0]?.physicalLocation.region.startLine).toBe(4);
  });

  it('checks a subdirectory and reports repository-relative paths', () => {
    const repo = tempDir('workspace');
    writeFiles(join(repo, 'deploy'), brokenPort());
    const r = runAction(repo, { path: 'deploy', 'sarif-file': 'arena-lint.sarif' });
    expect(r.status).toBe(1);
    expect(annotations(r)[0]?.properties.file).toBe('deploy/nginx/default.conf');
    expect(readFileSync(join(repo, 'arena-lint.sarif'), 'utf8')).toContain('"uri": "deploy/nginx/default.conf"');
    expect(r.summary).toContain('deploy/nginx/default.conf:4');
  });

  it('annotates a configuration error at the config file line, without a stack trace', () => {
    const ws = workspaceWith({ ...CLEAN_STACK, '.arena-lint.yaml': 'rules:\n  upstream-port-mismatch: warning\n  no-such-rule: error\n' });
    const r = runAction(ws, {});
    expect(r.status).toBe(2);
    expect(r.commands).toHaveLength(1);
    expect(r.commands[0]?.properties).toMatchObject({ file: '.arena-lint.yaml', line: '3', col: '3' });
    expect(r.commands[0]?.message).toContain('unknown rule "no-such-rule"');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(r.outputs).toEqual({});
  });

  it('rejects a bad input with one ::error:: line', () => {
    const r = runAction(clean, { 'fail-on': 'sometimes' });
    expect(r.status).toBe(2);
    expect(r.commands.map((c) => c.message)).toEqual(['arena-lint: input "fail-on" must be one of new, all, none, got "sometimes"']);
    const yes = runAction(clean, { annotations: 'yes' });
    expect(yes.status).toBe(2);
    expect(yes.commands[0]?.message).toContain('input "annotations" must be true or false');
  });

  it('takes an input as a value, never as shell: $(...) in a path is only a path', () => {
    const ws = workspaceWith(CLEAN_STACK);
    const r = runAction(ws, { path: '$(touch pwned)', config: '`touch pwned2`' });
    expect(r.status).toBe(2);
    expect(r.commands[0]?.message).toContain('$(touch pwned)');
    expect(existsSync(join(ws, 'pwned'))).toBe(false);
    expect(existsSync(join(ws, 'pwned2'))).toBe(false);
  });
});
