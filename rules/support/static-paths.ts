import { posix } from 'node:path';
import type { Known, Span } from '../../src/core/value.js';
import type { MountSpec } from '../../src/container/types.js';
import type { DjangoApp } from '../../src/inputs/django.js';
import type { ShellWord } from '../../src/parsers/shell-words.js';
import type { Stack } from '../../src/stack/stack.js';
import type { ComposeService } from '../../src/inputs/compose.js';

/**
 * Where a container path's files live outside the container: in a named volume or a bind-mounted
 * repository folder, so that another container (or another replica) mounting the same source sees
 * the same files. `key` is equal for two container paths exactly when they are the same files.
 */
export interface SharedLocation {
  readonly mount: MountSpec;
  /** `volume static-data`, `./static (bind mount)`. */
  readonly source: string;
  /** Path below the mount's source ('' for its root). */
  readonly rel: string;
  /** `volume:static-data:/css` or `bind:app/static/css`: the same files have the same key. */
  readonly key: string;
  /** The source alone (`volume:static-data`, `bind:app/static`). */
  readonly sourceKey: string;
}

/**
 * The mount a container path falls under (the deepest target that contains it: Docker mounts nested
 * targets over their parents), and the path below it. Undefined when the path is in the container's
 * own filesystem, or under a mount no other container can share (tmpfs, an anonymous volume).
 */
export function sharedLocation(mounts: readonly MountSpec[], containerPath: string): SharedLocation | undefined {
  const path = posix.normalize(containerPath).replace(/(.)\/$/, '$1');
  let best: MountSpec | undefined;
  for (const m of mounts) {
    const target = posix.normalize(m.target).replace(/(.)\/$/, '$1');
    if (path !== target && !path.startsWith(target === '/' ? '/' : `${target}/`)) continue;
    if (!best || target.length >= posix.normalize(best.target).replace(/(.)\/$/, '$1').length) best = m;
  }
  if (!best || best.source === undefined || best.source.startsWith('../')) return undefined;
  if (best.type !== 'volume' && best.type !== 'bind') return undefined;
  const target = posix.normalize(best.target).replace(/(.)\/$/, '$1');
  const rel = path === target ? '' : path.slice(target === '/' ? 1 : target.length + 1);
  if (best.type === 'volume') {
    return { mount: best, source: `volume ${best.source}`, rel, key: `volume:${best.source}:/${rel}`, sourceKey: `volume:${best.source}` };
  }
  // Bind mounts of nested repository folders reach the same files: compare repository paths.
  const host = rel ? posix.join(best.source || '.', rel) : best.source || '.';
  return { mount: best, source: `./${best.source} (bind mount)`.replace('./ (', '. ('), rel, key: `bind:${posix.normalize(host)}`, sourceKey: `bind:${best.source}` };
}

/**
 * Where another container sees the files of `loc`: the path below its mount of the same volume (or of
 * a bind-mounted folder that holds them), when nothing mounted deeper hides them there.
 */
export function pathIn(mounts: readonly MountSpec[], loc: SharedLocation): { path: string; mount: MountSpec } | undefined {
  for (const m of mounts) {
    if (m.source === undefined || m.type !== loc.mount.type) continue;
    let path: string | undefined;
    if (m.type === 'volume' && m.source === loc.mount.source) path = loc.rel ? posix.join(m.target, loc.rel) : m.target;
    if (m.type === 'bind') {
      const host = loc.key.slice('bind:'.length);
      const src = posix.normalize(m.source || '.');
      if (src === '.' || host === src || host.startsWith(`${src}/`)) path = posix.join(m.target, src === '.' ? host : host.slice(src.length));
    }
    if (path === undefined) continue;
    path = posix.normalize(path).replace(/(.)\/$/, '$1');
    if (sharedLocation(mounts, path)?.key === loc.key) return { path, mount: m };
  }
  return undefined;
}

/** A Django path setting (`STATIC_ROOT`) as an absolute container path, resolved from the working directory. */
export function settingPath(app: DjangoApp, stack: Stack, name: string): Known<string> | undefined {
  const v = app.settings?.names.get(name);
  if (v?.kind !== 'known' || typeof v.value !== 'string' || v.value === '' || v.value.includes('$')) return undefined;
  if (posix.isAbsolute(v.value)) return { ...v, value: posix.normalize(v.value) };
  const cwd = stack.view(app.service)?.process?.workingDir;
  if (cwd?.kind !== 'known' || !posix.isAbsolute(cwd.value)) return undefined;
  return { ...v, value: posix.join(cwd.value, v.value) };
}

/** A Django URL setting (`STATIC_URL`) when it is a local path (`/static/`), not a CDN URL. */
export function settingUrlPath(app: DjangoApp, name: string): Known<string> | undefined {
  const v = app.settings?.names.get(name);
  if (v?.kind !== 'known' || typeof v.value !== 'string' || v.value === '' || v.value.includes('$') || /^[a-z]+:|^\/\//i.test(v.value)) return undefined;
  // Django prefixes a relative STATIC_URL with SCRIPT_NAME (`static/` is served at `/static/`).
  const value = v.value.startsWith('/') ? v.value : `/${v.value}`;
  return { ...v, value };
}

/** A `manage.py collectstatic` (or `django-admin collectstatic`, `python -m django collectstatic`) command. */
export interface CollectstaticRun {
  readonly span: Span;
  readonly clear: boolean;
}

export function collectstaticIn(argv: readonly ShellWord[], span: Span): CollectstaticRun | undefined {
  const words = argv.map((w) => (w.value.kind === 'known' ? w.value.value : ''));
  const at = words.findIndex((w, i) => /(^|\/)manage\.py$/.test(w) || /(^|\/)django-admin(\.py)?$/.test(w) || (w === 'django' && words[i - 1] === '-m'));
  if (at < 0 || words[at + 1] !== 'collectstatic') return undefined;
  return { span, clear: words.slice(at + 2).some((w) => w === '--clear' || w === '-c' || /^-[a-z]*c[a-z]*$/.test(w)) };
}

/** The collectstatic a container runs when it starts: before the main process, or as it. */
export function collectstaticAtStart(stack: Stack, svc: ComposeService): CollectstaticRun | undefined {
  const process = stack.view(svc)?.process;
  if (!process) return undefined;
  for (const r of process.ranBefore ?? []) {
    const hit = collectstaticIn(r.argv, r.span);
    if (hit) return hit;
  }
  return collectstaticIn(process.argv, process.argvSpan);
}
