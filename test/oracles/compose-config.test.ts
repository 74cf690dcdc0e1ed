import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { discoverProjects } from '../../src/inputs/compose-discovery.js';
import type { ComposeProjectSpec } from '../../src/inputs/compose-project.js';
import { literalText } from '../../src/parsers/mapped-text.js';
import { splitShellWords } from '../../src/parsers/shell-words.js';
import { buildStack } from '../../src/stack/stack.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { FIXTURES, subdirs } from '../helpers/fixtures.js';

// The oracle for what a compose project means: docker-compose v1.29 `config` merges the project's
// files, applies `extends:`, interpolates and inlines env_files. For every fixture project and every
// corpus stack it can load, the merged model must agree with it on the services that run, their
// replicas, commands, entrypoints, environment and mounts. v1.29 predates `include:` (compose 2.20)
// and the `!reset`/`!override` tags, and needs every env_file to exist: the projects it cannot load
// are listed with the reason, and their merge is asserted by hand in test/inputs/compose-project.test.ts.
// All projects go through one Python process running docker-compose's own loader (one process per
// project costs ~2 s each).

// docker-compose is a Python program installed in Debian's python3 (a pyenv python3 on PATH lacks it).
const SYSTEM_PYTHON = '/usr/bin/python3';
const hasCompose = existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ['-c', 'import compose'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }).status === 0;
if (!hasCompose) console.warn('docker-compose not installed: skipping the compose merge oracle');
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`corpus not found at ${CORPUS}: the compose oracle checks fixtures only`);

interface ServiceSummary {
  replicas: number;
  command: string[] | null;
  entrypoint: string[] | null;
  environment: Record<string, string | null>;
  mounts: string[];
}

/** Why docker-compose v1.29 cannot load a project, when we know before asking it. */
function inexpressible(ws: Workspace, files: readonly string[]): string | undefined {
  for (const f of files) {
    const text = ws.read(f)?.text ?? '';
    if (/^include\s*:/m.test(text)) return `${f} uses include: (compose 2.20+)`;
    if (/!(reset|override)\b/.test(text)) return `${f} uses the !reset/!override tags (compose 2.24+)`;
  }
  return undefined;
}

/** `config` prints a literal `$` escaped as `$$`; the model holds the value the container gets. */
function words(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map((x) => String(x).replace(/\$\$/g, '$'));
  return splitShellWords(literalText('oracle', String(v).replace(/\$\$/g, '$'), 0)).map((w) => (w.value.kind === 'known' ? w.value.value : '?'));
}

interface OracleJob { dir: string; files: string[]; envFile?: string }

