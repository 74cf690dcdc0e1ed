import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, type Node } from 'yaml';
import type { Severity } from '../core/finding.js';
import type { ParseProblem } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { parseYaml, type YamlDoc } from '../parsers/yaml.js';
import schema from '../../schemas/arena-lint.schema.json' with { type: 'json' };

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

/** `.arena-lint.yaml` as written (validated against schemas/arena-lint.schema.json). */
export interface ConfigFileData {
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  readonly host?: HostConfig;
  readonly capacity?: CapacityConfig;
  readonly sysctl?: SysctlConfig;
  readonly ignore?: readonly string[];
  readonly stacks?: readonly string[];
  readonly overrides?: ReadonlyArray<{ files: readonly string[]; rules: Readonly<Record<string, RuleSetting>> }>;
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

let validator: ValidateFunction | undefined;

function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Reads and validates a config file; problems point at the offending line of the config file. */
export function loadConfig(file: SourceFile): { config: ResolvedConfig; problems: ParseProblem[] } {
  const y = parseYaml(file);
  const problems = [...y.problems];
  const doc = y.doc;
  const data = (doc && problems.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : {}) ?? {};
  const spanOf = (path: readonly string[]) => (doc ? nodeAt(doc, file, path) : undefined);
  if (problems.length === 0) {
    for (const e of validate(data)) {
      const path = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
      let message = `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'config'} ${e.message ?? 'is invalid'}`;
      let at = path;
      if (e.keyword === 'additionalProperties') {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        message = `unknown key "${key}"${path.length ? ` in ${path.join('.')}` : ''}`;
        at = [...path, key];
        const keySpan = doc ? keyAt(doc, file, at) : undefined;
        problems.push({ message, span: keySpan ?? { file: file.path, start: 0, end: 0 } });
        continue;
      }
      if (e.keyword === 'propertyNames') {
        const key = String((e.params as { propertyName: string }).propertyName);
        message = `unknown rule "${key}" in ${path.join('.')}`;
        problems.push({ message, span: (doc ? keyAt(doc, file, [...path, key]) : undefined) ?? { file: file.path, start: 0, end: 0 } });
        continue;
      }
      if (e.keyword === 'enum') message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
      problems.push({ message, span: spanOf(at) ?? { file: file.path, start: 0, end: 0 } });
    }
  }
  // A propertyNames failure is followed by its own generic error; keep one message per place.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = `${p.span.start}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { config: { data: unique.length ? {} : (data as ConfigFileData), file, spanOf }, problems: unique };
}

function walk(doc: YamlDoc, path: readonly string[]): { node: Node | null; key?: Node } | undefined {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const p of path) {
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
