import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import pkg from '../../package.json' with { type: 'json' };
import { brokenPort, CLEAN_STACK, hasProgram, REPO, removeTempDirs, replaceOnce, run, tempDir, writeFiles } from './helpers.js';

interface Hook { id: string; name: string; entry: string; language: string; pass_filenames: boolean; files: string; require_serial?: boolean }
const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = hooks.find((h) => h.id === 'arena-lint');

afterAll(removeTempDirs);

describe('.pre-commit-hooks.yaml', () => {
  it('defines the arena-lint hook: a node hook running the package bin on the whole repository', () => {
    expect(hook).toBeDefined();
    expect(hook?.language).toBe('node');
    expect(hook?.pass_filenames).toBe(false);
    expect(Object.keys(pkg.bin)).toContain(hook?.entry.split(' ')[0]);
    expect(hook?.entry).toBe('arena-lint check');
  });

  // pre-commit matches `files` with Python's re.search; this pattern uses only syntax both share.
  const files = new RegExp(hook?.files ?? '^$');
  it.each([
    'docker-compose.yml', 'deploy/compose.prod.yaml', '.arena-lint.yaml', 'arena-lint.config.json', 'nginx/conf.d/app.conf',
    'nginx/templates/default.conf.template', 'pgbouncer/pgbouncer.ini', 'backend/app/settings.py', 'config.env', '.env',
    '.env.production', 'backend/Dockerfile', 'Dockerfile.web', 'host/sysctl.d/99-arena.conf', 'scripts/tune-host.sh', 'redis/redis.conf',
  ])('runs when %s changes', (path) => expect(files.test(path)).toBe(true));
  it.each(['README.md', 'docs/logo.png', 'frontend/src/app.tsx', 'LICENSE'])('is skipped when only %s changes', (path) => expect(files.test(path)).toBe(false));
});

const tools = ['pre-commit', 'git', 'npm'].filter((p) => !hasProgram(p));
if (tools.length) console.warn(`[pre-commit.test] ${tools.join(', ')} not installed (Debian: apt-get install pre-commit git npm); skipping the real pre-commit run`);

/**
 * The hook source as pre-commit clones it: what `npm pack` ships plus the lockfile and the hooks
 * file, committed to a throwaway repository (so the test runs the working tree, not the last commit).
 */
function hookRepository(env: NodeJS.ProcessEnv): { dir: string; rev: string } {
  const dir = tempDir('hook-repo');
  const listed = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, env });
  if (listed.status !== 0) throw new Error(`npm pack --dry-run failed: ${listed.stderr}`);
  const packed = (JSON.parse(listed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
  for (const rel of [...packed, 'package-lock.json', '.pre-commit-hooks.yaml']) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    copyFileSync(join(REPO, rel), join(dir, rel));
  }
  git(dir, env, 'init', '-q');
  git(dir, env, 'add', '-A');
  git(dir, env, 'commit', '-q', '-m', 'hook source');
  return { dir, rev: git(dir, env, 'rev-parse', 'HEAD').stdout.trim() };
}

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = run('git', args, { cwd, env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r;
}

describe.skipIf(tools.length > 0)('pre-commit with the arena-lint hook, in a throwaway repository', () => {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && !k.startsWith('GIT_'))),
    // The machine's git identity and signing settings are not the test's.
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com',
    PRE_COMMIT_HOME: tempDir('pre-commit-home'),
  };
  const user = tempDir('user-repo');
  const commit = (message: string, ...flags: string[]) => run('git', ['commit', '-m', message, ...flags], { cwd: user, env });
  const commits = () => Number(run('git', ['rev-list', '--count', '--all'], { cwd: user, env }).stdout.trim() || '0');

  beforeAll(() => {
    const hookRepo = hookRepository(env);
    git(user, env, 'init', '-q');
    writeFiles(user, CLEAN_STACK);
    writeFileSync(join(user, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo.dir}\n    rev: ${hookRepo.rev}\n    hooks:\n      - id: arena-lint\n`);
    const installed = run('pre-commit', ['install'], { cwd: user, env });
    if (installed.status !== 0) throw new Error(`pre-commit install: ${installed.stdout}${installed.stderr}`);
  });

  it('lets a clean stack through (installing the hook with the system node)', () => {
    git(user, env, 'add', '-A');
    const r = commit('clean stack');
    expect(r.stderr + r.stdout).toMatch(/arena-lint\.+Passed/);
    expect(r.status).toBe(0);
    expect(commits()).toBe(1);
  });

  it('blocks a commit that breaks the stack, naming the finding', () => {
    writeFiles(user, brokenPort());
    git(user, env, 'add', '-A');
    const r = commit('point nginx at the wrong port');
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/arena-lint\.+Failed/);
    expect(out).toContain('nginx/default.conf:4:20');
    expect(out).toContain('upstream-port-mismatch');
    expect(commits()).toBe(1);
  });

  it('lets the fix through', () => {
    // The other way to agree: gunicorn binds the port nginx now uses.
    const fixed = brokenPort();
    writeFiles(user, { 'docker-compose.yml': replaceOnce(fixed['docker-compose.yml'] ?? '', '0.0.0.0:8000', '0.0.0.0:8001') });
    git(user, env, 'add', '-A');
    const r = commit('fix the port');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(commits()).toBe(2);
  });

  it('does not run for a commit that touches no file it reads', () => {
    writeFiles(user, brokenPort());
    git(user, env, 'add', '-A');
    expect(commit('broken, hook bypassed', '--no-verify').status).toBe(0);
    writeFileSync(join(user, 'README.md'), '# shop\n');
    git(user, env, 'add', 'README.md');
    const r = commit('readme');
    expect(r.stdout + r.stderr).toMatch(/arena-lint\.+\(no files to check\)Skipped/);
    expect(r.status).toBe(0);
  });
});
