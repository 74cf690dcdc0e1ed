import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasProgram, removeTempDirs, tempDir, writeFiles } from './helpers.js';
import { runAction, type ActionRun } from './runner.js';

afterAll(removeTempDirs);

const WEB = (n: number) => `  web-${n}:
    image: shop/web:1
    command: gunicorn shop.wsgi:application --bind 0.0.0.0:8000 --workers 2
    deploy:
      resources:
        limits: { cpus: '1', memory: 512M }
`;
/** web-N replicas behind nginx; nginx waits for every one of them (so depends_on stays complete). */
const compose = (replicas: number[]) => `services:
${replicas.map(WEB).join('')}  nginx:
    image: nginx:1.27-alpine
    volumes:
      - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro
    depends_on: [${replicas.map((n) => `web-${n}`).join(', ')}]
    deploy:
      resources:
        limits: { cpus: '0.5', memory: 128M }
`;
// The `admin` upstream's port is wrong on the base branch already: an existing error.
const NGINX = `upstream app {
    server web-1:8000;
    server web-2:8000;
    server web-3:8000;
}
upstream admin {
    server web-1:8001;
}
server {
    listen 80;
    location /admin/ {
        proxy_pass http://admin;
    }
    location / {
        proxy_pass http://app;
    }
}
`;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with the base commit and a pull request commit on top; returns both shas. */
function repository(head: Readonly<Record<string, string>>, extraBase: Readonly<Record<string, string>> = {}): { dir: string; base: string; head: string } {
  const dir = tempDir('pr-repo');
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, { 'docker-compose.yml': compose([1, 2, 3]), 'nginx/default.conf': NGINX, 'README.md': '# shop\n', ...extraBase });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'pr');
  writeFiles(dir, head);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'the pull request');
  return { dir, base, head: git(dir, 'rev-parse', 'HEAD') };
}

/** The runner's environment for a pull_request event: the payload file with the two shas. */
function pullRequestEnv(base: string, head: string): Record<string, string> {
  const eventDir = tempDir('event');
  const path = join(eventDir, 'event.json');
  writeFileSync(path, JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7, base: { ref: 'main', sha: base }, head: { ref: 'pr', sha: head } } }));
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path, GITHUB_SHA: head };
}

const annotations = (r: ActionRun) => r.commands.filter((c) => c.properties.file !== undefined);
const plainErrors = (r: ActionRun) => r.commands.filter((c) => c.command === 'error' && c.properties.file === undefined);

