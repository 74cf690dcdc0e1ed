import { positionAt, type SourceSet } from '../core/source.js';
import type { Span, Value } from '../core/value.js';
import type { FileOrigin } from '../container/types.js';
import type { Stack } from './stack.js';

/**
 * What `arena-lint inspect` prints: per stack and service, what arena-lint believes the container
 * sees and runs, and where each belief comes from. It answers "why did arena-lint read that?" and
 * "why does it not know that?". The JSON shape is versioned; see README "inspect".
 */
export const INSPECT_FORMAT_VERSION = 1;

/** A value with the line it comes from: `file:line`, `default` for a program's default, or why it is unknown. */
export interface InspectValue<T> {
  readonly value: T | null;
  readonly source: string;
  readonly unknown?: string;
}

export interface InspectFile {
  /** Path inside the container. */
  readonly path: string;
  /** The repository file, when one is behind it. */
  readonly hostPath: string | null;
  readonly origin: FileOrigin['kind'];
  /** The line that puts it there: `Dockerfile:7` (COPY), `docker-compose.yml:12` (mount), the start script that rendered it. */
  readonly via: string | null;
  /** For rendered files the template; for image defaults what the image ships; for unknown ones why. */
  readonly detail?: string;
}

export interface InspectUnknown {
  readonly what: string;
  readonly reason: string;
  readonly at: string;
}

export interface InspectService {
  readonly name: string;
  readonly replicas: InspectValue<number>;
  readonly image: InspectValue<string>;
  readonly files: readonly InspectFile[];
  readonly process: null | {
    readonly argv: readonly (string | null)[];
    readonly at: string;
    readonly workingDir: InspectValue<string>;
    /** How the process was found, step by step (ENTRYPOINT at Dockerfile:N, exec at entrypoint.sh:M, ...). */
    readonly steps: ReadonlyArray<{ readonly description: string; readonly at: string }>;
  };
  readonly appServer: null | Readonly<Record<string, unknown>>;
  readonly django: null | {
    readonly settingsModule: InspectValue<string>;
    readonly settingsFile: string | null;
    readonly via: readonly string[];
  };
  readonly unknowns: readonly InspectUnknown[];
}

export interface InspectStack {
  readonly name: string;
  readonly project: {
    readonly origin: string;
    readonly via: string | null;
    /** The compose files in merge order (as `-f a -f b`). */
    readonly files: readonly string[];
    /** Every compose file read, `include:` and `extends:` targets included. */
    readonly composeFiles: readonly string[];
    readonly profiles: readonly string[];
    readonly name: InspectValue<string>;
  };
  readonly services: readonly InspectService[];
  readonly inactiveServices: ReadonlyArray<{ readonly name: string; readonly profiles: readonly string[] }>;
  /** Every file the stack was built from. */
  readonly files: readonly string[];
  readonly unknowns: readonly InspectUnknown[];
}

export interface InspectReport {
  readonly version: number;
  readonly root: string;
  readonly stacks: readonly InspectStack[];
}

function at(sources: SourceSet, span: Span | undefined): string {
  if (!span) return 'unknown';
  const file = sources.get(span.file);
  return file ? `${span.file}:${positionAt(file, span.start).line}` : span.file;
}

function valueOf<T>(sources: SourceSet, v: Value<T> | undefined): InspectValue<T> {
  if (!v) return { value: null, source: 'unset' };
  if (v.kind === 'unknown') return { value: null, source: at(sources, v.span), unknown: v.reason };
  return { value: v.value, source: v.isDefault ? 'default' : at(sources, v.span) };
}

function fileOf(sources: SourceSet, path: string, hostPath: string | null, origin: FileOrigin): InspectFile {
  const via = origin.kind === 'image-default' ? null : at(sources, origin.via);
  const detail = origin.kind === 'rendered' ? `rendered from ${origin.template} by ${origin.renderer}`
    : origin.kind === 'image-default' ? origin.description
      : origin.kind === 'unknown' ? origin.reason : undefined;
  return { path, hostPath, origin: origin.kind, via, ...(detail !== undefined ? { detail } : {}) };
}

