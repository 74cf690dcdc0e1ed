import { posix } from 'node:path';
import type { Span } from '../core/value.js';
import type { MappedText } from '../parsers/mapped-text.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Dockerfile } from '../parsers/dockerfile.js';
import type { FileOrigin } from './types.js';

/**
 * Text a container path holds that is not the repository file itself: a template rendered by
 * envsubst, a heredoc a script writes. Every character maps back to the template (or script) offset
 * it came from; substituted values carry the environment line as `via`. Read it with
 * `readContainerFile` (render.ts).
 */
export interface Rendering {
  readonly content: MappedText;
  /** `envsubst`, `heredoc`, `nginx image envsubst`. */
  readonly renderer: string;
}

/** One layer of a container's filesystem: a Dockerfile COPY, a mount, a rendered template, an image default. */
export interface ContainerPathSource {
  readonly containerPath: string;
  /** Root-relative path in the repository ('' for the root; unused by opaque layers). */
  readonly hostPath: string;
  readonly isDir: boolean;
  /** The volume line or COPY instruction that puts it there. */
  readonly via: Span;
  /** Where the content comes from; a COPY of `hostPath` at `via` when absent. */
  readonly origin?: FileOrigin;
  /** Earlier steps the content passed through (the builder stage's COPY for `COPY --from=builder`). */
  readonly chain?: readonly Span[];
  /**
   * True for mounts: a directory mount hides everything the image had below it. Dockerfile COPYs of a
   * directory merge into what is there.
   */
  readonly hides?: boolean;
  /**
   * A layer whose content arena-lint cannot see (tmpfs, a volume filled elsewhere, a path outside the
   * checked folder, an external image's files): paths below resolve to nothing and are `unknown`.
   */
  readonly opaque?: boolean;
  readonly rendering?: Rendering;
  /** Repository files below a directory layer that the layer leaves out (`.dockerignore`). */
  readonly ignored?: (hostPath: string) => boolean;
  /** A deletion (`RUN rm -f /etc/nginx/conf.d/default.conf`): the path and everything below are gone. */
  readonly removed?: boolean;
  /**
   * A folder that may hold files arena-lint cannot name (a start script writes `conf.d/${app}.conf` in
   * a loop): what is seen below is not all there is, so a glob over it is unknown.
   */
  readonly incomplete?: boolean;
}

/** A repository file as a container path shows it. */
export interface ContainerFile {
  readonly containerPath: string;
  readonly hostPath: string;
  /** The layer that put it there (COPY line, mount line, the start script that rendered it). */
  readonly via: Span;
  readonly origin: FileOrigin;
  readonly chain?: readonly Span[];
  readonly rendering?: Rendering;
}

/** What a container path holds, for `inspect` and for readers that must tell "absent" from "unknown". */
export type PathState =
  | { readonly kind: 'file'; readonly file: ContainerFile }
  | { readonly kind: 'unknown'; readonly origin: FileOrigin; readonly via: Span }
  /** A file the image ships (the nginx image's nginx.conf): no repository file, but known. */
  | { readonly kind: 'image-default'; readonly origin: Extract<FileOrigin, { kind: 'image-default' }>; readonly containerPath: string }
  | { readonly kind: 'absent' };

/** repoPath's answers by its parts: every replica of a tier asks the same. */
const repoPaths = new Map<string, string | undefined>();

/** Normalises a root-relative path; undefined when it leaves the root. */
export function repoPath(...parts: string[]): string | undefined {
  const key = JSON.stringify(parts);
  const hit = repoPaths.get(key);
  if (hit !== undefined || repoPaths.has(key)) return hit;
  const p = posix.normalize(posix.join(...parts.map((x) => x || '.')));
  const out = p === '..' || p.startsWith('../') || posix.isAbsolute(p) ? undefined : p === '.' ? '' : p.replace(/\/$/, '');
  if (repoPaths.size >= 50_000) repoPaths.clear();
  repoPaths.set(key, out);
  return out;
}

