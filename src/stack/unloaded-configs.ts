import { posix } from 'node:path';
import type { Span } from '../core/value.js';
import type { ContainerPathSource } from '../container/filesystem.js';
import type { ContainerView, FileOrigin } from '../container/types.js';
import type { NginxModel } from '../inputs/nginx.js';
import type { Workspace } from '../workspace/workspace.js';
import { filesCopiedIntoImages } from '../inputs/dockerfile-copies.js';

/** An nginx config of the repository that an nginx container is given, or could be, and does not load. */
export interface UnloadedConfig {
  /** Root-relative repository path. */
  readonly path: string;
  readonly why: 'shadowed' | 'not-included' | 'not-copied';
  /** Said after the file's name: "is copied to ... but ...". */
  readonly reason: string;
  readonly related: readonly { readonly span: Span; readonly message: string }[];
}

const NGINX_NAME = /\.(conf|template|tpl)$/;

/** A top-level nginx block: enough to tell an nginx config from another `.conf` (supervisord, redis). */
const NGINX_BLOCK = /^\s*(server|upstream|location|http|events|map|stream)\b[^;{}\n]*\{/m;

/**
 * The nginx configs around one nginx container that it does not load, and why: copied into the image
 * but replaced or hidden by a later layer (a bind mount over the file or its folder), visible in the
 * container but included by nothing nginx loads, or in the image's build context but copied by no
 * instruction. Computed while reading (stage 1), from what the container view and nginx's include
 * chain already know; nothing is guessed where a layer is unknown.
 */
export function unloadedNginxConfigs(ws: Workspace, view: ContainerView, nginx: NginxModel): UnloadedConfig[] {
  const loaded = new Set(loadedConfigPaths(nginx));
  const isNginxConfig = (path: string) => !loaded.has(path) && NGINX_BLOCK.test(ws.read(path)?.text ?? '');
  const fs = view.filesystem;
  const out = new Map<string, UnloadedConfig>();
  const covered = new Set<string>();

  for (const layer of fs.sources) {
    if (layer.opaque || layer.removed || layer.incomplete || layer.rendering || layer.origin?.kind === 'image-default' || layer.origin?.kind === 'rendered' || layer.origin?.kind === 'unknown') continue;
    for (const { hostPath, containerPath } of layerFiles(ws, layer)) {
      covered.add(hostPath);
      if (out.has(hostPath) || !isNginxConfig(hostPath)) continue;
      const put = describe(layer);
      const state = fs.state(containerPath);
      if (state.kind === 'file' && state.file.hostPath !== hostPath) {
        out.set(hostPath, {
          path: hostPath, why: 'shadowed',
          reason: `is ${put.verb} ${containerPath}, but ${originText(state.file.origin)} replaces it there`,
          related: [{ span: layer.via, message: `${put.noun} puts it at ${containerPath}` }, { span: state.file.via, message: `this replaces ${containerPath}` }],
        });
      } else if (state.kind === 'absent') {
        const hider = [...fs.sources].reverse().find((s) => s.hides && s.isDir && (containerPath === s.containerPath || containerPath.startsWith(`${s.containerPath.replace(/\/$/, '')}/`)));
        out.set(hostPath, {
          path: hostPath, why: 'shadowed',
          reason: `is ${put.verb} ${containerPath}, but ${hider ? `the mount of ${hider.containerPath} hides that folder` : 'a later layer removes it'}`,
          related: [{ span: layer.via, message: `${put.noun} puts it at ${containerPath}` }, ...(hider ? [{ span: hider.via, message: `this hides ${hider.containerPath}` }] : [])],
        });
      } else if (state.kind === 'file' && !nginx.unresolvedIncludes.length && !nginx.unknowns.length && !nginx.unreadFiles.length) {
        // Only when nginx's whole include chain is known: an unknown include may be what loads it.
        out.set(hostPath, {
          path: hostPath, why: 'not-included',
          reason: `is ${put.verb} ${containerPath}, but nothing nginx loads includes it`,
          related: [{ span: layer.via, message: `${put.noun} puts it at ${containerPath}` }],
        });
      }
    }
  }

  // Build-context files no instruction copies, when every COPY of the Dockerfile is known.
  const build = view.spec.build;
  const dockerfile = build?.dockerfile.kind === 'known' ? build.dockerfile.value : undefined;
  const context = build?.context.kind === 'known' ? build.context.value : undefined;
  const unknownCopy = fs.sources.some((s) => (s.opaque || s.incomplete || s.origin?.kind === 'unknown') && s.via.file === dockerfile);
  if (dockerfile !== undefined && context !== undefined && ws.exists(dockerfile) && !unknownCopy && view.unknowns.every((u) => u.span.file !== dockerfile)) {
    const copiedElsewhere = filesCopiedIntoImages(ws);
    for (const path of ws.filesUnder(context)) {
      // Named like an nginx config, and copied by no Dockerfile of the repository (a shared context
      // holds other images' files: FreeRADIUS's `server default { ... }` is no nginx config).
      if (covered.has(path) || out.has(path) || copiedElsewhere.has(path) || !NGINX_NAME.test(path) || !isNginxConfig(path)) continue;
      out.set(path, {
        path, why: 'not-copied',
        reason: `is in the build context of ${view.spec.name} (${context || '.'}/), but ${dockerfile} copies it nowhere`,
        related: [],
      });
    }
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Repository files nginx reads: every config it loads, and the template behind each rendered one. */
export function loadedConfigPaths(nginx: NginxModel): string[] {
  return nginx.files.flatMap((f) => (f.origin?.kind === 'rendered' ? [f.path, f.origin.template] : [f.path]));
}

/** Repository files a COPY or mount layer puts into the container, with their container paths. */
function layerFiles(ws: Workspace, layer: ContainerPathSource): { hostPath: string; containerPath: string }[] {
  if (!layer.isDir) return ws.exists(layer.hostPath) && !ws.isDir(layer.hostPath) ? [{ hostPath: layer.hostPath, containerPath: layer.containerPath }] : [];
  const prefix = layer.hostPath === '' ? '' : `${layer.hostPath}/`;
  return ws.filesUnder(layer.hostPath)
    .filter((f) => !layer.ignored?.(f))
    .map((f) => ({ hostPath: f, containerPath: posix.join(layer.containerPath, f.slice(prefix.length)) }));
}

function describe(layer: ContainerPathSource): { verb: string; noun: string } {
  const mount = layer.origin?.kind === 'mount';
  return { verb: mount ? 'mounted at' : 'copied by the image to', noun: mount ? 'this mount' : 'this COPY' };
}

function originText(o: FileOrigin): string {
  switch (o.kind) {
    case 'mount': return `the mount of ${o.hostPath}`;
    case 'copy': return `the copy of ${o.hostPath}`;
    case 'rendered': return `the file rendered from ${o.template}`;
    default: return 'another file';
  }
}