export function inspectStack(stack: Stack): InspectStack {
  const src = stack.sources;
  const unknownOf = (u: { what: string; reason: string; span: Span }): InspectUnknown => ({ what: u.what, reason: u.reason, at: at(src, u.span) });
  const services: InspectService[] = stack.services.map((svc) => {
    const view = stack.view(svc);
    const files: InspectFile[] = [];
    if (view) {
      for (const f of view.filesystem.files()) files.push(fileOf(src, f.containerPath, f.hostPath, f.origin));
      for (const d of view.filesystem.imageDefaults()) files.push(fileOf(src, d.containerPath, null, d.origin));
      for (const l of view.filesystem.unknownLayers()) {
        files.push(fileOf(src, l.containerPath, null, l.origin ?? { kind: 'unknown', reason: 'not in the repository', via: l.via }));
      }
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    const p = view?.process;
    const app = view?.appServer;
    const appServer = app
      ? {
          kind: app.kind,
          bind: valueOf(src, app.bind),
          port: valueOf(src, app.port),
          listenProtocol: valueOf(src, app.listenProtocol),
          interface: valueOf(src, app.interface),
          processes: valueOf(src, app.processes),
          threads: valueOf(src, app.threads),
          workerClass: valueOf(src, app.workerClass),
          keepAliveSeconds: valueOf(src, app.keepAliveSeconds),
          requestTimeoutSeconds: valueOf(src, app.requestTimeoutSeconds),
          backlog: valueOf(src, app.backlog),
          application: valueOf(src, app.application),
          configFiles: app.configFiles.map((c) => ({ path: c.path, via: at(src, c.via) })),
        }
      : null;
    const dj = view?.django;
    return {
      name: svc.name,
      replicas: valueOf(src, stack.workload(svc)?.replicas),
      image: valueOf(src, view?.image ?? svc.image),
      files,
      process: p
        ? {
            argv: p.argv.map((w) => (w.value.kind === 'known' ? w.value.value : null)),
            at: at(src, p.argvSpan),
            workingDir: valueOf(src, p.workingDir),
            steps: p.steps.map((s) => ({ description: s.description, at: at(src, s.span) })),
          }
        : null,
      appServer,
      django: dj ? { settingsModule: valueOf(src, dj.settingsModule), settingsFile: dj.settingsFile ?? null, via: dj.via.map((s) => at(src, s)) } : null,
      unknowns: (view?.unknowns ?? []).map(unknownOf),
    };
  });
  const serviceUnknowns = new Set(stack.services.flatMap((s) => stack.view(s)?.unknowns ?? []));
  return {
    name: stack.name,
    project: {
      origin: stack.project.spec.origin.kind,
      via: stack.project.spec.origin.via ? at(src, stack.project.spec.origin.via) : null,
      files: stack.project.spec.files,
      composeFiles: stack.project.composeFiles,
      profiles: stack.project.profiles,
      name: valueOf(src, stack.project.projectName),
    },
    services,
    inactiveServices: (stack.compose.inactive ?? []).map((s) => ({ name: s.name, profiles: s.profiles })),
    files: [...stack.files].sort(),
    unknowns: stack.unknowns.filter((u) => !serviceUnknowns.has(u)).map(unknownOf),
  };
}

export function inspectReport(stacks: readonly Stack[], root: string): InspectReport {
  return { version: INSPECT_FORMAT_VERSION, root, stacks: stacks.map(inspectStack) };
}

function shown<T>(v: InspectValue<T>): string {
  if (v.value === null) return v.unknown !== undefined ? `unknown (${v.unknown}; ${v.source})` : v.source;
  return `${String(v.value)} (${v.source})`;
}

/** The report as text, one block per stack and service. */
export function formatInspectText(report: InspectReport): string {
  const out: string[] = [];
  for (const s of report.stacks) {
    out.push(`stack ${s.name}`);
    out.push(`  project: ${s.project.files.join(' + ')} (${s.project.origin}${s.project.via ? ` at ${s.project.via}` : ''})`);
    if (s.project.composeFiles.length > s.project.files.length) out.push(`  compose files read: ${s.project.composeFiles.join(', ')}`);
    if (s.project.profiles.length) out.push(`  profiles: ${s.project.profiles.join(', ')}`);
    for (const i of s.inactiveServices) out.push(`  inactive: ${i.name} (profiles ${i.profiles.join(', ')} not enabled)`);
    for (const svc of s.services) {
      out.push(`  service ${svc.name}`);
      out.push(`    replicas: ${shown(svc.replicas)}`);
      out.push(`    image: ${shown(svc.image)}`);
      if (svc.process) {
        out.push(`    process: ${svc.process.argv.map((w) => w ?? '?').join(' ')} (${svc.process.at})`);
        out.push(`    working dir: ${shown(svc.process.workingDir)}`);
        for (const st of svc.process.steps) out.push(`      ${st.description} (${st.at})`);
      } else out.push('    process: unknown');
      if (svc.appServer) {
        const a = svc.appServer as Record<string, InspectValue<unknown> | string | unknown[]>;
        out.push(`    app server: ${String(a.kind)}`);
        for (const k of ['bind', 'processes', 'threads', 'workerClass', 'keepAliveSeconds', 'requestTimeoutSeconds', 'backlog', 'application']) {
          out.push(`      ${k}: ${shown(a[k] as InspectValue<unknown>)}`);
        }
        for (const c of (a.configFiles as Array<{ path: string; via: string }>) ?? []) out.push(`      settings file: ${c.path} (${c.via})`);
      }
      if (svc.django) out.push(`    django settings: ${shown(svc.django.settingsModule)}${svc.django.settingsFile ? ` -> ${svc.django.settingsFile}` : ''}${svc.django.via.length ? ` via ${svc.django.via.join(', ')}` : ''}`);
      if (svc.files.length) out.push('    files:');
      for (const f of svc.files) {
        out.push(`      ${f.path}${f.hostPath ? ` <- ${f.hostPath}` : ''} [${f.origin}${f.via ? ` at ${f.via}` : ''}]${f.detail ? ` ${f.detail}` : ''}`);
      }
      for (const u of svc.unknowns) out.push(`    unknown: ${u.what}: ${u.reason} (${u.at})`);
    }
    for (const u of s.unknowns) out.push(`  unknown: ${u.what}: ${u.reason} (${u.at})`);
    out.push('');
  }
  return out.join('\n');
}
