import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../../package.json' with { type: 'json' };
import { hasProgram, REPO, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

interface Step { name?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Workflow { on: { push?: { tags?: string[] } }; permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> }

const workflow = parse(readFileSync(join(REPO, '.github/workflows/release.yml'), 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs)[0]?.steps ?? [];
const step = (name: string) => {
  const s = steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step "${name}" in release.yml`);
  return s;
};

function sh(script: string, cwd: string, env: Record<string, string>) {
  return spawnSync('bash', ['-e', '-c', script], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('the release workflow', () => {
  it('runs on v* tags with the permissions npm provenance and the tag push need', () => {
    expect(workflow.on.push?.tags).toEqual(['v*']);
    expect(workflow.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
  });

  it('tests, checks dist/ is fresh, then publishes with provenance, in that order', () => {
    const order = ['The tag names the package version', 'Tests', 'dist/ is fresh', 'Publish to npm', 'Move the major tag'].map((n) => steps.indexOf(step(n)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['registry-url']).toBe('https://registry.npmjs.org');
    expect(step('Tests').run).toBe('npm test');
    expect(step('dist/ is fresh').run).toContain('npm run build');
    expect(step('dist/ is fresh').run).toContain('git status --porcelain -- dist');
    expect(step('Publish to npm').run).toBe('npm publish --provenance --access public');
    // Expressions reach the scripts as environment variables, never spliced into the shell text.
    for (const s of steps) expect(s.run ?? '', s.name).not.toMatch(/\$\{\{/);
  });

  it('refuses a tag that does not name the package version', () => {
    const check = step('The tag names the package version').run ?? '';
    expect(sh(check, REPO, { TAG: `v${pkg.version}` }).status).toBe(0);
    const wrong = sh(check, REPO, { TAG: 'v9.9.9' });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain(`::error::tag v9.9.9 does not match package.json v${pkg.version}`);
  });

  it.skipIf(!hasProgram('git'))('moves the major tag to the released commit', () => {
    const origin = tempDir('origin');
    git(origin, 'init', '-q', '--bare');
    const clone = tempDir('clone');
    git(clone, 'init', '-q', '-b', 'main');
    git(clone, 'remote', 'add', 'origin', origin);
    writeFileSync(join(clone, 'a.txt'), '1\n');
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', 'one');
    git(clone, 'tag', 'v0');
    git(clone, 'push', '-q', 'origin', 'main', 'refs/tags/v0');
    writeFileSync(join(clone, 'a.txt'), '2\n');
    git(clone, 'commit', '-q', '-am', 'two');
    const sha = git(clone, 'rev-parse', 'HEAD');
    const r = sh(step('Move the major tag').run ?? '', clone, { TAG: 'v0.2.0', GITHUB_SHA: sha });
    expect(r.status, r.stderr).toBe(0);
    expect(git(origin, 'rev-parse', 'refs/tags/v0^{commit}')).toBe(sha);
  });
});

describe('the license', () => {
  it('is the MIT license package.json names', () => {
    expect(pkg.license).toBe('MIT');
    const text = readFileSync(join(REPO, 'LICENSE'), 'utf8');
    expect(text.split('\n')[0]).toBe('MIT License');
    expect(text).toContain('Permission is hereby granted, free of charge');
  });

  it('the changelog has an entry for the package version', () => {
    const log = readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8');
    expect(log).toContain(`## [${pkg.version}]`);
    expect(log).toContain('## [Unreleased]');
  });
});
