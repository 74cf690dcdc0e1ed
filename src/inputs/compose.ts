import { posix } from 'node:path';
import type { ParseProblem } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, unknown, type Span, type Value } from '../core/value.js';
import type { VariableSource } from '../parsers/interpolate.js';
import { literalText, rangeOf, type MappedText } from '../parsers/mapped-text.js';
import { splitShellWords, wordsFromList, type ShellWord } from '../parsers/shell-words.js';
import type { YamlDoc } from '../parsers/yaml.js';
import { normaliseService } from './compose-merge.js';
import { composeTree, entryOf, isNull, plainOf, textOf, valueOf, type ComposeEntry, type ComposeMap, type ComposeNode } from './compose-tree.js';

export interface ServiceCommand {
  readonly words: readonly ShellWord[];
  readonly span: Span;
  readonly form: 'string' | 'list';
}

export interface EnvironmentEntry {
  readonly key: string;
  readonly keySpan: Span;
  /** Unknown when the entry names a variable without a value (compose passes the deploying shell's). */
  readonly value: Value<string>;
  readonly span: Span;
}

export interface EnvFileRef {
  readonly path: Value<string>;
  readonly required: boolean;
  readonly span: Span;
}

export interface DependsOnEntry {
  readonly name: string;
  readonly span: Span;
  /** `condition:` of the long form; absent in the short form, which means `service_started`. */
  readonly condition?: Value<string>;
}

export interface VolumeMount {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'unknown';
  /** Host path as written (relative to the compose file's folder) or volume name. */
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly span: Span;
}

export interface ResourceSet {
  readonly cpus?: Value<string>;
  readonly memory?: Value<string>;
}

export interface ServiceResources {
  readonly limits: ResourceSet;
  readonly reservations: ResourceSet;
  /** `deploy.resources` when written, else the service name. */
  readonly span: Span;
}

export interface Ulimit {
  readonly name: string;
  readonly soft?: Value<number>;
  readonly hard?: Value<number>;
  readonly span: Span;
}

export interface ComposeSysctl {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: Value<string>;
}

export interface PortEntry {
  readonly value: Value<string>;
  readonly span: Span;
}

export interface ServiceNetwork {
  readonly name: string;
  readonly aliases: readonly Value<string>[];
  readonly span: Span;
}

export interface ComposeService {
  readonly name: string;
  readonly nameSpan: Span;
  /** The service's mapping. */
  readonly span: Span;
  readonly image?: Value<string>;
  readonly build?: {
    readonly context: Value<string>;
    readonly dockerfile?: Value<string>;
    readonly target?: Value<string>;
    readonly args?: ReadonlyMap<string, Value<string>>;
    readonly span: Span;
  };
  readonly workingDir?: Value<string>;
  readonly containerName?: Value<string>;
  readonly hostname?: Value<string>;
  readonly command?: ServiceCommand;
  readonly entrypoint?: ServiceCommand;
  readonly environment: readonly EnvironmentEntry[];
  readonly envFiles: readonly EnvFileRef[];
  readonly dependsOn: readonly DependsOnEntry[];
  /** The `depends_on:` key, where a missing entry is added. */
  readonly dependsOnSpan?: Span;
  readonly expose: readonly PortEntry[];
  readonly ports: readonly PortEntry[];
  readonly volumes: readonly VolumeMount[];
  readonly resources?: ServiceResources;
  /** How many containers the service runs: `scale:`, else `deploy.replicas`; absent means one. */
  readonly replicas?: Value<number>;
  /** `profiles:`; a service with profiles runs only when one of them is enabled. */
  readonly profiles: readonly string[];
  readonly ulimits: readonly Ulimit[];
  readonly sysctls: readonly ComposeSysctl[];
  readonly networks: readonly ServiceNetwork[];
  /** A `networks:` entry whose name cannot be read (`${NET}` unset): the networks are then unknown. */
  readonly networksUnknown?: Span;
  /** `network_mode:` (host, none, bridge, service:NAME, container:NAME). */
  readonly networkMode?: Value<string>;
  readonly healthcheckSpan?: Span;
  /** `healthcheck: {disable: true}` or `test: ["NONE"]`, which turn the image's check off. */
  readonly healthcheckDisabled?: boolean;
  /** Each top-level key's value as plain, interpolated data, for comparing replicas. */
  readonly settings: ReadonlyMap<string, { readonly data: unknown; readonly span: Span }>;
}

