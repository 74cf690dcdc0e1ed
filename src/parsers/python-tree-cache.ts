import { Tree, type NodeSet } from '@lezer/common';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Python syntax trees kept between runs, by content. lezer's parse of a settings.py, in code V8 has
 * not optimised yet, was the largest single cost of a check of the seed's stack (about a fifth), and
 * a pre-commit hook checks the same settings.py commit after commit. A tree is stored as lezer's own
 * flat buffer (node type, start, end, subtree size) under two independent hashes and the length of
 * the text it was parsed from, and rebuilt with `Tree.build` when all three match; anything else
 * (another text, another grammar, a damaged or foreign file) is parsed again. The text itself is not
 * stored: settings files hold secrets, and a cache must not copy them. Only the `arena-lint` command
 * turns it on, in the user's own cache folder beside the V8 code cache (src/launch.ts); tests and the
 * GitHub Action parse every time.
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
const FORMAT = 2;
const HEADER = 24;

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

/**
 * A second hash of the text, 64 bits in two multiply-xorshift lanes, stored in the entry: with the
 * file name's FNV-1a and the length, two texts that differ share an entry with odds of about 2^-96.
 */
function contentHash(s: string): [number, number] {
  let a = 0x9e3779b9 ^ s.length;
  let b = 0x85ebca6b ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    b = Math.imul(b ^ c, 0x27d4eb2f);
  }
  a = Math.imul(a ^ (a >>> 15), 0x85ebca77) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae3d);
  b = Math.imul(b ^ (b >>> 16), 0x85ebca77) ^ Math.imul(a ^ (a >>> 13), 0xc2b2ae3d);
  return [a >>> 0, b >>> 0];
}

/** The tree stored in `file` for `text`, checked node by node, or undefined. */
export function readTree(file: string, text: string, nodeSet: NodeSet, topId: number): Tree | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length < HEADER || data.readUInt32LE(0) !== MAGIC || data.readUInt32LE(4) !== FORMAT) return undefined;
  const [a, b] = contentHash(text);
  if (data.readUInt32LE(8) !== text.length || data.readUInt32LE(12) !== a || data.readUInt32LE(16) !== b) return undefined;
  const count = data.readUInt32LE(20);
  if (HEADER + count * 16 !== data.length) return undefined;
  const buffer: number[] = new Array<number>(count * 4);
  for (let i = 0; i < buffer.length; i++) buffer[i] = data.readInt32LE(HEADER + i * 4);
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
    const data = Buffer.alloc(HEADER + buffer.length * 4);
    const [a, b] = contentHash(text);
    data.writeUInt32LE(MAGIC, 0);
    data.writeUInt32LE(FORMAT, 4);
    data.writeUInt32LE(text.length, 8);
    data.writeUInt32LE(a, 12);
    data.writeUInt32LE(b, 16);
    data.writeUInt32LE(buffer.length / 4, 20);
    for (let i = 0; i < buffer.length; i++) data.writeInt32LE(buffer[i]!, HEADER + i * 4);
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, data, { mode: 0o600 });
    // A rename, so a run started meanwhile reads the old file or the whole new one.
    renameSync(partial, file);
  } catch {
    // A read-only home or a full disk: the next run parses again.
  }
}
