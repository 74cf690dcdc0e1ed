import { posix } from 'node:path';
import { known, type Value } from '../../src/core/value.js';
import { repoPath } from '../../src/container/filesystem.js';
import type { ContainerSpec, MountSpec } from '../../src/container/types.js';
import type { ComposeService } from '../../src/inputs/compose.js';
import type { Stack } from '../../src/stack/stack.js';

/**
 * A small stand-in for the stack helper's compose -> ContainerSpec conversion, so the container view
 * can be driven from real compose services in tests until the stack builds specs itself.
 */
export function specOf(stack: Stack, svc: ComposeService): ContainerSpec {
  const dir = stack.compose.dir;
  const mounts: MountSpec[] = svc.volumes.map((v) => {
    if (v.type === 'bind') {
      const inside = v.source !== undefined && !v.source.startsWith('/') && !v.source.startsWith('~') ? repoPath(dir, v.source) : undefined;
      return { type: 'bind', ...(inside !== undefined ? { source: inside } : v.source !== undefined ? { source: v.source } : {}), target: v.target, readOnly: v.readOnly, span: v.span };
    }
    return { type: v.type, ...(v.source !== undefined ? { source: v.source } : {}), target: v.target, readOnly: v.readOnly, span: v.span };
  });
  let build: ContainerSpec['build'];
  if (svc.build) {
    const ctx = svc.build.context;
    const context: Value<string> = ctx.kind === 'known' ? { ...ctx, value: repoPath(dir, ctx.value) ?? `../${ctx.value}` } : ctx;
    const df = svc.build.dockerfile;
    const dfName = df?.kind === 'known' ? df.value : 'Dockerfile';
    const dockerfile: Value<string> = context.kind === 'known'
      ? known(repoPath(context.value, dfName) ?? `../${dfName}`, df?.span ?? svc.build.span)
      : context;
    build = { context, dockerfile, args: new Map(), span: svc.build.span };
  }
  const wd = svc.settings.get('working_dir');
  return {
    name: svc.name,
    span: svc.nameSpan,
    ...(svc.image ? { image: svc.image } : {}),
    ...(build ? { build } : {}),
    ...(svc.entrypoint ? { entrypoint: svc.entrypoint } : {}),
    ...(svc.command ? { command: svc.command } : {}),
    ...(typeof wd?.data === 'string' ? { workingDir: known(posix.normalize(wd.data), wd.span) } : {}),
    environment: stack.env(svc),
    mounts,
  };
}