/**
 * True when `rel` stays inside the checked folder once symlinks are followed. A symlink in the
 * repository that points at `/etc/passwd` or `../secrets` is never read.
 */

function originOf(s: ContainerPathSource, hostPath: string): FileOrigin {
  if (!s.origin) return { kind: 'copy', hostPath, via: s.via };
  if ((s.origin.kind === 'copy' || s.origin.kind === 'mount') && s.isDir) return { ...s.origin, hostPath };
  return s.origin;
}

function fileOf(s: ContainerPathSource, containerPath: string, hostPath: string): ContainerFile {
  return {
    containerPath, hostPath, via: s.via, origin: originOf(s, hostPath),
    ...(s.chain?.length ? { chain: s.chain } : {}), ...(s.rendering ? { rendering: s.rendering } : {}),
  };
}

function under(path: string, dir: string): boolean {
  return dir === '/' ? path !== '/' : path.startsWith(`${dir}/`);
}

function rest(path: string, dir: string): string {
  return dir === '/' ? path.slice(1) : path.slice(dir.length + 1);
}

/**
 * What a container sees of the repository, as ordered layers (image COPYs, then mounts in order), so
 * container paths in configs map back to files and each file says where it came from.
 */
export class ContainerFs {
  constructor(private readonly ws: Workspace, readonly sources: readonly ContainerPathSource[]) {}

  /** A new filesystem with more layers on top (later layers shadow earlier ones). */
  with(more: readonly ContainerPathSource[]): ContainerFs {
    return more.length ? new ContainerFs(this.ws, [...this.sources, ...more]) : this;
  }