export interface ComposeFile {
  /** The project's base file (the first compose file), root-relative. */
  readonly path: string;
  /** Folder of the base file, relative to the root ('' for the root itself): the project directory. */
  readonly dir: string;
  /** The services that run: those without profiles, and those with an enabled profile. */
  readonly services: readonly ComposeService[];
  /** Services whose profiles are all disabled, for `inspect`. */
  readonly inactive?: readonly ComposeService[];
  readonly problems: readonly ParseProblem[];
}

/** Reads one compose file's `services:` into typed, positioned values, interpolating `${VAR}` from `vars`. */
export function readCompose(file: SourceFile, doc: YamlDoc, dir: string, vars: VariableSource): ComposeFile {
  const tree = composeTree(file, doc, dir, vars);
  const { services, problems } = readServices(tree, dir);
  return { path: file.path, dir, services, problems };
}

/**
 * Reads the `services:` of a (merged) compose tree. Relative paths are resolved from the folder each
 * value was written in and expressed relative to the project directory `projectDir`, as compose does
 * for `extends:` and `include:` files in other folders.
 */
export function readServices(tree: ComposeNode | undefined, projectDir: string): { services: ComposeService[]; problems: ParseProblem[] } {
  const r = new ComposeReader(projectDir);
  const services: ComposeService[] = [];
  const list = valueOf(tree, 'services');
  if (list?.kind === 'map') {
    for (const e of list.entries) {
      if (e.value.kind !== 'map') continue;
      services.push(r.service(e));
    }
  }
  return { services, problems: r.problems };
}

class ComposeReader {
  readonly problems: ParseProblem[] = [];

  constructor(readonly projectDir: string) {}

  str(node: ComposeNode | undefined, via: readonly Span[] = []): Value<string> | undefined {
    if (!node || node.kind !== 'scalar' || !node.text) return undefined;
    return mappedValue(node.text, node.span, via);
  }

  /** A path written relative to its own file's folder, re-expressed relative to the project directory. */
  path(node: ComposeNode | undefined, via: readonly Span[] = []): Value<string> | undefined {
    const v = this.str(node, via);
    if (!v || v.kind !== 'known' || !node || node.dir === this.projectDir) return v;
    return { ...v, value: rebase(v.value, node.dir, this.projectDir) };
  }

  num(node: ComposeNode | undefined): Value<number> | undefined {
    const v = this.str(node);
    if (!v || v.kind === 'unknown') return v;
    const n = Number(v.value);
    return Number.isFinite(n) && v.value.trim() !== '' ? { ...v, value: n } : unknown(`not a number: "${v.value}"`, v.span);
  }

