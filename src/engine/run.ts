import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SEVERITY_ORDER, type Finding, type RunResult, type Severity } from '../core/finding.js';
import type { ParseProblem } from '../core/problem.js';
import { createSourceFile, positionAt, type SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { buildStack, type Stack } from '../stack/stack.js';
import { buildFacts } from '../facts/index.js';
import { discoverProjects, type DeclaredStack } from '../inputs/compose-discovery.js';
import type { ComposeProjectSpec } from '../inputs/compose-project.js';
import { CONFIG_FILE_NAMES, EMPTY_CONFIG, loadConfig, type ResolvedConfig, type RuleSetting } from './config.js';
import { globMatcher } from '../workspace/glob.js';
import { whereOf, type Rule } from './rule.js';
import { applySuppressions } from './suppress.js';
import { Workspace } from '../workspace/workspace.js';

/** A problem the user must fix before anything can be checked (exit code 2). */
export class UsageError extends Error {}

export interface CheckOptions {
  /** The directory to check, as the user wrote it. */
  readonly dir: string;
  /** How to name the directory in messages (as the user typed it); defaults to `dir`. */
  readonly displayDir?: string;
  readonly configPath?: string;
  readonly rules: readonly Rule[];
}

export interface CheckRun {
  readonly result: RunResult;
  readonly stacks: readonly Stack[];
  readonly config: ResolvedConfig;
  /** Why rules stayed silent, for --verbose. */
  readonly unknowns: ReadonlyArray<{ ruleId: string; stack: string; reason: string; span?: Span }>;
}

export { findComposeFiles } from '../inputs/compose-discovery.js';

/**
 * The compose projects to check: those `docker compose` would load (see `discoverProjects`) and those
 * the config declares. String entries of the config's `stacks:` choose projects by their base file.
 */
export function findProjects(ws: Workspace, config: ResolvedConfig): ComposeProjectSpec[] {
  const entries = config.data.stacks ?? [];
  const globs = entries.filter((e): e is string => typeof e === 'string');
  const declared: DeclaredStack[] = entries.flatMap((e, i) => {
    if (typeof e === 'string') return [];
    const span = config.spanOf(['stacks', String(i)]);
    return [{ files: e.files, ...(e.profiles ? { profiles: e.profiles } : {}), ...(e.env_files ? { envFiles: e.env_files } : {}), ...(span ? { span } : {}) }];
  });
  const chosen = globs.length ? globMatcher(globs) : undefined;
  return discoverProjects(ws, declared).filter((p) => p.origin.kind === 'config' || !chosen || chosen(p.files[0]!));
}

/** `shownRoot` names the checked directory in messages, so a config error reads `deploy/.arena-lint.yaml:3:3`. */
export function readConfig(ws: Workspace, explicit?: string, shownRoot = ''): ResolvedConfig {
  if (explicit !== undefined) {
    const abs = resolve(explicit);
    if (!existsSync(abs)) throw new UsageError(`config file not found: ${explicit}`);
    const rel = relative(ws.rootAbs, abs).split('\\').join('/');
    const file = !rel.startsWith('..') && !isAbsolute(rel) ? ws.read(rel) : undefined;
    return file ? configFrom(file, shownRoot) : configFrom(readOutside(abs, explicit), '');
  }
  const path = CONFIG_FILE_NAMES.find((n) => ws.exists(n));
  if (path === undefined) return EMPTY_CONFIG;
  const file = ws.read(path);
  if (!file) throw new UsageError(`cannot read config file ${path}`);
  return configFrom(file, shownRoot);
}

function readOutside(abs: string, shown: string) {
  try {
    return createSourceFile(shown, readFileSync(abs, 'utf8'));
  } catch {
    throw new UsageError(`cannot read config file ${shown}`);
  }
}

function configFrom(file: SourceFile, shownRoot: string): ResolvedConfig {
  const { config, problems } = loadConfig(file);
  if (problems.length) {
    const shown = shownRoot === '' || shownRoot === '.' ? file.path : `${shownRoot.replace(/\/+$/, '')}/${file.path}`;
    const lines = problems.map((p: ParseProblem) => {
      const pos = positionAt(file, p.span.start);
      return `${shown}:${pos.line}:${pos.column}: ${p.message}`;
    });
    throw new UsageError(`invalid configuration\n${lines.join('\n')}`);
  }
  return config;
}

/**
 * The setting of a rule for one finding: the top-level `rules:` entry, then every matching override
 * in order (later ones win, as in ESLint). An override matches by the file the finding points at
 * (`files`) and/or the compose file of its stack (`stacks`); with both, both must match.
 */
export function severityFor(rule: Rule, config: ResolvedConfig, file?: string, stack?: string): RuleSetting {
  let setting: RuleSetting = config.data.rules?.[rule.meta.id] ?? rule.meta.defaultSeverity;
  for (const o of config.data.overrides ?? []) {
    const s = o.rules[rule.meta.id];
    if (s === undefined) continue;
    if (o.files && (file === undefined || !globMatcher(o.files)(file))) continue;
    if (o.stacks && (stack === undefined || !globMatcher(o.stacks)(stack))) continue;
    setting = s;
  }
  return setting;
}

/** Finds every stack under `dir`, builds its model, runs every rule and collects the findings. */
export function check(opts: CheckOptions): CheckRun {
  const rootAbs = resolve(opts.dir);
  const shown = opts.displayDir ?? opts.dir;
  if (!existsSync(rootAbs)) throw new UsageError(`no such directory: ${shown}`);
  const probe = new Workspace(rootAbs);
  if (!probe.isDir('')) throw new UsageError(`not a directory: ${shown}`);
  const config = readConfig(probe, opts.configPath, shown);
  const ignore = globMatcher(config.data.ignore ?? []);
  const ws = new Workspace(rootAbs, ignore);
  if (config.file) ws.sources.add(config.file);
  const projects = findProjects(ws, config);

  const findings: Finding[] = [];
  const unknowns: Array<{ ruleId: string; stack: string; reason: string; span?: Span }> = [];
  const stacks: Stack[] = [];
  for (const project of projects) {
    const stack = buildStack(ws, project);
    const facts = buildFacts(stack);
    stacks.push(stack);
    const stackFindings: Finding[] = [];
    for (const rule of opts.rules) {
      const base = severityFor(rule, config);
      if (base === 'off' && !(config.data.overrides?.length)) continue;
      try {
        rule.check({
          stack,
          facts,
          config,
          where: (span) => whereOf(stack, span),
          unknown: (reason, span) => unknowns.push({ ruleId: rule.meta.id, stack: stack.name, reason, ...(span ? { span } : {}) }),
          report: (r) => {
            const setting = severityFor(rule, config, r.span.file, stack.name);
            if (setting === 'off') return;
            const severity: Severity = r.severity && SEVERITY_ORDER[r.severity] < SEVERITY_ORDER[setting] ? r.severity : setting;
            stackFindings.push({
              ruleId: rule.meta.id, severity, message: r.message, span: r.span, related: r.related ?? [], stack: stack.name,
              ...(r.hint ? { hint: r.hint } : {}),
            });
          },
        });
      } catch (e) {
        // A rule bug must not hide the other rules' findings; it is still an internal error.
        throw new Error(`rule ${rule.meta.id} failed on ${stack.name}: ${(e as Error).stack ?? e}`);
      }
    }
    const reported = new Set(stackFindings);
    for (const f of applySuppressions(stackFindings, stack.comments, stack.name, opts.rules.map((r) => r.meta.id), (file) => ws.sources.get(file))) {
      if (reported.has(f)) {
        findings.push(f);
        continue;
      }
      // The engine's own findings (unused-suppression) follow the config like any rule's.
      const rule = opts.rules.find((r) => r.meta.id === f.ruleId);
      const setting = rule ? severityFor(rule, config, f.span.file, stack.name) : f.severity;
      if (setting !== 'off') findings.push({ ...f, severity: setting });
    }
  }
  return { result: { root: opts.dir, stacks: stacks.map((s) => ({ name: s.name, files: [...s.files].sort() })), findings: sortFindings(dedupe(findings)), sources: ws.sources }, stacks, config, unknowns };
}

/** A file shared by two stacks yields the same finding twice; keep the first. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.ruleId}\0${f.span.file}\0${f.span.start}\0${f.span.end}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1
      : a.span.start - b.span.start || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : 1));
}
