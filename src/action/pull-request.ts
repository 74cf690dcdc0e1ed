import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../core/finding.js';
import type { Baseline } from '../engine/baseline.js';
import { fingerprintOf } from '../reporters/fingerprint.js';
import type { RunnerEnv } from './runner.js';

/** The parts of a `pull_request` (or `pull_request_target`) event payload the action reads. */
export interface PullRequestEvent {
  readonly number?: number;
  readonly baseSha: string;
  readonly headSha?: string;
  readonly baseRef?: string;
}

const SHA = /^[0-9a-f]{7,64}$/;

/**
 * The pull request the job runs for, from the event payload the runner writes to
 * GITHUB_EVENT_PATH; undefined on other events (push, schedule, workflow_dispatch).
 */
export function readPullRequest(env: RunnerEnv): PullRequestEvent | undefined {
  const name = env.GITHUB_EVENT_NAME;
  if (name !== 'pull_request' && name !== 'pull_request_target') return undefined;
  const path = env.GITHUB_EVENT_PATH;
  if (!path || !existsSync(path)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const pr = (payload as { pull_request?: { number?: unknown; base?: { sha?: unknown; ref?: unknown }; head?: { sha?: unknown } } }).pull_request;
  const baseSha = pr?.base?.sha;
  if (typeof baseSha !== 'string' || !SHA.test(baseSha)) return undefined;
  const headSha = pr?.head?.sha;
  return {
    baseSha,
    ...(typeof pr?.number === 'number' ? { number: pr.number } : {}),
    ...(typeof headSha === 'string' && SHA.test(headSha) ? { headSha } : {}),
    ...(typeof pr?.base?.ref === 'string' ? { baseRef: pr.base.ref } : {}),
  };
}

/** git, without a shell: every argument is passed as it is. */
function git(cwd: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('git', [...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: (r.stderr ?? r.error?.message ?? '').trim() };
}

function hasCommit(repo: string, sha: string): boolean {
  return git(repo, ['cat-file', '-e', `${sha}^{commit}`]).ok;
}

/**
 * Runs `inBase` on a checkout of the base commit: a `git worktree` in a temporary folder, removed
 * afterwards whatever happens. When the commit is not in the clone (actions/checkout fetches one
 * commit by default), one `git fetch` of it is tried; if that fails too, the error says what to set.
 */
export function withBaseWorktree<T>(repo: string, sha: string, tempRoot: string | undefined, inBase: (dir: string) => T): { value?: T; error?: string } {
  if (!git(repo, ['rev-parse', '--git-dir']).ok) return { error: 'the workspace is not a git repository' };
  if (!hasCommit(repo, sha)) git(repo, ['fetch', '--no-tags', '--depth=1', 'origin', sha]);
  if (!hasCommit(repo, sha)) {
    return { error: `the base commit ${sha.slice(0, 12)} is not in the checkout; give actions/checkout \`fetch-depth: 0\` so the action can compare with it` };
  }
  const dir = mkdtempSync(join(tempRoot && existsSync(tempRoot) ? tempRoot : tmpdir(), 'arena-lint-base-'));
  try {
    const add = git(repo, ['worktree', 'add', '--detach', '--force', dir, sha]);
    if (!add.ok) return { error: `cannot check out the base commit ${sha.slice(0, 12)}: ${add.stderr.split('\n')[0]}` };
    return { value: inBase(dir) };
  } finally {
    git(repo, ['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
    git(repo, ['worktree', 'prune']);
  }
}

/** Repository-relative paths the pull request changes (added, modified, renamed, deleted). */
export function changedFiles(repo: string, baseSha: string, headSha?: string): Set<string> | undefined {
  const head = headSha && hasCommit(repo, headSha) ? headSha : 'HEAD';
  // Three dots: what the pull request changed since it branched, not what the base did since.
  const r = git(repo, ['diff', '--name-only', '--no-renames', '-z', `${baseSha}...${head}`]);
  const out = r.ok ? r : git(repo, ['diff', '--name-only', '--no-renames', '-z', baseSha, head]);
  if (!out.ok) return undefined;
  return new Set(out.stdout.split('\0').filter(Boolean));
}

export interface Classified {
  readonly fresh: readonly Finding[];
  readonly existing: readonly Finding[];
}

/**
 * Splits the head's findings into new and existing by fingerprint (the finding's rule, stack, file
 * and entity, never its line): a finding is existing when the base has one with the same
 * fingerprint, or the baseline lists it. Identical fingerprints are counted, so a second copy of an
 * existing finding is new.
 */
export function classify(head: readonly Finding[], base: readonly Finding[], baseline?: Baseline): Classified {
  const left = new Map<string, number>();
  const add = (key: string) => left.set(key, (left.get(key) ?? 0) + 1);
  for (const f of base) add(`${f.ruleId}\0${fingerprintOf(f)}`);
  for (const e of baseline?.findings ?? []) add(`${e.rule}\0${e.fingerprint}`);
  const fresh: Finding[] = [];
  const existing: Finding[] = [];
  for (const f of head) {
    const key = `${f.ruleId}\0${fingerprintOf(f)}`;
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      existing.push(f);
    } else fresh.push(f);
  }
  return { fresh, existing };
}
