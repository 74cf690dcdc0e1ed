import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ParseProblem } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import { known, unknown, type Span, type Value } from '../core/value.js';
import { interpolate, type VariableSource } from '../parsers/interpolate.js';
import { literalText, rangeOf, type MappedText } from '../parsers/mapped-text.js';
import { splitShellWords, wordsFromList, type ShellWord } from '../parsers/shell-words.js';
import { mapEntries, nodeSpan, scalarString, scalarText, seqItems, type YamlDoc, type YamlEntry } from '../parsers/yaml.js';
import { setOwn } from '../core/own.js';

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
  readonly build?: { readonly context: Value<string>; readonly dockerfile?: Value<string>; readonly span: Span };
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
  readonly replicas?: Value<number>;
  readonly ulimits: readonly Ulimit[];
  readonly sysctls: readonly ComposeSysctl[];
  readonly networks: readonly ServiceNetwork[];
  readonly healthcheckSpan?: Span;
  /** Each top-level key's value as plain, interpolated data, for comparing replicas. */
  readonly settings: ReadonlyMap<string, { readonly data: unknown; readonly span: Span }>;
}

export interface ComposeFile {
  readonly path: string;
  /** Folder of the compose file, relative to the root ('' for the root itself). */
  readonly dir: string;
  readonly services: readonly ComposeService[];
  readonly problems: readonly ParseProblem[];
}

/** Reads compose's `services:` into typed, positioned values, interpolating `${VAR}` from `vars`. */
export function readCompose(file: SourceFile, doc: YamlDoc, dir: string, vars: VariableSource): ComposeFile {
  const r = new ComposeReader(file, doc, vars);
  const top = mapEntries(doc, file.path, doc.contents);
  const servicesEntry = top.find((e) => e.key === 'services');
  const services: ComposeService[] = [];
  if (servicesEntry?.value && isMap(servicesEntry.value)) {
    for (const e of mapEntries(doc, file.path, servicesEntry.value)) {
      if (!e.value || !isMap(e.value)) continue;
      services.push(r.service(e));
    }
  }
  return { path: file.path, dir, services, problems: r.problems };
}

class ComposeReader {
  readonly problems: ParseProblem[] = [];
  /** Bounds the work of expanding aliases, so an alias bomb cannot hang the run. */
  private plainBudget = 200_000;

  constructor(readonly file: SourceFile, readonly doc: YamlDoc, readonly vars: VariableSource) {}

  span(node: Node | null | undefined, fallback?: Span): Span {
    return nodeSpan(this.file.path, node, fallback);
  }

  text(node: Node | null | undefined): MappedText | undefined {
    if (!node || !isScalar(node)) return undefined;
    const t = scalarText(this.file, node);
    return t && interpolate(t, this.vars);
  }

  str(node: Node | null | undefined, via: readonly Span[] = []): Value<string> | undefined {
    const t = this.text(node);
    if (!t) return undefined;
    return mappedValue(t, this.span(node), via);
  }

  num(node: Node | null | undefined): Value<number> | undefined {
    const v = this.str(node);
    if (!v || v.kind === 'unknown') return v;
    const n = Number(v.value);
    return Number.isFinite(n) && v.value.trim() !== '' ? { ...v, value: n } : unknown(`not a number: "${v.value}"`, v.span);
  }

  service(e: YamlEntry): ComposeService {
    const entries = mapEntries(this.doc, this.file.path, e.value);
    const get = (k: string) => entries.find((x) => x.key === k);
    const nameSpan = this.span(e.keyNode);
    const settings = new Map<string, { data: unknown; span: Span }>();
    for (const x of entries) settings.set(x.key, { data: this.plain(x.value), span: this.span(x.keyNode) });
    const deploy = get('deploy');
    const deployEntries = deploy ? mapEntries(this.doc, this.file.path, deploy.value) : [];
    const resourcesEntry = deployEntries.find((x) => x.key === 'resources');
    const dependsOn = get('depends_on');
    const svc: ComposeService = {
      name: e.key,
      nameSpan,
      span: this.span(e.value, nameSpan),
      image: this.str(get('image')?.value, get('image')?.via),
      build: this.build(get('build')),
      containerName: this.str(get('container_name')?.value, get('container_name')?.via),
      hostname: this.str(get('hostname')?.value),
      command: this.command(get('command')),
      entrypoint: this.command(get('entrypoint')),
      environment: this.environment(get('environment')),
      envFiles: this.envFiles(get('env_file')),
      dependsOn: this.dependsOn(dependsOn),
      dependsOnSpan: dependsOn ? this.span(dependsOn.keyNode) : undefined,
      expose: this.ports(get('expose')),
      ports: this.ports(get('ports')),
      volumes: this.volumes(get('volumes')),
      resources: resourcesEntry ? this.resources(resourcesEntry) : undefined,
      replicas: this.num(deployEntries.find((x) => x.key === 'replicas')?.value),
      ulimits: this.ulimits(get('ulimits')),
      sysctls: this.sysctls(get('sysctls')),
      networks: this.networks(get('networks')),
      healthcheckSpan: get('healthcheck') ? this.span(get('healthcheck')!.keyNode) : undefined,
      settings,
    };
    return svc;
  }