/** Runs docker-compose v1.29's loader on every job in one process (test/oracles/compose-config-batch.py). */
function runOracle(jobs: readonly OracleJob[]): Array<{ config?: string; error?: string }> {
  if (jobs.length === 0) return [];
  const r = spawnSync(SYSTEM_PYTHON, [join(import.meta.dirname, 'compose-config-batch.py')], {
    input: JSON.stringify(jobs), encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: '/tmp' }, timeout: 300_000, maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`compose oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<{ config?: string; error?: string }>;
}

function jobOf(root: string, spec: ComposeProjectSpec): OracleJob {
  const dir = resolve(root, spec.projectDir ?? spec.files[0]!.replace(/\/?[^/]*$/, ''));
  // v1.29 takes one --env-file; a config entry naming several is compared with its first.
  const envFile = spec.envFiles?.[0];
  return { dir, files: spec.files.map((f) => join(root, f)), ...(envFile ? { envFile: join(root, envFile) } : {}) };
}

function oracleSummary(root: string, result: { config?: string; error?: string }, profiles: readonly string[]): Record<string, ServiceSummary> | { error: string } {
  if (result.config === undefined) return { error: result.error ?? 'no output' };
  const r = { stdout: result.config };
  const doc = YAML.parse(r.stdout) as { services?: Record<string, Record<string, unknown>> };
  const out: Record<string, ServiceSummary> = {};
  for (const [name, s] of Object.entries(doc.services ?? {})) {
    const p = (s.profiles as string[] | undefined) ?? [];
    if (p.length && !p.some((x) => profiles.includes(x))) continue;
    const deploy = s.deploy as { replicas?: number } | undefined;
    const env: Record<string, string | null> = {};
    for (const [k, v] of Object.entries((s.environment as Record<string, unknown>) ?? {})) env[k] = v === null ? null : String(v).replace(/\$\$/g, '$');
    const mounts = ((s.volumes as unknown[]) ?? []).map((v) => {
      if (typeof v === 'string') {
        const [src, tgt] = v.split(':');
        if (tgt === undefined) return `volume::${src}`;
        return src!.startsWith('/') ? `bind:${relative(root, src!) || '.'}:${tgt}` : `volume:${src}:${tgt}`;
      }
      const m = v as { type?: string; source?: string; target?: string };
      const src = m.type === 'bind' && m.source ? relative(root, m.source) || '.' : m.source ?? '';
      return `${m.type ?? 'volume'}:${src}:${m.target}`;
    }).sort();
    out[name] = {
      replicas: Number(s.scale ?? deploy?.replicas ?? 1),
      command: words(s.command),
      entrypoint: words(s.entrypoint),
      environment: env,
      mounts,
    };
  }
  return out;
}

function ourSummary(root: string, spec: ComposeProjectSpec): { services: Record<string, ServiceSummary>; profiles: readonly string[] } {
  const stack = buildStack(new Workspace(root), spec);
  const dir = stack.compose.dir;
  const services: Record<string, ServiceSummary> = {};
  const w = (c: { words: readonly { value: { kind: string; value?: unknown } }[] } | undefined) =>
    c ? c.words.map((x) => (x.value.kind === 'known' ? String(x.value.value) : '?')) : null;
  for (const svc of stack.services) {
    const environment: Record<string, string | null> = {};
    for (const [k, v] of stack.env(svc)) environment[k] = v.kind === 'known' ? v.value : null;
    services[svc.name] = {
      replicas: svc.replicas?.kind === 'known' ? svc.replicas.value : 1,
      command: w(svc.command),
      entrypoint: w(svc.entrypoint),
      environment,
      mounts: svc.volumes.map((v) => {
        if (v.type === 'bind') return `bind:${relative(root, resolve(root, dir, v.source ?? '')) || '.'}:${v.target}`;
        return `${v.type}:${v.source ?? ''}:${v.target}`;
      }).sort(),
    };
  }
  return { services, profiles: stack.project.profiles };
}

/** Unknown values (a variable nobody set) are ours to leave open: compare only what we claim to know. */
function comparable(ours: Record<string, ServiceSummary>, theirs: Record<string, ServiceSummary>): Record<string, ServiceSummary> {
  const out: Record<string, ServiceSummary> = {};
  for (const [name, s] of Object.entries(theirs)) {
    const mine = ours[name];
    if (!mine) {
      out[name] = s;
      continue;
    }
    const env: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(s.environment)) env[k] = mine.environment[k] === null ? null : v;
    const cmd = (a: string[] | null, b: string[] | null) => (a && b && a.length === b.length ? b.map((x, i) => (a[i] === '?' ? '?' : x)) : b);
    out[name] = { ...s, environment: env, command: cmd(mine.command, s.command), entrypoint: cmd(mine.entrypoint, s.entrypoint) };
  }
  return out;
}

function projectsOf(root: string): ComposeProjectSpec[] {
  return discoverProjects(new Workspace(root));
}

function fixtureRoots(): string[] {
  const roots = [...subdirs(join(FIXTURES, 'compose-projects')).map((d) => join(FIXTURES, 'compose-projects', d))];
  for (const d of ['arena-current', 'arena-scaled', 'multi-stack', 'settings-split', 'sysctl', 'config/repo']) roots.push(join(FIXTURES, d));
  for (const rule of subdirs(join(FIXTURES, 'rules'))) for (const c of subdirs(join(FIXTURES, 'rules', rule))) roots.push(join(FIXTURES, 'rules', rule, c));
  return roots.filter((r) => existsSync(r));
}

interface Case { label: string; root: string; spec: ComposeProjectSpec; why?: string; job?: number }

function cases(roots: readonly string[], labelOf: (root: string) => string): Case[] {
  const out: Case[] = [];
  for (const root of roots) {
    for (const spec of projectsOf(root)) {
      const why = inexpressible(new Workspace(root), spec.files);
      out.push({ label: `${labelOf(root)}: ${spec.files.join(' + ')}`, root, spec, ...(why ? { why } : {}) });
    }
  }
  return out;
}

const fixtureCases = hasCompose ? cases(fixtureRoots(), (r) => relative(FIXTURES, r)) : [];
const corpusRepos = hasCompose && hasCorpus ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.includes('__')).map((d) => d.name).sort() : [];
const corpusCases = cases(corpusRepos.map((r) => join(CORPUS, r)), (r) => relative(CORPUS, r));
const runnable = [...fixtureCases, ...corpusCases].filter((c) => !c.why);
const results = hasCompose ? runOracle(runnable.map((c) => jobOf(c.root, c.spec))) : [];
runnable.forEach((c, i) => (c.job = i));

describe.skipIf(!hasCompose)('compose projects agree with docker-compose config (v1.29)', () => {
  const cannot: string[] = [];
  for (const c of fixtureCases) {
    if (c.why) {
      it.skip(`${c.label} (v1.29 cannot load it: ${c.why})`, () => {});
      cannot.push(`${c.label}: ${c.why}`);
      continue;
    }
    it(c.label, () => {
      const ours = ourSummary(c.root, c.spec);
      const theirs = oracleSummary(c.root, results[c.job!]!, ours.profiles);
      expect('error' in theirs ? theirs.error : '', 'docker-compose config failed on a fixture').toBe('');
      expect(ours.services).toEqual(comparable(ours.services, theirs as Record<string, ServiceSummary>));
    });
  }
  it('lists the fixture projects v1.29 cannot express, each for a reason it predates', () => {
    for (const c of cannot) expect(c).toMatch(/include:|!reset/);
    expect(cannot.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasCompose || !hasCorpus)('corpus compose projects agree with docker-compose config (v1.29)', () => {
  for (const repo of corpusRepos) {
    const mine = corpusCases.filter((c) => c.root === join(CORPUS, repo));
    it(repo, () => {
      const skipped: string[] = [];
      let compared = 0;
      for (const c of mine) {
        if (c.why) {
          skipped.push(`${c.spec.files.join(' + ')}: ${c.why}`);
          continue;
        }
        const ours = ourSummary(c.root, c.spec);
        const theirs = oracleSummary(c.root, results[c.job!]!, ours.profiles);
        if ('error' in theirs) {
          // An env_file the repository does not ship, a key v1.29 does not know (`attach`), a variable
          // it requires: the merge cannot be compared, and the reason is printed.
          skipped.push(`${c.spec.files.join(' + ')}: ${String(theirs.error)}`);
          continue;
        }
        compared++;
        expect(ours.services, c.spec.files.join(' + ')).toEqual(comparable(ours.services, theirs));
      }
      if (skipped.length) console.info(`compose oracle, ${repo}: v1.29 cannot load\n  ${skipped.join('\n  ')}`);
      expect(compared + skipped.length).toBe(mine.length);
    });
  }
});