  service(e: ComposeEntry): ComposeService {
    const node = normaliseService(e.value as ComposeMap);
    const entries = node.entries;
    // Each key's first entry, looked up by name (two dozen keys are read from every service).
    const byKey = new Map<string, ComposeEntry>();
    const settings = new Map<string, { data: unknown; span: Span }>();
    for (const x of entries) {
      if (!byKey.has(x.key)) byKey.set(x.key, x);
      settings.set(x.key, { data: plainOf(x.value), span: x.keySpan });
    }
    const get = (k: string) => byKey.get(k);
    const nameSpan = e.keySpan;
    const deploy = get('deploy');
    const resourcesEntry = entryOf(deploy?.value, 'resources');
    const dependsOn = get('depends_on');
    const scale = get('scale');
    const svc: ComposeService = {
      name: e.key,
      nameSpan,
      span: node.span,
      image: this.str(get('image')?.value, get('image')?.via),
      build: this.build(get('build')),
      containerName: this.str(get('container_name')?.value, get('container_name')?.via),
      hostname: this.str(get('hostname')?.value),
      workingDir: this.str(get('working_dir')?.value),
      command: this.command(get('command')),
      entrypoint: this.command(get('entrypoint')),
      environment: this.environment(get('environment')),
      envFiles: this.envFiles(get('env_file')),
      dependsOn: this.dependsOn(dependsOn),
      dependsOnSpan: dependsOn ? dependsOn.keySpan : undefined,
      expose: this.ports(get('expose')),
      ports: this.ports(get('ports')),
      volumes: this.volumes(get('volumes')),
      resources: resourcesEntry ? this.resources(resourcesEntry) : undefined,
      // compose uses `scale:` when both are written.
      replicas: scale ? this.num(scale.value) : this.num(valueOf(deploy?.value, 'replicas')),
      profiles: this.strings(get('profiles')?.value),
      ulimits: this.ulimits(get('ulimits')),
      sysctls: this.sysctls(get('sysctls')),
      networks: this.networks(get('networks')),
      networksUnknown: this.unreadNetwork(get('networks')),
      networkMode: this.str(get('network_mode')?.value),
      healthcheckSpan: get('healthcheck')?.keySpan,
      healthcheckDisabled: healthcheckDisabled(plainOf(get('healthcheck')?.value)),
      settings,
    };
    return svc;
  }

  strings(node: ComposeNode | undefined): string[] {
    if (node?.kind !== 'seq') return [];
    return node.items.flatMap((n) => {
      const t = textOf(n);
      return t !== undefined ? [t] : [];
    });
  }

  build(e: ComposeEntry | undefined): ComposeService['build'] {
    if (!e || isNull(e.value)) return undefined;
    const span = e.keySpan;
    if (e.value.kind === 'scalar') return { context: this.path(e.value, e.via)!, span };
    const ctx = valueOf(e.value, 'context');
    const df = valueOf(e.value, 'dockerfile');
    const target = this.str(valueOf(e.value, 'target'));
    const argsNode = valueOf(e.value, 'args');
    const args = new Map<string, Value<string>>();
    if (argsNode?.kind === 'map') {
      for (const x of argsNode.entries) {
        const v = this.str(x.value);
        if (v) args.set(x.key, v);
      }
    } else if (argsNode?.kind === 'seq') {
      for (const n of argsNode.items) {
        const t = n.kind === 'scalar' ? n.text : undefined;
        const eq = t ? t.text.indexOf('=') : -1;
        if (t && eq > 0) args.set(t.text.slice(0, eq), mappedValue(t, n.span, [], eq + 1, t.text.length));
      }
    }
    return {
      context: this.path(ctx) ?? known(rebase('.', e.value.dir, this.projectDir), span, { isDefault: true }),
      dockerfile: this.str(df),
      ...(target ? { target } : {}),
      args,
      span,
    };
  }

  command(e: ComposeEntry | undefined): ServiceCommand | undefined {
    if (!e) return undefined;
    const span = e.value.span;
    if (e.value.kind === 'scalar') {
      const t = e.value.text;
      return t ? { words: splitShellWords(t), span, form: 'string' } : undefined;
    }
    if (e.value.kind === 'seq') {
      const items = e.value.items.map((n) => (n.kind === 'scalar' && n.text) || literalText(n.span.file, '', n.span.start));
      return { words: wordsFromList(items), span, form: 'list' };
    }
    return undefined;
  }