  /** Plain interpolated data of a node, merges applied, for equality comparisons. */
  plain(node: Node | null | undefined, depth = 0): unknown {
    if (!node || depth > 30 || --this.plainBudget < 0) return null;
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const e of mapEntries(this.doc, this.file.path, node)) setOwn(out, e.key, this.plain(e.value, depth + 1));
      return out;
    }
    if (isSeq(node)) return seqItems(this.doc, node).map((n) => this.plain(n, depth + 1));
    const t = this.text(node);
    return t ? t.text : null;
  }

  build(e: YamlEntry | undefined): ComposeService['build'] {
    if (!e?.value) return undefined;
    const span = this.span(e.keyNode);
    if (isScalar(e.value)) return { context: this.str(e.value, e.via)!, span };
    const entries = mapEntries(this.doc, this.file.path, e.value);
    const ctx = entries.find((x) => x.key === 'context');
    const df = entries.find((x) => x.key === 'dockerfile');
    return {
      context: this.str(ctx?.value) ?? known('.', span, { isDefault: true }),
      dockerfile: this.str(df?.value),
      span,
    };
  }

  command(e: YamlEntry | undefined): ServiceCommand | undefined {
    if (!e?.value) return undefined;
    const span = this.span(e.value);
    if (isScalar(e.value)) {
      const t = this.text(e.value);
      return t ? { words: splitShellWords(t), span, form: 'string' } : undefined;
    }
    if (isSeq(e.value)) {
      const items = seqItems(this.doc, e.value).map((n) => this.text(n) ?? literalText(this.file.path, '', this.span(n).start));
      return { words: wordsFromList(items), span, form: 'list' };
    }
    return undefined;
  }

  environment(e: YamlEntry | undefined): EnvironmentEntry[] {
    if (!e?.value) return [];
    const out: EnvironmentEntry[] = [];
    if (isSeq(e.value)) {
      for (const item of seqItems(this.doc, e.value)) {
        const t = this.text(item);
        if (!t) continue;
        const eq = t.text.indexOf('=');
        const keyEnd = eq < 0 ? t.text.length : eq;
        const key = t.text.slice(0, keyEnd).trim();
        const keySpan = rangeOf(t, 0, keyEnd).span;
        const span = this.span(item);
        const value = eq < 0
          ? unknown(`${key} is passed from the deploying shell`, span)
          : mappedValue(t, span, e.via, eq + 1, t.text.length);
        out.push({ key, keySpan, value, span });
      }
    } else if (isMap(e.value)) {
      for (const x of mapEntries(this.doc, this.file.path, e.value)) {
        const keySpan = this.span(x.keyNode);
        const span = { ...keySpan, end: this.span(x.value, keySpan).end };
        const isNull = !x.value || (isScalar(x.value) && x.value.value === null);
        const value = isNull
          ? unknown(`${x.key} is passed from the deploying shell`, keySpan)
          : this.str(x.value, x.via) ?? unknown(`${x.key} is not a scalar`, keySpan);
        out.push({ key: x.key, keySpan, value, span });
      }
    }
    return out;
  }

  envFiles(e: YamlEntry | undefined): EnvFileRef[] {
    if (!e?.value) return [];
    const items = isSeq(e.value) ? seqItems(this.doc, e.value) : [e.value];
    const out: EnvFileRef[] = [];
    for (const item of items) {
      if (isMap(item)) {
        const entries = mapEntries(this.doc, this.file.path, item);
        const p = this.str(entries.find((x) => x.key === 'path')?.value);
        const req = scalarString(entries.find((x) => x.key === 'required')?.value);
        if (p) out.push({ path: p, required: req !== 'false', span: this.span(item) });
      } else {
        const p = this.str(item);
        if (p) out.push({ path: p, required: true, span: this.span(item) });
      }
    }
    return out;
  }

  dependsOn(e: YamlEntry | undefined): DependsOnEntry[] {
    if (!e?.value) return [];
    if (isSeq(e.value)) {
      return seqItems(this.doc, e.value).flatMap((n) => {
        const v = this.str(n);
        return v?.kind === 'known' ? [{ name: v.value, span: this.span(n) }] : [];
      });
    }
    return mapEntries(this.doc, this.file.path, e.value).map((x) => ({ name: x.key, span: this.span(x.keyNode) }));
  }

  ports(e: YamlEntry | undefined): PortEntry[] {
    if (!e?.value) return [];
    return seqItems(this.doc, e.value).flatMap((n) => {
      if (isMap(n)) {
        const t = mapEntries(this.doc, this.file.path, n).find((x) => x.key === 'target');
        const v = this.str(t?.value);
        return v ? [{ value: v, span: this.span(n) }] : [];
      }
      const v = this.str(n);
      return v ? [{ value: v, span: this.span(n) }] : [];
    });
  }

  volumes(e: YamlEntry | undefined): VolumeMount[] {
    if (!e?.value) return [];
    const out: VolumeMount[] = [];
    for (const n of seqItems(this.doc, e.value)) {
      const span = this.span(n);
      if (isMap(n)) {
        const entries = mapEntries(this.doc, this.file.path, n);
        const val = (k: string) => {
          const v = this.str(entries.find((x) => x.key === k)?.value);
          return v?.kind === 'known' ? v.value : undefined;
        };
        const target = val('target');
        if (!target) continue;
        const type = val('type');
        out.push({
          type: type === 'bind' || type === 'volume' || type === 'tmpfs' ? type : 'unknown',
          source: val('source'),
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
        out.push({ type: 'volume', target: parts[0]!, readOnly: false, span });
        continue;
      }
      const [source, target, mode] = parts as [string, string, string | undefined];
      const bind = /^(\.{1,2}(\/|$)|\/|~)/.test(source);
      out.push({ type: bind ? 'bind' : 'volume', source, target, readOnly: (mode ?? '').split(',').includes('ro'), span });
    }
    return out;
  }

  resources(e: YamlEntry): ServiceResources {
    const entries = mapEntries(this.doc, this.file.path, e.value);
    const set = (k: string): ResourceSet => {
      const m = mapEntries(this.doc, this.file.path, entries.find((x) => x.key === k)?.value);
      const cpus = this.str(m.find((x) => x.key === 'cpus')?.value, m.find((x) => x.key === 'cpus')?.via);
      const memory = this.str(m.find((x) => x.key === 'memory')?.value, m.find((x) => x.key === 'memory')?.via);
      return { ...(cpus ? { cpus } : {}), ...(memory ? { memory } : {}) };
    };
    return { limits: set('limits'), reservations: set('reservations'), span: this.span(e.keyNode) };
  }

  ulimits(e: YamlEntry | undefined): Ulimit[] {
    if (!e?.value) return [];
    return mapEntries(this.doc, this.file.path, e.value).map((x) => {
      const span = this.span(x.keyNode);
      if (x.value && isMap(x.value)) {
        const m = mapEntries(this.doc, this.file.path, x.value);
        return { name: x.key, soft: this.num(m.find((y) => y.key === 'soft')?.value), hard: this.num(m.find((y) => y.key === 'hard')?.value), span };
      }
      const v = this.num(x.value);
      return { name: x.key, soft: v, hard: v, span };
    });
  }

  sysctls(e: YamlEntry | undefined): ComposeSysctl[] {
    if (!e?.value) return [];
    if (isSeq(e.value)) {
      return seqItems(this.doc, e.value).flatMap((n) => {
        const t = this.text(n);
        if (!t) return [];
        const eq = t.text.indexOf('=');
        if (eq < 0) return [];
        return [{ key: t.text.slice(0, eq).trim(), keySpan: rangeOf(t, 0, eq).span, value: mappedValue(t, this.span(n), [], eq + 1, t.text.length) }];
      });
    }
    return mapEntries(this.doc, this.file.path, e.value).map((x) => ({
      key: x.key,
      keySpan: this.span(x.keyNode),
      value: this.str(x.value) ?? unknown('no value', this.span(x.keyNode)),
    }));
  }

  networks(e: YamlEntry | undefined): ServiceNetwork[] {
    if (!e?.value) return [];
    if (isSeq(e.value)) {
      return seqItems(this.doc, e.value).flatMap((n) => {
        const v = this.str(n);
        return v?.kind === 'known' ? [{ name: v.value, aliases: [], span: this.span(n) }] : [];
      });
    }
    return mapEntries(this.doc, this.file.path, e.value).map((x) => {
      const m = mapEntries(this.doc, this.file.path, x.value);
      const aliases = seqItems(this.doc, m.find((y) => y.key === 'aliases')?.value).flatMap((n) => {
        const v = this.str(n);
        return v ? [v] : [];
      });
      return { name: x.key, aliases, span: this.span(x.keyNode) };
    });
  }
}

function mappedValue(t: MappedText, fallback: Span, via: readonly Span[], from = 0, to = t.text.length): Value<string> {
  const r = rangeOf(t, from, to);
  const span = from === to ? fallback : r.span;
  if (r.unknownReason !== undefined) return unknown(r.unknownReason, span);
  return known(t.text.slice(from, to), span, { via: [...r.via, ...via] });
}
