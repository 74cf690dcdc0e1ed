import { Tree, type NodeSet } from '@lezer/common';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Python syntax trees kept between runs, by content. lezer's parse of a settings.py, in code V8 has
 * not optimised yet, was the largest single cost of a check of the seed's stack (about a fifth), and
 * a pre-commit hook checks the same settings.py commit after commit. A tree is stored as lezer's own
 * flat buffer (node type, start, end, subtree size) beside the text it was parsed from, and rebuilt
 * with `Tree.build` when the text is the same, character for character; anything else (another text,
 * another grammar, a damaged or foreign file) is parsed again. Only the `arena-lint` command turns it
 * on, in the user's own cache folder, like the V8 code cache (src/launch.ts); tests and the GitHub
 * Action parse every time.
 */
let cacheDir: string | undefined;

/** Where trees are kept from now on in this process; undefined turns the cache off. */
export function usePythonTreeCache(dir: string | undefined): void {
  cacheDir = dir;
}

/** Parses `text` with `parse`, or rebuilds its tree from the cache. */
export function cachedParse(text: string, nodeSet: NodeSet, topId: number, parse: (text: string) => Tree): Tree {
  if (!cacheDir) return parse(text);
  const file = join(cacheDir, entryName(text, nodeSet));
  const cached = readTree(file, text, nodeSet, topId);
  if (cached) return cached;
  const tree = parse(text);
  writeTree(cacheDir, file, text, tree);
  return tree;
}

/** Files kept before the folder is emptied; a project has a handful of Python files the check reads. */
const MAX_ENTRIES = 256;
const MAGIC = 0x54504c41; // "ALPT"
const FORMAT = 1;
const HEADER = 16;

function entryName(text: string, nodeSet: NodeSet): string {
  // The grammar's node types name the format of the buffer: another lezer-python gets other files.
  const grammar = fnv1a(nodeSet.types.map((t) => t.name).join(' '));
  return `${FORMAT}-${grammar}-${fnv1a(text)}-${text.length}.pytree`;
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The tree stored in `file` for exactly `text`, checked node by node, or undefined. */
export function readTree(file: string, text: string, nodeSet: NodeSet, topId: number): Tree | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length < HEADER || data.readUInt32LE(0) !== MAGIC || data.readUInt32LE(4) !== FORMAT) return undefined;
  const textBytes = data.readUInt32LE(8);
  const count = data.readUInt32LE(12);
  const bufferAt = HEADER + textBytes + ((4 - (textBytes % 4)) % 4);
  if (bufferAt + count * 16 !== data.length) return undefined;
  if (data.toString('utf8', HEADER, HEADER + textBytes) !== text) return undefined;
  const buffer: number[] = new Array<number>(count * 4);
  for (let i = 0; i < buffer.length; i++) buffer[i] = data.readInt32LE(bufferAt + i * 4);
  // Every node names a known type, lies inside the text and after its children (post order).
  const types = nodeSet.types.length;
  for (let i = 0; i < buffer.length; i += 4) {
    const [type, from, to, size] = [buffer[i]!, buffer[i + 1]!, buffer[i + 2]!, buffer[i + 3]!];
    if (type < 0 || type >= types || from < 0 || from > to || to > text.length || size < 4 || size % 4 !== 0 || size > i + 4) return undefined;
  }
  try {
    return Tree.build({ buffer, nodeSet, topID: topId, length: text.length, minRepeatType: types });
  } catch {
    return undefined;
  }
}

/** The visible nodes of `tree` below its top node, as lezer's flat buffer in post order. */
export function flattenTree(tree: Tree): Int32Array {
  const out: number[] = [];
  const cursor = tree.cursor();
  const visit = (): void => {
    const start = out.length;
    const { from, to } = cursor;
    const type = cursor.type.id;
    if (cursor.firstChild()) {
      do visit();
      while (cursor.nextSibling());
      cursor.parent();
    }
    out.push(type, from, to, out.length + 4 - start);
  };
  if (cursor.firstChild()) {
    do visit();
    while (cursor.nextSibling());
  }
  return Int32Array.from(out);
}

function writeTree(dir: string, file: string, text: string, tree: Tree): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const names = readdirSync(dir);
    if (names.length >= MAX_ENTRIES) for (const n of names) rmSync(join(dir, n), { force: true });
    const buffer = flattenTree(tree);
    const body = Buffer.from(text, 'utf8');
    const pad = (4 - (body.length % 4)) % 4;
    const data = Buffer.alloc(HEADER + body.length + pad + buffer.length * 4);
    data.writeUInt32LE(MAGIC, 0);
    data.writeUInt32LE(FORMAT, 4);
    data.writeUInt32LE(body.length, 8);
    data.writeUInt32LE(buffer.length / 4, 12);
    body.copy(data, HEADER);
    const at = HEADER + body.length + pad;
    for (let i = 0; i < buffer.length; i++) data.writeInt32LE(buffer[i]!, at + i * 4);
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, data, { mode: 0o600 });
    // A rename, so a run started meanwhile reads the old file or the whole new one.
    renameSync(partial, file);
  } catch {
    // A read-only home or a full disk: the next run parses again.
  }
}
