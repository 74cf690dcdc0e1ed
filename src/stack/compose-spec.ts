import { known, type Value } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import { repoPath } from '../container/filesystem.js';
import type { BuildSpec, ContainerSpec, MountSpec } from '../container/types.js';
import type { EffectiveEnv } from './core.js';

/**
 * A compose service as the format-neutral spec the container view is built from. Paths become
 * root-relative (compose resolves them from the project directory); the environment is what compose
 * hands the container (env files, then `environment:`). A Kubernetes pod template will produce the
 * same spec from `command`/`args`, `env`/`envFrom` and `volumeMounts`.
 */
export function containerSpecOf(svc: ComposeService, projectDir: string, env: EffectiveEnv): ContainerSpec {
  const mounts: MountSpec[] = svc.volumes.map((v) => {
    const source = v.type === 'bind' && v.source !== undefined ? repoPath(projectDir, v.source) : v.source;
    return {
      type: v.type,
      ...(source !== undefined ? { source } : v.type === 'bind' ? { source: `../${v.source ?? ''}` } : {}),
      target: v.target,
      readOnly: v.readOnly,
      span: v.span,
    };
  });
  const spec: { -readonly [K in keyof ContainerSpec]: ContainerSpec[K] } = {
    name: svc.name,
    span: svc.nameSpan,
    environment: env,
    mounts,
  };
  if (svc.image) spec.image = svc.image;
  const build = buildSpecOf(svc, projectDir);
  if (build) spec.build = build;
  if (svc.entrypoint) spec.entrypoint = svc.entrypoint;
  if (svc.command) spec.command = svc.command;
  if (svc.workingDir) spec.workingDir = svc.workingDir;
  return spec;
}

function buildSpecOf(svc: ComposeService, projectDir: string): BuildSpec | undefined {
  const b = svc.build;
  if (!b) return undefined;
  const rooted = (v: Value<string>, base: string): Value<string> => {
    if (v.kind === 'unknown' || /^[a-z]+:\/\/|^git@/.test(v.value)) return v;
    const p = repoPath(base, v.value);
    // Outside the root: kept as written (`../x`) so the view reports it as not read.
    return { ...v, value: p ?? posixJoin(base, v.value) };
  };
  const context = rooted(b.context, projectDir);
  const dockerfile: Value<string> = b.dockerfile
    ? context.kind === 'known' ? rooted(b.dockerfile, context.value) : b.dockerfile
    : context.kind === 'known' ? known(repoPath(context.value, 'Dockerfile') ?? 'Dockerfile', b.span, { isDefault: true }) : context;
  return { context, dockerfile, ...(b.target ? { target: b.target } : {}), args: b.args ?? new Map(), span: b.span };
}

function posixJoin(a: string, b: string): string {
  return a ? `${a}/${b}` : b;
}
