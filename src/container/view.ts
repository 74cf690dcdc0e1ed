import { posix } from 'node:path';
import type { ParseProblem } from '../core/problem.js';
import { known, type Span, type Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { ContainerFs, repoPath, type ContainerPathSource } from './filesystem.js';
import { buildDockerfile, type BuiltImage } from './dockerfile-fs.js';
import { wellKnownImage, type WellKnownImage } from './images.js';
import { followProcess, processEnvironment, startCommand, type ImageConfig, type ProcessInput } from './process.js';
import { readAppServerReading } from './app-servers/index.js';
import { discoverDjango } from './django-settings.js';
import type { ContainerSpec, ContainerView, ContainerViewContext, LoadedFile, MountSpec, UnknownPart } from './types.js';

/**
 * Builds what one container sees and runs, from its spec: the image (Dockerfile stage or a
 * well-known image's defaults), the spec's mounts in order, the process after Docker's
 * ENTRYPOINT/CMD rules and the start scripts it passes through, and the files start-up renders.
 * Reads files statically; never runs anything; never reads outside the checked folder.
 */
export function buildContainerView(ctx: ContainerViewContext, spec: ContainerSpec): ContainerView {
  return viewOf(ctx, spec, new Map());
}

/**
 * Images built while building one set of views, by their build inputs (context, Dockerfile, target,
 * args): the replicas of a tier build the same image, and building it again for each is most of a
 * large stack's view. A built image is never mutated, so the views share it.
 */
type ImageMemo = Map<string, BuiltImage | undefined>;

function viewOf(ctx: ContainerViewContext, spec: ContainerSpec, images: ImageMemo): ContainerView {
  const { ws } = ctx;
  const unknowns: UnknownPart[] = [];
  const files: LoadedFile[] = [];
  const loaded = new Set<string>();
  const addFile = (path: string, problems: readonly ParseProblem[] = []) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    files.push({ path, problems, comments: [] });
  };

  const built = spec.build ? buildImage(ws, spec, unknowns, images) : undefined;
  if (built) addFile(built.dockerfile.path);
  const baseImage = built?.stage.baseImage;
  const image: Value<string> | undefined = spec.image ?? baseImage;
  // A built image behaves like its base; `image:` then only names the tag the build produces.
  const behaviourOf = built ? baseImage : spec.image;
  const wellKnown = behaviourOf?.kind === 'known' ? wellKnownImage(behaviourOf.value) : undefined;
  const anchor = (built ? built.stage.span : spec.image?.span) ?? spec.span;

  const layers: ContainerPathSource[] = [];
  if (wellKnown?.files) {
    for (const path of Object.keys(wellKnown.files)) {
      layers.push({
        containerPath: path, hostPath: '', isDir: false, via: anchor,
        origin: { kind: 'image-default', image: wellKnown.repositories[0]!, description: `${path} as the ${wellKnown.repositories[0]} image ships it` },
      });
    }
  }
  if (built) layers.push(...built.stage.layers);
  else if (spec.build) unknowns.push({ what: 'image filesystem', reason: 'the Dockerfile cannot be read, so what it copies is unknown', span: spec.build.dockerfile.span });
  let fs = new ContainerFs(ws, layers);
  fs = fs.with(mountLayers(ctx, spec.mounts, fs, unknowns));

  const imageConfig: ImageConfig = {
    ...(built?.stage.entrypoint ? { entrypoint: built.stage.entrypoint } : {}),
    ...(built?.stage.cmd ? { cmd: built.stage.cmd } : {}),
    ...(built?.stage.cmdReset ? { cmdReset: true } : {}),
    workdir: built?.stage.workdir ?? known(wellKnown?.workdir ?? '/', anchor, { isDefault: true }),
    env: built?.stage.env ?? new Map(),
    ...(wellKnown ? { wellKnown } : {}),
    anchor,
  };
  const input: ProcessInput = { spec, image: imageConfig, fs };
  const start = startCommand(input);
  unknowns.push(...start.unknowns);
  const followed = followProcess(ws, input, start, wellKnown);
  for (const f of followed.files) addFile(f, followed.problems.filter((p) => p.span.file === f));
  unknowns.push(...followed.unknowns);
  fs = fs.with(followed.layers);

  const environment = followed.process?.environment ?? processEnvironment(input);
  if (!followed.process && start.argv.length === 0) {
    unknowns.push({ what: 'process', reason: nothingRunsReason(spec, built, wellKnown), span: spec.span });
  }
  const appServer = followed.process ? readAppServerReading(followed.process, fs, ws) : undefined;
  const django = followed.process ? discoverDjango(followed.process, fs, ws, appServer) : undefined;
  for (const f of [...(appServer?.files ?? []), ...(django?.files ?? [])]) {
    if (!loaded.has(f.path)) files.push(f);
    loaded.add(f.path);
  }
  unknowns.push(...(appServer?.unknowns ?? []));
  return {
    spec,
    ...(image ? { image } : {}),
    filesystem: fs,
    ...(spec.build?.context.kind === 'known' && repoPath(spec.build.context.value) !== undefined
      ? { build: { context: repoPath(spec.build.context.value)!, ...(built ? { dockerfile: built.dockerfile } : {}), ...(baseImage ? { baseImage } : {}) } }
      : {}),
    ...(followed.process ? { process: followed.process } : {}),
    environment,
    ...(appServer ? { appServer: appServer.facts } : {}),
    ...(django ? { django: django.entry } : {}),
    files,
    unknowns,
  };
}