  environment(e: ComposeEntry | undefined): EnvironmentEntry[] {
    if (!e) return [];
    const out: EnvironmentEntry[] = [];
    if (e.value.kind === 'seq') {
      for (const item of e.value.items) {
        const t = item.kind === 'scalar' ? item.text : undefined;
        if (!t) continue;
        const eq = t.text.indexOf('=');
        const keyEnd = eq < 0 ? t.text.length : eq;
        const key = t.text.slice(0, keyEnd).trim();
        const keySpan = rangeOf(t, 0, keyEnd).span;
        const span = item.span;
        const value = eq < 0
          ? unknown(`${key} is passed from the deploying shell`, span)
          : mappedValue(t, span, e.via, eq + 1, t.text.length);
        out.push({ key, keySpan, value, span });
      }
    } else if (e.value.kind === 'map') {
      for (const x of e.value.entries) {
        const keySpan = x.keySpan;
        const span = keySpan.file === x.value.span.file ? { ...keySpan, end: Math.max(keySpan.end, x.value.span.end) } : keySpan;
        const value = isNull(x.value)
          ? unknown(`${x.key} is passed from the deploying shell`, keySpan)
          : this.str(x.value, [...x.via, ...e.via]) ?? unknown(`${x.key} is not a scalar`, keySpan);
        out.push({ key: x.key, keySpan, value, span });
      }
    }
    return out;
  }

  envFiles(e: ComposeEntry | undefined): EnvFileRef[] {
    if (!e) return [];
    const items = e.value.kind === 'seq' ? e.value.items : [e.value];
    const out: EnvFileRef[] = [];
    for (const item of items) {
      if (item.kind === 'map') {
        const p = this.path(valueOf(item, 'path'));
        const req = textOf(valueOf(item, 'required'));
        if (p) out.push({ path: p, required: req !== 'false', span: item.span });
      } else {
        const p = this.path(item);
        if (p) out.push({ path: p, required: true, span: item.span });
      }
    }
    return out;
  }

  dependsOn(e: ComposeEntry | undefined): DependsOnEntry[] {
    if (!e) return [];
    if (e.value.kind === 'seq') {
      return e.value.items.flatMap((n) => {
        const v = this.str(n);
        return v?.kind === 'known' ? [{ name: v.value, span: n.span }] : [];
      });
    }
    if (e.value.kind !== 'map') return [];
    return e.value.entries.map((x) => {
      const condition = this.str(valueOf(x.value, 'condition'));
      return { name: x.key, span: x.keySpan, ...(condition ? { condition } : {}) };
    });
  }

  unreadNetwork(e: ComposeEntry | undefined): Span | undefined {
    if (e?.value.kind === 'map') return e.value.entries.find((x) => x.key.trim() === '')?.keySpan;
    if (e?.value.kind !== 'seq') return undefined;
    // An unset `${NET}` interpolates to an empty name, which is no network compose would attach.
    return e.value.items.find((n) => {
      const v = this.str(n);
      return v?.kind !== 'known' || v.value.trim() === '';
    })?.span;
  }

  ports(e: ComposeEntry | undefined): PortEntry[] {
    if (!e || e.value.kind !== 'seq') return [];
    return e.value.items.flatMap((n) => {
      const v = n.kind === 'map' ? this.str(valueOf(n, 'target')) : this.str(n);
      return v ? [{ value: v, span: n.span }] : [];
    });
  }

  volumes(e: ComposeEntry | undefined): VolumeMount[] {
    if (!e || e.value.kind !== 'seq') return [];
    const out: VolumeMount[] = [];
    for (const n of e.value.items) {
      const span = n.span;
      if (n.kind === 'map') {
        const val = (k: string) => {
          const v = this.str(valueOf(n, k));
          return v?.kind === 'known' ? v.value : undefined;
        };
        const target = containerPath(val('target'));
        if (!target) continue;
        const type = val('type');
        const source = val('source');
        out.push({
          type: type === 'bind' || type === 'volume' || type === 'tmpfs' ? type : 'unknown',
          source: type === 'bind' && source !== undefined ? rebase(source, n.dir, this.projectDir) : source,
          target,
          readOnly: val('read_only') === 'true',
          span,
        });
        continue;
      }
      const v = this.str(n);
      if (v?.kind !== 'known') continue;
      const parts = v.value.split(':');
      if (parts.length === 1) {
        out.push({ type: 'volume', target: containerPath(parts[0]!)!, readOnly: false, span });
        continue;
      }
      const [source, rawTarget, mode] = parts as [string, string, string | undefined];
      const target = containerPath(rawTarget)!;
      const bind = /^(\.{1,2}(\/|$)|\/|~)/.test(source);
      out.push({
        type: bind ? 'bind' : 'volume',
        source: bind ? rebase(source, n.dir, this.projectDir) : source,
        target,
        readOnly: (mode ?? '').split(',').includes('ro'),
        span,
      });
    }
    return out;
  }

