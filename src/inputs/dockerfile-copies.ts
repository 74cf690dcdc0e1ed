import type { Workspace } from '../workspace/workspace.js';
import { instructionWords, parseDockerfile } from '../parsers/dockerfile.js';

const DOCKERFILE_NAME = /(^|\/)(Dockerfile[^/]*|[^/]+\.Dockerfile|Containerfile)$/i;

/**
 * Repository files that a Dockerfile of the repository COPYs or ADDs, whether or not a service of
 * the stack being checked builds it: a script there runs inside a container (an NFS image that tunes
 * its own namespace), never on the host, and a config there belongs to that image. A Dockerfile's build context is not written in the Dockerfile, so
 * every folder from the Dockerfile's own up to the root is taken as a possible context.
 */
const copiedCache = new WeakMap<Workspace, ReadonlySet<string>>();

export function filesCopiedIntoImages(ws: Workspace): ReadonlySet<string> {
  let copied = copiedCache.get(ws);
  if (!copied) copiedCache.set(ws, (copied = scanDockerfileCopies(ws)));
  return copied;
}

function scanDockerfileCopies(ws: Workspace): ReadonlySet<string> {
  const files = ws.files();
  const known = new Set(files);
  const copied = new Set<string>();
  for (const path of files) {
    if (!DOCKERFILE_NAME.test(path)) continue;
    const file = ws.read(path);
    if (!file) continue;
    const doc = parseDockerfile(file).doc;
    if (!doc) continue;
    const contexts: string[] = [];
    for (let dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''; ; dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '') {
      contexts.push(dir);
      if (dir === '') break;
    }
    for (const ins of doc.instructions) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const words = instructionWords(ins).words.map((w) => (w.value.kind === 'known' ? w.value.value : '$unknown'));
      if (words.some((w) => w.startsWith('--from'))) continue;
      const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
      for (const src of sources) {
        const rel = src.replace(/^\.\//, '').replace(/\/+$/, '');
        if (rel === '' || rel === '.' || rel.includes('..') || /[*?[$]/.test(rel)) continue;
        for (const ctx of contexts) {
          const full = ctx ? `${ctx}/${rel}` : rel;
          if (known.has(full)) copied.add(full);
          else if (ws.isDir(full)) for (const f of ws.filesUnder(full)) copied.add(f);
        }
      }
    }
  }
  return copied;
}