function nothingRunsReason(spec: ContainerSpec, built: BuiltImage | undefined, wellKnown: WellKnownImage | undefined): string {
  if (built) return 'neither the spec nor the Dockerfile sets a command, and the base image\'s CMD is not known';
  if (spec.build) return 'the Dockerfile cannot be read and the spec sets no command';
  if (!wellKnown) return 'the spec sets no command and the image\'s CMD is not known';
  return 'the image runs nothing arena-lint can follow';
}

function buildImage(ws: Workspace, spec: ContainerSpec, unknowns: UnknownPart[], images: ImageMemo): BuiltImage | undefined {
  const b = spec.build!;
  if (b.context.kind !== 'known' || b.dockerfile.kind !== 'known') {
    const v = b.context.kind !== 'known' ? b.context : b.dockerfile;
    unknowns.push({ what: 'build', reason: v.kind === 'unknown' ? v.reason : 'unknown build', span: b.span });
    return undefined;
  }
  if (/^[a-z]+:\/\/|^git@/.test(b.context.value)) {
    unknowns.push({ what: 'build context', reason: `${b.context.value} is a remote build context`, span: b.context.span });
    return undefined;
  }
  const context = repoPath(b.context.value);
  const dockerfilePath = repoPath(b.dockerfile.value);
  if (context === undefined || dockerfilePath === undefined || !ws.inside(context) || !ws.inside(dockerfilePath)) {
    unknowns.push({ what: 'build', reason: `${context === undefined ? b.context.value : b.dockerfile.value} is outside the checked folder and is not read`, span: b.span });
    return undefined;
  }
  // The args and target with their spans and origins: an image built with other values, or with the
  // same values written elsewhere, is another image.
  const key = JSON.stringify([context, dockerfilePath, b.target ?? null, [...b.args]]);
  let built: BuiltImage | undefined;
  if (images.has(key)) built = images.get(key);
  else {
    built = buildDockerfile(ws, { context, dockerfilePath, args: b.args, ...(b.target ? { target: b.target } : {}) });
    images.set(key, built);
  }
  if (built) unknowns.push(...built.unknowns);
  return built;
}