  resources(e: ComposeEntry): ServiceResources {
    const set = (k: string): ResourceSet => {
      const m = valueOf(e.value, k);
      const c = entryOf(m, 'cpus');
      const mem = entryOf(m, 'memory');
      const cpus = this.str(c?.value, c?.via);
      const memory = this.str(mem?.value, mem?.via);
      return { ...(cpus ? { cpus } : {}), ...(memory ? { memory } : {}) };
    };
    return { limits: set('limits'), reservations: set('reservations'), span: e.keySpan };
  }

  ulimits(e: ComposeEntry | undefined): Ulimit[] {
    if (!e || e.value.kind !== 'map') return [];
    return e.value.entries.map((x) => {
      const span = x.keySpan;
      if (x.value.kind === 'map') {
        return { name: x.key, soft: this.num(valueOf(x.value, 'soft')), hard: this.num(valueOf(x.value, 'hard')), span };
      }
      const v = this.num(x.value);
      return { name: x.key, soft: v, hard: v, span };
    });
  }

  sysctls(e: ComposeEntry | undefined): ComposeSysctl[] {
    if (!e) return [];
    if (e.value.kind === 'seq') {
      return e.value.items.flatMap((n) => {
        const t = n.kind === 'scalar' ? n.text : undefined;
        if (!t) return [];
        const eq = t.text.indexOf('=');
        if (eq < 0) return [];
        return [{ key: t.text.slice(0, eq).trim(), keySpan: rangeOf(t, 0, eq).span, value: mappedValue(t, n.span, [], eq + 1, t.text.length) }];
      });
    }
    if (e.value.kind !== 'map') return [];
    return e.value.entries.map((x) => ({
      key: x.key,
      keySpan: x.keySpan,
      value: this.str(x.value) ?? unknown('no value', x.keySpan),
    }));
  }

  networks(e: ComposeEntry | undefined): ServiceNetwork[] {
    if (!e) return [];
    if (e.value.kind === 'seq') {
      return e.value.items.flatMap((n) => {
        const v = this.str(n);
        return v?.kind === 'known' ? [{ name: v.value, aliases: [], span: n.span }] : [];
      });
    }
    if (e.value.kind !== 'map') return [];
    return e.value.entries.map((x) => {
      const list = valueOf(x.value, 'aliases');
      const aliases = (list?.kind === 'seq' ? list.items : []).flatMap((n) => {
        const v = this.str(n);
        return v ? [v] : [];
      });
      return { name: x.key, aliases, span: x.keySpan };
    });
  }
}

function healthcheckDisabled(data: unknown): boolean {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return false;
  const h = data as Record<string, unknown>;
  if (h['disable'] === true || h['disable'] === 'true') return true;
  const test = h['test'];
  return (Array.isArray(test) && test[0] === 'NONE') || test === 'NONE';
}

/** A container path as Docker uses it: `/usr/src/app/` and `/usr/src/app` are one mount point. */
function containerPath(p: string | undefined): string | undefined {
  if (p === undefined || p === '') return undefined;
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** `path` written in folder `from`, as a path relative to folder `to` (both root-relative). */
export function rebase(path: string, from: string, to: string): string {
  if (from === to || posix.isAbsolute(path) || path.startsWith('~') || /^[a-z]+:\/\//i.test(path)) return path;
  const rel = posix.relative(to || '.', posix.join(from || '.', path)) || '.';
  return rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`;
}

function mappedValue(t: MappedText, fallback: Span, via: readonly Span[], from = 0, to = t.text.length): Value<string> {
  const r = rangeOf(t, from, to);
  const span = from === to ? fallback : r.span;
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, span);
  return known(t.text.slice(from, to), span, { via: [...r.via, ...via] });
}
