import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { Severity } from '../core/finding.js';
import type { ParseProblem } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import validateConfig, { type ConfigError } from '../generated/config-validator.js';
import { closest } from '../core/suggest.js';
import { parseYaml, type YamlDoc } from '../parsers/yaml.js';

export type RuleSetting = Severity | 'off';

export interface HostConfig {
  readonly cpus?: number;
  readonly memory?: string | number;
  readonly instance?: string;
}

export interface CapacityConfig {
  readonly targetRps?: number;
  readonly latencyMs?: number;
  readonly workerMemory?: string | number;
}

export interface SysctlConfig {
  readonly profile?: string;
  readonly require?: boolean;
  readonly keys?: Readonly<Record<string, { min?: number; max?: number }>>;
}

/** Rule settings for the findings in some files, or in some stacks (named by their compose file). */
export interface ConfigOverride {
  readonly files?: readonly string[];
  readonly stacks?: readonly string[];
  readonly rules: Readonly<Record<string, RuleSetting>>;
}

/** A stack no convention reveals: its compose files in merge order, profiles and env files. */
export interface DeclaredStackConfig {
  readonly files: readonly string[];
  readonly profiles?: readonly string[];
  readonly env_files?: readonly string[];
}

/** `.arena-lint.yaml` as written (validated against schemas/arena-lint.schema.json). */
export interface ConfigFileData {
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  readonly host?: HostConfig;
  readonly capacity?: CapacityConfig;
  readonly sysctl?: SysctlConfig;
  readonly ignore?: readonly string[];
  /** Globs choosing stacks by their base file, and stacks declared as an ordered list of files. */
  readonly stacks?: readonly (string | DeclaredStackConfig)[];
  readonly overrides?: readonly ConfigOverride[];
}

export interface ResolvedConfig {
  readonly data: ConfigFileData;
  /** The config file, when there is one; its spans let rules cite `host.cpus` and friends. */
  readonly file?: SourceFile;
  /** The span of a config key path such as ['host', 'cpus'], for messages and related locations. */
  spanOf(path: readonly string[]): Span | undefined;
}

export const CONFIG_FILE_NAMES = ['.arena-lint.yaml', '.arena-lint.yml', 'arena-lint.config.json'];

export const EMPTY_CONFIG: ResolvedConfig = { data: {}, spanOf: () => undefined };

/** Reads and validates a config file (YAML or JSON); problems point at the offending line of the config file. */
export function loadConfig(file: SourceFile): { config: ResolvedConfig; problems: ParseProblem[] } {
  const y = parseYaml(file);
  const doc = y.doc;
  const spanOf = (path: readonly string[]) => (doc ? nodeAt(doc, file, path) : undefined);
  if (y.problems.length) return { config: { data: {}, file, spanOf }, problems: y.problems };
  const data: unknown = doc?.toJS({ maxAliasCount: 100 }) ?? {};
  const problems: ParseProblem[] = [];
  const seen = new Set<string>();
  for (const e of validateConfig(data) ? [] : validateConfig.errors ?? []) {
    const p = describe(e, doc, file);
    // One message per place: a propertyNames failure also reports its inner enum, anyOf its branches.
    const key = `${p.span.start}:${p.span.end}`;
    if (p.message === '' || seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return { config: { data: problems.length ? {} : (data as ConfigFileData), file, spanOf }, problems };
}

/** Turns one schema error into a message in the config's own terms, at the key or value it is about. */
function describe(e: ConfigError, doc: YamlDoc | undefined, file: SourceFile): ParseProblem {
  const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const at = (p: readonly string[], key = false) =>
    (doc ? (key ? keyAt(doc, file, p) : nodeAt(doc, file, p)) : undefined) ?? { file: file.path, start: 0, end: 0 };
  const where = path.length ? ` in ${dotted(path)}` : '';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { message: `unknown key "${key}"${where}${suggestion(key, known, 'expected one of')}`, span: at([...path, key], true) };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      return { message: `unknown rule "${key}"${where}${suggestion(key, ruleIdsOf(e), '')}; see \`arena-lint rules\``, span: at([...path, key], true) };
    }
    case 'enum': {
      // The inner half of a propertyNames failure, reported by the outer one.
      if (e.schemaPath.includes('/propertyNames/')) return { message: '', span: at(path) };
      const allowed = (params.allowedValues as unknown[]).map(String);
      const got = e.data;
      const hint = typeof got === 'string' ? suggestion(got, allowed, '') : '';
      return { message: `${dotted(path)} must be one of ${allowed.join(', ')}, got ${show(got)}${hint}`, span: at(path) };
    }
    case 'type': {
      const want = [params.type].flat().map((t) => (t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : `a ${String(t)}`)).join(' or ');
      return { message: `${path.length ? dotted(path) : 'the configuration'} must be ${want}, got ${show(e.data)}`, span: at(path) };
    }
    case 'required':
      if (e.schemaPath.includes('/anyOf/')) return { message: '', span: at(path) };
      return { message: `${dotted(path)} needs "${String(params.missingProperty)}"`, span: at(path) };
    case 'anyOf':
      return { message: `${dotted(path)} needs "files" or "stacks" to say where its rules apply`, span: at(path) };
    case 'exclusiveMinimum':
      return { message: `${dotted(path)} must be greater than ${String(params.limit)}, got ${show(e.data)}`, span: at(path) };
    default:
      return { message: `${path.length ? dotted(path) : 'the configuration'} ${e.message ?? 'is invalid'}`, span: at(path) };
  }
}

function ruleIdsOf(e: ConfigError): string[] {
  const names = (e.schema as { enum?: unknown[] } | undefined)?.enum;
  return Array.isArray(names) ? names.map(String) : [];
}

function suggestion(word: string, candidates: readonly string[], listIntro: string): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `; did you mean "${near}"?`;
  return listIntro && candidates.length ? ` (${listIntro} ${candidates.join(', ')})` : '';
}

/** `overrides[0].rules`, the way a user would name the place. */
function dotted(path: readonly string[]): string {
  return path.reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'string' ? `"${v}"` : `${typeof v} ${String(v)}`;
}

function walk(doc: YamlDoc, path: readonly string[]): { node: Node | null; key?: Node } | undefined {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const p of path) {
    if (isSeq(node)) {
      node = node.items[Number(p)];
      key = undefined;
      continue;
    }
    if (!isMap(node)) return undefined;
    const pair = node.items.find((i) => isPair(i) && isScalar(i.key) && String(i.key.value) === p);
    if (!pair || !isPair(pair)) return undefined;
    key = pair.key as Node;
    node = pair.value;
  }
  return { node: (node as Node | null) ?? null, ...(key ? { key } : {}) };
}

function nodeAt(doc: YamlDoc, file: SourceFile, path: readonly string[]): Span | undefined {
  const w = walk(doc, path);
  const r = w?.node?.range ?? w?.key?.range;
  return r ? { file: file.path, start: r[0], end: r[1] } : undefined;
}

function keyAt(doc: YamlDoc, file: SourceFile, path: readonly string[]): Span | undefined {
  const r = walk(doc, path)?.key?.range;
  return r ? { file: file.path, start: r[0], end: r[1] } : undefined;
}