/** The spec's mounts as layers over the image, in order, each recorded with its line. */
function mountLayers(ctx: ContainerViewContext, mounts: readonly MountSpec[], image: ContainerFs, unknowns: UnknownPart[]): ContainerPathSource[] {
  const { ws } = ctx;
  const out: ContainerPathSource[] = [];
  const clean = (t: string) => posix.normalize(t).replace(/(.)\/+$/, '$1');
  const opaque = (m: MountSpec, isDir: boolean, reason: string) => {
    out.push({ containerPath: clean(m.target), hostPath: '', isDir, via: m.span, hides: true, opaque: true, origin: { kind: 'unknown', reason, via: m.span } });
    unknowns.push({ what: m.target, reason, span: m.span });
  };
  for (const m of mounts) {
    const target = clean(m.target);
    if (!posix.isAbsolute(target)) {
      unknowns.push({ what: m.target, reason: 'the mount target is not an absolute path', span: m.span });
      continue;
    }
    switch (m.type) {
      case 'bind':
      case 'config':
      case 'secret': {
        const host = m.source !== undefined ? repoPath(m.source) : undefined;
        if (m.source === undefined && m.type !== 'bind') {
          opaque(m, false, `the ${m.type} is external to the project`);
          break;
        }
        if (host === undefined || m.source?.startsWith('/') || m.source?.startsWith('~')) {
          opaque(m, true, `${m.source ?? 'the source'} is outside the checked folder and is not read`);
          break;
        }
        if (!ws.inside(host)) {
          opaque(m, true, `${m.source} leaves the checked folder through a symlink and is not read`);
          break;
        }
        const isDir = ws.isDir(host);
        if (!isDir && !ws.exists(host)) {
          // Docker creates a missing bind source as an empty directory.
          opaque(m, true, `${m.source} is not in the repository (Docker would mount an empty directory)`);
          break;
        }
        out.push({ containerPath: target, hostPath: host, isDir, via: m.span, hides: true, origin: { kind: 'mount', hostPath: host, via: m.span } });
        break;
      }
      case 'volume': {
        if (m.source === undefined) break; // An anonymous volume starts as a copy of the image's files there.
        const content = ctx.namedVolume?.(m.source);
        if (content) {
          out.push({ containerPath: target, hostPath: '', isDir: true, via: m.span, hides: true, removed: true });
          for (const f of content.sources) {
            out.push({ ...f, containerPath: posix.join(target, f.containerPath), chain: [...(f.chain ?? []), f.via], via: m.span });
          }
        } else {
          // An empty volume is filled from this container's image when it has files there (it is the
          // first to mount it); otherwise whatever fills it (another image, a process) is not known here.
          const below = image.files().some((f) => f.containerPath.startsWith(`${target}/`)) || image.unknownLayers().some((l) => l.containerPath.startsWith(`${target}/`));
          if (!below) opaque(m, true, `named volume ${m.source}: its content comes from whichever container fills it`);
        }
        break;
      }
      case 'tmpfs':
        out.push({ containerPath: target, hostPath: '', isDir: true, via: m.span, hides: true, removed: true });
        break;
      default:
        opaque(m, true, 'a mount of unknown type');
    }
  }
  return out;
}

/** A named volume's content as the container `view` fills it when mounting it at `target`. */
export function volumeContent(ws: Workspace, view: ContainerView, name: string): ContainerFs | undefined {
  const m = view.spec.mounts.find((x) => x.type === 'volume' && x.source === name);
  if (!m) return undefined;
  return new ContainerFs(ws, view.filesystem.subtree(m.target));
}

/**
 * Views for containers that share named volumes, in start order: an empty named volume is filled
 * from the image of the first container (in `specs` order) whose image has files where it mounts it,
 * and every other container sees that content there (Docker copies the image's files into an empty
 * volume on first mount). Callers pass the specs in the order the orchestrator starts them.
 */
export function buildContainerViews(ws: Workspace, specs: readonly ContainerSpec[]): ContainerView[] {
  const images: ImageMemo = new Map();
  const first = specs.map((s) => viewOf({ ws }, s, images));
  const fillers = new Map<string, { index: number; content: ContainerFs }>();
  specs.forEach((s, i) => {
    for (const m of s.mounts) {
      if (m.type !== 'volume' || m.source === undefined || fillers.has(m.source)) continue;
      const content = volumeContent(ws, first[i]!, m.source);
      if (content && content.sources.length > 0) fillers.set(m.source, { index: i, content });
    }
  });
  if (fillers.size === 0) return first;
  return specs.map((s, i) => {
    if (!s.mounts.some((m) => m.type === 'volume' && m.source !== undefined && fillers.has(m.source) && fillers.get(m.source)!.index !== i)) return first[i]!;
    return viewOf({ ws, namedVolume: (name) => { const f = fillers.get(name); return f && f.index !== i ? f.content : undefined; } }, s, images);
  });
}

export type { Span };