  /** What a container path holds: the last layer that decides it wins, as mounts shadow the image. */
  state(containerPath: string): PathState {
    const p = posix.normalize(containerPath);
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const s = this.sources[i]!;
      if (s.incomplete) continue;
      if (s.removed) {
        if (p === s.containerPath || under(p, s.containerPath)) return { kind: 'absent' };
        continue;
      }
      if (p === s.containerPath && !s.isDir && s.origin?.kind === 'image-default') return { kind: 'image-default', origin: s.origin, containerPath: p };
      if (p === s.containerPath && !s.isDir) {
        if (s.opaque) return { kind: 'unknown', origin: s.origin ?? { kind: 'unknown', reason: 'not in the repository', via: s.via }, via: s.via };
        if (this.ws.exists(s.hostPath)) return { kind: 'file', file: fileOf(s, p, s.hostPath) };
        // A file layer whose repository file is missing: Docker would fail the build or mount an empty dir.
        return { kind: 'absent' };
      }
      if (s.isDir && under(p, s.containerPath)) {
        if (s.opaque) return { kind: 'unknown', origin: s.origin ?? { kind: 'unknown', reason: 'not in the repository', via: s.via }, via: s.via };
        const host = repoPath(s.hostPath, rest(p, s.containerPath));
        // A symlink inside a copied or mounted folder that leads out of the checked folder is never read
        // (the workspace reports it as missing, so ask first).
        if (host !== undefined && !s.ignored?.(host) && !this.ws.inside(host)) return { kind: 'unknown', origin: { kind: 'unknown', reason: `${host} leaves the checked folder through a symlink`, via: s.via }, via: s.via };
        if (host !== undefined && this.ws.exists(host) && !s.ignored?.(host)) return { kind: 'file', file: fileOf(s, p, host) };
        if (s.hides) return { kind: 'absent' };
      }
      if (s.hides && s.isDir && p === s.containerPath) return { kind: 'absent' };
    }
    return { kind: 'absent' };
  }

  /** The repository file behind a container path, when the container sees one. */
  resolve(containerPath: string): ContainerFile | undefined {
    const s = this.state(containerPath);
    return s.kind === 'file' ? s.file : undefined;
  }

  /** Every repository file visible in the container, with its container path. */
  files(): ContainerFile[] {
    const out = new Map<string, ContainerFile>();
    const hide = (dir: string) => {
      for (const k of [...out.keys()]) if (k === dir || under(k, dir)) out.delete(k);
    };
    for (const s of this.sources) {
      if (s.incomplete) continue;
      if (s.removed) {
        hide(s.containerPath);
        continue;
      }
      if (s.origin?.kind === 'image-default') {
        out.delete(s.containerPath);
        continue;
      }
      if (s.isDir && (s.hides || s.opaque)) hide(s.containerPath);
      if (s.opaque) {
        out.delete(s.containerPath);
        continue;
      }
      if (!s.isDir) {
        if (this.ws.exists(s.hostPath)) out.set(s.containerPath, fileOf(s, s.containerPath, s.hostPath));
        else out.delete(s.containerPath);
        continue;
      }
      for (const f of this.ws.filesUnder(s.hostPath)) {
        if (s.ignored?.(f)) continue;
        const r = s.hostPath === '' ? f : f.slice(s.hostPath.length + 1);
        const cp = posix.join(s.containerPath, r);
        out.set(cp, fileOf(s, cp, f));
      }
    }
    return [...out.values()];
  }

  /** Files the image ships by itself that no later layer replaced or removed. */
  imageDefaults(): { containerPath: string; origin: Extract<FileOrigin, { kind: 'image-default' }> }[] {
    const out: { containerPath: string; origin: Extract<FileOrigin, { kind: 'image-default' }> }[] = [];
    const seen = new Set<string>();
    for (const s of this.sources) {
      if (s.origin?.kind !== 'image-default' || seen.has(s.containerPath)) continue;
      seen.add(s.containerPath);
      const st = this.state(s.containerPath);
      if (st.kind === 'image-default') out.push({ containerPath: s.containerPath, origin: st.origin });
    }
    return out;
  }

  /** The layer saying a folder may hold more files than arena-lint sees, when one covers `dir`. */
  incompleteAt(dir: string): ContainerPathSource | undefined {
    const d = posix.normalize(dir);
    return this.sources.find((s) => s.incomplete && (d === s.containerPath || under(d, s.containerPath)));
  }

  /** Layers below which nothing is known (for `inspect` and for include resolution). */
  unknownLayers(): ContainerPathSource[] {
    return this.sources.filter((s) => s.opaque);
  }

  /** Container paths matching an nginx/shell glob (`*`, `?`, `[...]`), sorted as glob(3) sorts them. */
  glob(pattern: string): ContainerFile[] {
    const re = globToRegExp(posix.normalize(pattern));
    return this.files().filter((f) => re.test(f.containerPath)).sort((a, b) => (a.containerPath < b.containerPath ? -1 : 1));
  }

  /**
   * The files below `dir`, re-rooted so `dir` becomes `/`: what a named volume mounted at `dir`
   * would be filled with from this image.
   */
  subtree(dir: string): ContainerPathSource[] {
    const d = posix.normalize(dir);
    const out: ContainerPathSource[] = [];
    // What is unknown below stays unknown in the volume.
    for (const s of this.sources) {
      if ((s.opaque || s.incomplete) && under(s.containerPath, d)) out.push({ ...s, containerPath: `/${rest(s.containerPath, d)}` });
    }
    for (const f of this.files()) {
      if (!under(f.containerPath, d)) continue;
      out.push({
        containerPath: `/${rest(f.containerPath, d)}`, hostPath: f.hostPath, isDir: false, via: f.via, origin: f.origin,
        ...(f.chain ? { chain: f.chain } : {}), ...(f.rendering ? { rendering: f.rendering } : {}),
      });
    }
    return out;
  }
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** What data-tier readers ask of an image: read off the container view (see stack.ts imageOfView). */
export interface ServiceImage {
  readonly fs: ContainerFs;
  /** Root-relative build context folder. */
  readonly buildContext?: string;
  readonly dockerfile?: Dockerfile;
  readonly dockerfilePath?: string;
  /** The base image of the last stage (`FROM nginx:1.27-alpine`). */
  readonly baseImage?: string;
}

