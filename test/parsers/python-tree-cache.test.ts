import { parser } from '@lezer/python';
import type { Tree } from '@lezer/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cachedParse, flattenTree, readTree, usePythonTreeCache } from '../../src/parsers/python-tree-cache.js';
import { filesUnder } from '../helpers/files.js';
import { removeTempDirs, tempDir } from '../integration/helpers.js';

// A tree rebuilt from the cache must be the tree lezer parses, node for node (type, start, end and
// nesting, error nodes included), and anything but an exact entry for the same text is parsed again.

const root = join(import.meta.dirname, '..', '..');
const CORPUS = join(root, '..', 'shared', 'corpus');
afterAll(removeTempDirs);
afterEach(() => usePythonTreeCache(undefined));

const parse = (text: string): Tree => parser.parse(text);
const { nodeSet } = parser;
const topId = parser.topNode.id;

/** Every visible node in document order, with its depth. */
function nodesOf(tree: Tree): string[] {
  const out: string[] = [];
  let depth = 0;
  tree.iterate({
    enter: (n) => {
      out.push(`${depth++} ${n.name} ${n.from}-${n.to}`);
    },
    leave: () => {
      depth--;
    },
  });
  return out;
}


/** Parses through the cache twice; the second must come from the cache and equal the parse. */
function roundTrip(text: string, dir: string): void {
  usePythonTreeCache(dir);
  let parses = 0;
  const counting = (t: string) => {
    parses++;
    return parse(t);
  };
  const first = cachedParse(text, nodeSet, topId, counting);
  const second = cachedParse(text, nodeSet, topId, counting);
  expect(parses).toBe(1);
  expect(nodesOf(second)).toEqual(nodesOf(first));
  expect(second.length).toBe(text.length);
}

describe('Python tree cache', () => {
  it('rebuilds every Python file of the fixtures as lezer parses it', () => {
    const dir = tempDir('pytrees');
    let n = 0;
    for (const p of filesUnder(join(root, 'fixtures'), /\.py$/)) {
      roundTrip(readFileSync(p, 'utf8'), join(dir, String(n++)));
    }
    expect(n).toBeGreaterThan(50);
  });

  it.skipIf(!existsSync(CORPUS))('rebuilds every Python file of the corpus as lezer parses it (skipped when ../shared/corpus is absent)', () => {
    const dir = tempDir('pytrees-corpus');
    let n = 0;
    for (const p of filesUnder(CORPUS, /\.py$/)) roundTrip(readFileSync(p, 'utf8'), join(dir, String(n++)));
    expect(n).toBeGreaterThan(10);
  });

  it('rebuilds trees with syntax errors, error nodes included', () => {
    const text = 'DEBUG = (\nSECRET_KEY = "x"\ndef f(:\n  pass\n';
    expect(nodesOf(parse(text)).some((n) => n.includes('⚠'))).toBe(true);
    roundTrip(text, tempDir('pytrees-errors'));
  });

  it('stores trees by content: another text is parsed, and its own entry written', () => {
    const dir = tempDir('pytrees-content');
    usePythonTreeCache(dir);
    cachedParse('A = 1\n', nodeSet, topId, parse);
    cachedParse('A = 2\n', nodeSet, topId, parse);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('parses again when an entry is damaged, foreign or for another text of the same name', () => {
    const dir = tempDir('pytrees-damaged');
    const text = 'import os\nDEBUG = os.environ.get("DEBUG") == "1"\n';
    usePythonTreeCache(dir);
    cachedParse(text, nodeSet, topId, parse);
    const [name] = readdirSync(dir);
    const path = join(dir, name!);
    const good = readFileSync(path);
    const damaged: [string, Buffer][] = [
      ['truncated', good.subarray(0, good.length - 3)],
      ['empty', Buffer.alloc(0)],
      ['not a tree', Buffer.from('hello, world, this is not a tree file')],
      ['another text', (() => { const b = Buffer.from(good); b.writeUInt8(b.readUInt8(12) ^ 1, 12); return b; })()],
      ['another length', (() => { const b = Buffer.from(good); b.writeUInt32LE(text.length + 1, 8); return b; })()],
      ['a node type out of range', (() => { const b = Buffer.from(good); b.writeInt32LE(99999, b.length - 16); return b; })()],
      ['a node past the text', (() => { const b = Buffer.from(good); b.writeInt32LE(text.length + 5, b.length - 8); return b; })()],
      ['a subtree larger than the buffer', (() => { const b = Buffer.from(good); b.writeInt32LE(1 << 20, b.length - 4); return b; })()],
    ];
    for (const [what, bytes] of damaged) {
      writeFileSync(path, bytes);
      expect(readTree(path, text, nodeSet, topId), what).toBeUndefined();
      let parses = 0;
      const tree = cachedParse(text, nodeSet, topId, (t) => {
        parses++;
        return parse(t);
      });
      expect(parses, what).toBe(1);
      expect(nodesOf(tree), what).toEqual(nodesOf(parse(text)));
      // The parse rewrote the entry.
      expect(readFileSync(path).equals(good), what).toBe(true);
    }
  });

  it('is off unless turned on: nothing is read or written', () => {
    let parses = 0;
    cachedParse('A = 1\n', nodeSet, topId, (t) => {
      parses++;
      return parse(t);
    });
    cachedParse('A = 1\n', nodeSet, topId, (t) => {
      parses++;
      return parse(t);
    });
    expect(parses).toBe(2);
  });

  it('empties the folder when it holds 256 entries, and keeps working', () => {
    const dir = tempDir('pytrees-full');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 256; i++) writeFileSync(join(dir, `old-${i}.pytree`), 'x');
    usePythonTreeCache(dir);
    cachedParse('A = 1\n', nodeSet, topId, parse);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('runs as usual when the cache folder cannot be written', () => {
    const home = tempDir('pytrees-ro');
    const blocked = join(home, 'in-the-way');
    writeFileSync(blocked, 'a file');
    usePythonTreeCache(join(blocked, 'trees'));
    expect(nodesOf(cachedParse('A = 1\n', nodeSet, topId, parse))).toEqual(nodesOf(parse('A = 1\n')));
  });

  it('does not store the text it was parsed from (settings files hold secrets)', () => {
    const dir = tempDir('pytrees-secret');
    usePythonTreeCache(dir);
    const secret = 'SECRET_KEY = "k3y-that-must-not-be-copied"\n';
    cachedParse(secret, nodeSet, topId, parse);
    const [name] = readdirSync(dir);
    expect(readFileSync(join(dir, name!)).includes('k3y-that-must-not-be-copied')).toBe(false);
  });

  it('flattens a tree into nodes of four numbers, children before their parent', () => {
    const buffer = flattenTree(parse('A = 1\n'));
    expect(buffer.length % 4).toBe(0);
    // The last entry is the statement, spanning its children.
    expect(buffer[buffer.length - 1]).toBe(buffer.length);
  });
});
