import { posix } from 'node:path';
import type { Span } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { instructionWords, parseDockerfile, type Dockerfile } from '../parsers/dockerfile.js';
import type { ComposeService } from '../inputs/compose.js';

/** One way a repository path appears inside a container: a bind mount or a Dockerfile COPY. */
export interface ContainerPathSource {
  readonly containerPath: string;
  /** Root-relative path in the repository. */
  readonly hostPath: string;
  readonly isDir: boolean;
  /** The volume line or COPY instruction that puts it there. */
  readonly via: Span;
}

export interface ContainerFile {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly via: Span;
}

/** Normalises a root-relative path; undefined when it leaves the root. */
export function repoPath(...parts: string[]): string | undefined {
  const p = posix.normalize(posix.join(...parts.map((x) => x || '.')));
  if (p === '..' || p.startsWith('../') || posix.isAbsolute(p)) return undefined;
  return p === '.' ? '' : p.replace(/\/$/, '');
}

/** What a service's container sees of the repository, so container paths in configs map back to files. */
export class ContainerFs {
  constructor(private readonly ws: Workspace, readonly sources: readonly ContainerPathSource[]) {}

  /** The repository file behind a container path; the last matching source wins, as mounts shadow the image. */
  resolve(containerPath: string): ContainerFile | undefined {
    const p = posix.normalize(containerPath);
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const s = this.sources[i]!;
      if (p === s.containerPath && !s.isDir) return { containerPath: p, hostPath: s.hostPath, via: s.via };
      if (s.isDir && (p.startsWith(`${s.containerPath}/`) || s.containerPath === '/')) {
        const rest = s.containerPath === '/' ? p.slice(1) : p.slice(s.containerPath.length + 1);
        const host = repoPath(s.hostPath, rest);
        if (host !== undefined && this.ws.exists(host)) return { containerPath: p, hostPath: host, via: s.via };
      }
    }
    return undefined;
  }

  /** Every repository file visible in the container, with its container path. */
  files(): ContainerFile[] {
    const out = new Map<string, ContainerFile>();
    for (const s of this.sources) {
      if (!s.isDir) {
        if (this.ws.exists(s.hostPath)) out.set(s.containerPath, { containerPath: s.containerPath, hostPath: s.hostPath, via: s.via });
        continue;
      }
      for (const f of this.ws.filesUnder(s.hostPath)) {
        const rest = s.hostPath === '' ? f : f.slice(s.hostPath.length + 1);
        const cp = posix.join(s.containerPath, rest);
        out.set(cp, { containerPath: cp, hostPath: f, via: s.via });
      }
    }
    return [...out.values()];
  }

  /** Container paths matching an nginx/shell glob (`*`, `?`, `[...]`). */
  glob(pattern: string): ContainerFile[] {
    const re = globToRegExp(posix.normalize(pattern));
    return this.files().filter((f) => re.test(f.containerPath)).sort((a, b) => (a.containerPath < b.containerPath ? -1 : 1));
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

export interface ServiceImage {
  readonly fs: ContainerFs;
  /** Root-relative build context folder. */
  readonly buildContext?: string;
  readonly dockerfile?: Dockerfile;
  readonly dockerfilePath?: string;
  /** The base image of the last stage (`FROM nginx:1.27-alpine`). */
  readonly baseImage?: string;
}

/** Builds a service's view of the repository from its bind mounts and its Dockerfile's COPY/ADD lines. */
export function serviceImage(ws: Workspace, composeDir: string, svc: ComposeService): ServiceImage {
  const sources: ContainerPathSource[] = [];
  let buildContext: string | undefined;
  let dockerfile: Dockerfile | undefined;
  let dockerfilePath: string | undefined;
  let baseImage: string | undefined;
  if (svc.build?.context.kind === 'known' && !/^[a-z]+:\/\//.test(svc.build.context.value)) {
    buildContext = repoPath(composeDir, svc.build.context.value);
    if (buildContext !== undefined) {
      const dfName = svc.build.dockerfile?.kind === 'known' ? svc.build.dockerfile.value : 'Dockerfile';
      dockerfilePath = repoPath(buildContext, dfName);
      const file = dockerfilePath !== undefined ? ws.read(dockerfilePath) : undefined;
      dockerfile = file ? parseDockerfile(file).doc : undefined;
      let workdir = '/';
      for (const ins of dockerfile?.instructions ?? []) {
        if (ins.keyword === 'FROM') {
          const words = instructionWords(ins).words.map((w) => (w.value.kind === 'known' ? w.value.value : ''));
          baseImage = words.find((w) => !w.startsWith('--'));
          workdir = '/';
          // Each stage starts from a fresh image: only the last stage's copies reach the container.
          sources.length = 0;
        } else if (ins.keyword === 'WORKDIR') {
          workdir = posix.resolve(workdir, ins.args.text.trim());
        } else if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          const words = instructionWords(ins).words.map((w) => (w.value.kind === 'known' ? w.value.value : undefined));
          if (words.some((w) => w?.startsWith('--from'))) continue;
          const plain = words.filter((w): w is string => w !== undefined && !w.startsWith('--'));
          if (plain.length < 2) continue;
          const dest = plain[plain.length - 1]!;
          const destAbs = posix.resolve(workdir, dest);
          for (const src of plain.slice(0, -1)) {
            const host = repoPath(buildContext, src);
            if (host === undefined || /[*?[]/.test(src)) continue;
            const isDir = ws.isDir(host);
            const destIsDir = dest.endsWith('/') || plain.length > 2 || isDir;
            sources.push({
              containerPath: isDir || !destIsDir ? destAbs : posix.join(destAbs, posix.basename(host)),
              hostPath: host,
              isDir,
              via: ins.span,
            });
          }
        }
      }
    }
  }
  for (const v of svc.volumes) {
    if (v.type !== 'bind' || !v.source) continue;
    const host = repoPath(composeDir, v.source);
    if (host === undefined) continue;
    sources.push({ containerPath: posix.normalize(v.target), hostPath: host, isDir: ws.isDir(host), via: v.span });
  }
  const out: { -readonly [K in keyof ServiceImage]: ServiceImage[K] } = { fs: new ContainerFs(ws, sources) };
  if (buildContext !== undefined) out.buildContext = buildContext;
  if (dockerfile) out.dockerfile = dockerfile;
  if (dockerfilePath !== undefined) out.dockerfilePath = dockerfilePath;
  if (baseImage) out.baseImage = baseImage;
  return out;
}
