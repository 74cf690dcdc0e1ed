import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SEVERITY_ORDER, type Finding, type RunResult, type Severity } from '../core/finding.js';
import type { ParseProblem } from '../core/problem.js';
import { createSourceFile, positionAt, type SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { buildStack, type Stack } from '../stack/stack.js';
import { buildFacts } from '../facts/index.js';
import { discoverProjects, findComposeFiles, type DeclaredStack } from '../inputs/compose-discovery.js';
import type { ComposeProjectSpec } from '../inputs/compose-project.js';
import { CONFIG_FILE_NAMES, EMPTY_CONFIG, loadConfig, type ResolvedConfig, type RuleSetting } from './config.js';
import { globMatcher } from '../workspace/glob.js';
import { whereOf, type Rule } from './rule.js';
import { applySuppressions } from './suppress.js';
import { settingIn } from '../core/rule-redirects.js';
import { withLazyFingerprint } from '../reporters/fingerprint.js';
import { Workspace } from '../workspace/workspace.js';
import { redactRun, writtenSecrets } from '../security/secrets.js';
import { markSecretFixes } from '../fix/secrets.js';

/** A problem the user must fix before anything can be checked (exit code 2). */
export class UsageError extends Error {}

export interface CheckOptions {
  /** The directory to check, as the user wrote it. */
  readonly dir: string;
  /** How to name the directory in messages (as the user typed it); defaults to `dir`. */
  readonly displayDir?: string;
  readonly configPath?: string;
  readonly rules: readonly Rule[];
  /** Globs skipped besides the config's `ignore` (a fixture's `expected.fixed/` tree). */
  readonly ignore?: readonly string[];
  /** Texts that replace files on disk for this run (root-relative path -> text); nothing is written. */
  readonly overlay?: ReadonlyMap<string, string>;
  /** Compose files to check (root-relative) instead of every one found: a path named on the command line. */
  readonly composeFiles?: readonly string[];
  /** Settings for this run only (`--rule`, `--select`, `--ignore`); they win over the config file. */
  readonly ruleSettings?: Readonly<Record<string, RuleSetting>>;
}

/** What a run that found no stack looked at, so the user is told what to rename or configure. */
export interface StackSearch {
  /** YAML files with a top-level `services:` key whose names do not look like compose files. */
  readonly unnamed: readonly string[];
  /** Compose files the config's `stacks:` left out. */
  readonly notChosen: readonly string[];
  /** Compose files skipped as Jinja templates. */
  readonly templates: readonly string[];
  /** How many files were looked at (after the config's `ignore:`). */
  readonly filesSeen: number;
}

export interface CheckRun {
  readonly result: RunResult;
  readonly stacks: readonly Stack[];
  readonly config: ResolvedConfig;
  /** Why rules stayed silent, for --verbose. */
  readonly unknowns: ReadonlyArray<{ ruleId: string; stack: string; reason: string; span?: Span }>;
  /** Present when no stack was found. */
  readonly search?: StackSearch;
}

export { findComposeFiles } from '../inputs/compose-discovery.js';

/** The names a compose file must have to be found, as the messages say it. */
export const COMPOSE_FILE_NAMES = 'docker-compose*.yml, docker-compose*.yaml, compose*.yml, compose*.yaml';

const COMPOSE_FILE = /(^|\/)(docker-compose|compose)[^/]*\.ya?ml$/;

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
export function severityFor(rule: Rule, config: ResolvedConfig, file?: string, stack?: string, cli?: Readonly<Record<string, RuleSetting>>): RuleSetting {
  // The command line's words were expanded already (`--ignore timeout-chain` names four rules).
  const forced = cli?.[rule.meta.id];
  if (forced !== undefined) return forced;
  let setting: RuleSetting = settingIn(config.data.rules, rule.meta.id) ?? rule.meta.defaultSeverity;
  for (const o of config.data.overrides ?? []) {
    const s = settingIn(o.rules, rule.meta.id);
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
  const probe = new Workspace(rootAbs, undefined, opts.overlay);
  if (!probe.isDir('')) throw new UsageError(`not a directory: ${shown}`);
  const config = readConfig(probe, opts.configPath, shown);
  const ignore = globMatcher([...(config.data.ignore ?? []), ...(opts.ignore ?? [])]);
  const ws = new Workspace(rootAbs, ignore, opts.overlay);
  if (config.file) ws.sources.add(config.file);
  const found = opts.composeFiles ? [...opts.composeFiles] : findComposeFiles(ws);
  // A compose file named on the command line is the base file of the stacks to check: its projects
  // (with their override files), or the file alone when no convention loads it.
  const named = opts.composeFiles;
  const projects = named
    ? named.flatMap((f) => {
        const mine = discoverProjects(ws).filter((p) => p.files[0] === f);
        return mine.length ? mine : [{ files: [f], origin: { kind: 'file' as const } }];
      })
    : findProjects(ws, config);
  const composeFiles = [...new Set(projects.map((p) => p.files[0]!))];
  const cli = opts.ruleSettings;

  const findings: Finding[] = [];
  const unknowns: Array<{ ruleId: string; stack: string; reason: string; span?: Span }> = [];
  // Every stack is built before any rule runs: a rule about the repository (a config file no
  // container of any stack loads) needs them all.
  const stacks: Stack[] = projects.map((project) => buildStack(ws, project));
  for (const stack of stacks) {
    const facts = buildFacts(stack);
    const stackFindings: Finding[] = [];
    for (const rule of opts.rules) {
      const base = severityFor(rule, config, undefined, undefined, cli);
      if (base === 'off' && (cli?.[rule.meta.id] === 'off' || !(config.data.overrides?.length))) continue;
      try {
        rule.check({
          stack,
          stacks,
          facts,
          config,
          where: (span) => whereOf(stack, span),
          unknown: (reason, span) => unknowns.push({ ruleId: rule.meta.id, stack: stack.name, reason, ...(span ? { span } : {}) }),
          report: (r) => {
            const setting = severityFor(rule, config, r.span.file, stack.name, cli);
            if (setting === 'off') return;
            const severity: Severity = r.severity && SEVERITY_ORDER[r.severity] < SEVERITY_ORDER[setting] ? r.severity : setting;
            stackFindings.push({
              ruleId: rule.meta.id, severity, message: r.message, span: r.span, related: r.related ?? [], stack: stack.name,
              ...(r.hint ? { hint: r.hint } : {}),
              ...(r.fix && r.fix.edits.length > 0 ? { fix: r.fix } : {}),
              ...(r.key !== undefined ? { key: r.key } : {}),
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
      const setting = rule ? severityFor(rule, config, f.span.file, stack.name, cli) : f.severity;
      if (setting !== 'off') findings.push({ ...f, severity: setting });
    }
  }
  const search = stacks.length === 0 ? searchReport(ws, found, composeFiles) : undefined;
  // Reporters get the sources and messages with every secret masked: no format can print one.
  const secrets = stacks.flatMap((s) => writtenSecrets(s));
  const masked = redactRun(ws.sources, markSecretFixes(sortFindings(dedupe(findings)), secrets), secrets);
  // Fingerprints are recorded while paths are still relative to the checked directory, whatever the report later prints.
  return { ...(search ? { search } : {}), result: { root: opts.dir, stacks: stacks.map((s) => ({ name: s.name, files: [...s.files].sort() })), findings: masked.findings.map(withLazyFingerprint), sources: masked.sources }, stacks, config, unknowns };
}

const TOP_LEVEL_SERVICES = /^services:\s*(#.*)?$/m;

function searchReport(ws: Workspace, found: readonly string[], chosen: readonly string[]): StackSearch {
  const files = ws.files();
  const unnamed = files.filter((f) => /\.ya?ml$/.test(f) && !COMPOSE_FILE.test(f) && TOP_LEVEL_SERVICES.test(ws.read(f)?.text ?? ''));
  const templates = files.filter((f) => COMPOSE_FILE.test(f) && !found.includes(f));
  return { unnamed, notChosen: found.filter((f) => !chosen.includes(f)), templates, filesSeen: files.length };
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