describe.skipIf(!hasProgram('git'))('the action on a pull_request event', () => {
  let repo: { dir: string; base: string; head: string };
  let r: ActionRun;
  beforeAll(() => {
    // The pull request adds web-16 (to compose and nginx's depends_on) but not to upstream app.
    repo = repository({ 'docker-compose.yml': compose([1, 2, 3, 16]) });
    r = runAction(repo.dir, { 'sarif-file': 'arena-lint.sarif' }, pullRequestEnv(repo.base, repo.head));
  });

  it('annotates exactly the finding the pull request adds, on its line and on the changed related line', () => {
    expect(r.stderr).toBe('');
    const found = annotations(r);
    expect(found.map((a) => a.properties.title)).toEqual(['arena-lint (upstream-missing-replica)', 'arena-lint (upstream-missing-replica)']);
    expect(found[0]).toMatchObject({ command: 'error', properties: { file: 'nginx/default.conf', line: '4' } });
    expect(found[0]?.message).toContain('upstream app lists 3 of 4 web replicas; web-16 is missing');
    expect(found[0]?.message).toContain('hint: add `server web-16:8000;` to upstream app');
    // The related location is in a file the pull request changed: annotated there too.
    expect(found[1]).toMatchObject({ command: 'error', properties: { file: 'docker-compose.yml', line: '20', col: '3' } });
    expect(found[1]?.message).toBe('web-16 is defined here: this is part of the finding at nginx/default.conf:4: upstream app lists 3 of 4 web replicas; web-16 is missing (docker-compose.yml:20)');
  });

  it('fails on the new error only; the one already on the base branch does not fail it', () => {
    expect(r.status).toBe(1);
    expect(plainErrors(r).map((c) => c.message)).toEqual(['arena-lint found 1 error, 0 warnings new in this pull request (fail-on: new, fail-level: error)']);
    expect(r.outputs).toEqual({ errors: '2', warnings: '0', 'new-errors': '1', 'new-warnings': '0', 'sarif-file': 'arena-lint.sarif' });
    expect(r.stdout).toContain('(1 new, 1 already on the base branch)');
  });

  it('writes the summary: new with hints, existing folded, the capacity change and the marked topology', () => {
    const summary = r.summary ?? '';
    const newAt = summary.indexOf('### New in this pull request (1)');
    const existingAt = summary.indexOf('<summary>Already on the base branch (1)</summary>');
    expect(newAt).toBeGreaterThan(0);
    expect(existingAt).toBeGreaterThan(newAt);
    const newPart = summary.slice(newAt, existingAt);
    expect(newPart).toContain('| ❌ | `upstream-missing-replica` | nginx/default.conf:4 |');
    expect(newPart).toContain('add \\`server web-16:8000;\\` to upstream app');
    expect(newPart).not.toContain('upstream-port-mismatch');
    const existingPart = summary.slice(existingAt, summary.indexOf('</details>'));
    expect(existingPart).toContain('| ❌ | `upstream-port-mismatch` | nginx/default.conf:7 |');
    expect(existingPart).not.toContain('upstream-missing-replica');
    // Capacity: one more replica of 2 workers x 1 thread.
    expect(summary).toContain('### Capacity change');
    expect(summary).toContain('| docker-compose.yml | web: replicas | 3 | 4 |');
    expect(summary).toContain('| docker-compose.yml | web: concurrent requests | 6 | 8 |');
    expect(summary).toMatch(/\| docker-compose\.yml \| CPU limits \(sum\) \| 3\.5 \| 4\.5 \|/);
    // Topology: the tier grew, and the link from upstream app to it broke in this pull request.
    expect(summary).toContain('This pull request changed web x3, 2 workers x 1 threads → web x4, 2 workers x 1 threads; **broke upstream app → web x4, 2 workers x 1 threads**.');
    expect(summary).toContain('```mermaid\nflowchart LR\n');
    expect(summary).toMatch(/up_nginx_app -->\|"3 of 4, broken here"\| tier_web/);
    expect(summary).toContain('class tier_web changed');
    expect(summary).toContain('## arena-lint capacity');
  });

  it('removes the base worktree afterwards', () => {
    expect(git(repo.dir, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(readdirSync(repo.dir).sort()).toEqual(['.git', 'README.md', 'arena-lint.sarif', 'docker-compose.yml', 'nginx']);
  });

  it('passes a pull request that adds nothing, although the base branch has an error', () => {
    const docs = repository({ 'README.md': '# shop\n\nNow with docs.\n' });
    const quiet = runAction(docs.dir, {}, pullRequestEnv(docs.base, docs.head));
    expect(quiet.status).toBe(0);
    expect(annotations(quiet)).toEqual([]);
    expect(quiet.outputs).toMatchObject({ errors: '1', 'new-errors': '0' });
    expect(quiet.summary).toContain('### New in this pull request (0)\n\nNothing new. ✔');
    expect(quiet.summary).toContain('<summary>Already on the base branch (1)</summary>');
    expect(quiet.summary).toContain('No change to the topology.');
    expect(quiet.summary).not.toContain('### Capacity change');
    // fail-on: all fails on the existing error too.
    expect(runAction(docs.dir, { 'fail-on': 'all' }, pullRequestEnv(docs.base, docs.head)).status).toBe(1);
  });

  it('matches findings that cite the config file and whose numbers the pull request moves', () => {
    // capacity-target fires on both (12 and then 16 RPS < 1000) and cites .arena-lint.yaml:2.
    const withConfig = repository({ 'docker-compose.yml': compose([1, 2, 3, 16]) }, { '.arena-lint.yaml': 'capacity:\n  targetRps: 1000\n' });
    const c = runAction(withConfig.dir, { 'fail-level': 'warning' }, pullRequestEnv(withConfig.base, withConfig.head));
    expect(annotations(c).map((a) => a.properties.title)).toEqual(['arena-lint (upstream-missing-replica)', 'arena-lint (upstream-missing-replica)']);
    expect(c.outputs).toMatchObject({ 'new-errors': '1', 'new-warnings': '0' });
    expect(Number(c.outputs.warnings)).toBeGreaterThan(0);
    const existing = (c.summary ?? '').slice((c.summary ?? '').indexOf('<summary>Already on the base branch'));
    expect(existing).toMatch(/`capacity-target` .* 16 RPS &lt; capacity\.targetRps 1000 \(\.arena-lint\.yaml:2\)/);
  });

  it('says what to set when the base commit is not in the checkout, and treats every finding as new', () => {
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const shallow = runAction(repo.dir, {}, pullRequestEnv(missing, repo.head));
    const warning = shallow.commands.find((c) => c.command === 'warning');
    expect(warning?.message).toBe('arena-lint: the base commit 0123456789ab is not in the checkout; give actions/checkout `fetch-depth: 0` so the action can compare with it. Every finding is treated as new.');
    expect(shallow.status).toBe(1);
    expect(shallow.outputs['new-errors']).toBe('2');
    expect(shallow.summary).toContain('> [!WARNING]');
  });

  it('takes a baseline input: its findings are existing ones on any event', () => {
    const b = repository({ 'docker-compose.yml': compose([1, 2, 3, 16]) });
    const cli = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'arena-lint.js'), 'check', '.', '--write-baseline', 'baseline.json'], { cwd: b.dir, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const push = runAction(b.dir, { baseline: 'baseline.json' }, { GITHUB_EVENT_NAME: 'push' });
    expect(push.status).toBe(0);
    expect(push.outputs).toMatchObject({ errors: '2', 'new-errors': '0' });
    expect(annotations(push)).toEqual([]);
    const without = runAction(b.dir, {}, { GITHUB_EVENT_NAME: 'push' });
    expect(without.status).toBe(1);
    expect(annotations(without)).toHaveLength(2);
  });
});
