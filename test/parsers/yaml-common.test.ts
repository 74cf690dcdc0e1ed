import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { parseCommonYaml } from '../../src/parsers/yaml-common.js';
import { parseYaml, parseYamlFully } from '../../src/parsers/yaml.js';
import { filesUnder } from '../helpers/files.js';
import { assertProperty } from '../helpers/property.js';

// The common-YAML reader (src/parsers/yaml-common.ts) must build exactly what the `yaml` package
// builds, or give up. The package is the oracle: every document the reader accepts is read by both
// and compared node by node (class, value and its type, source text, style, format, range, tag,
// anchor), with the comments an inline suppression would read.

const root = join(import.meta.dirname, '..', '..');
const CORPUS = join(root, '..', 'shared', 'corpus');

/** Everything a reader of a parsed document can see of a node. */
function shape(n: unknown, depth = 0): unknown {
  if (depth > 200) return '...';
  if (n === null || n === undefined) return null;
  if (isPair(n)) return { key: shape(n.key, depth + 1), value: shape(n.value, depth + 1) };
  const node = n as { range?: unknown; tag?: unknown; anchor?: unknown; flow?: unknown; constructor: { name: string } };
  const common = { class: node.constructor.name, range: node.range, tag: node.tag, anchor: node.anchor, flow: node.flow ?? false };
  if (isMap(n) || isSeq(n)) return { ...common, items: n.items.map((i) => shape(i, depth + 1)) };
  if (isScalar(n)) {
    const v = n.value;
    return { ...common, type: n.type, source: n.source, format: n.format, valueType: typeof v, value: typeof v === 'bigint' ? String(v) : v, minFractionDigits: n.minFractionDigits };
  }
  return { ...common, other: true };
}

/** Compares both readers on `text`; returns whether the common reader read it. */
function compareReaders(text: string, path = 'docker-compose.yml'): boolean {
  const common = parseCommonYaml(text);
  if (!common) return false;
  const full = parseYamlFully(createSourceFile(path, text));
  expect(full.problems, `${path}: the yaml package reports a problem the common reader missed`).toEqual([]);
  expect(full.doc!.errors, path).toEqual([]);
  expect(full.doc!.warnings, path).toEqual([]);
  expect(shape(common.doc.contents), path).toEqual(shape(full.doc!.contents));
  // Comments are kept for suppressions only; a file that names one makes both readers return them.
  const suppressed = `# arena-lint-disable-file replica-drift\n${text}`;
  const file = createSourceFile(path, suppressed);
  const fast = parseYaml(file);
  expect(fast.comments, `${path}: comments`).toEqual(parseYamlFully(file).comments);
  return true;
}


describe('common-YAML reader', () => {
  it('reads every YAML file of the fixtures as the yaml package does, or leaves it to the package', () => {
    let read = 0;
    let left = 0;
    for (const dir of ['fixtures', 'test']) {
      for (const p of filesUnder(join(root, dir), /\.ya?ml$/)) {
        if (compareReaders(readFileSync(p, 'utf8'), p)) read++;
        else left++;
      }
    }
    // Most fixtures are plain block YAML; if the reader gave up on most, it would be testing nothing.
    expect(read).toBeGreaterThan(250);
    expect(read).toBeGreaterThan(left * 2);
  });

  it.skipIf(!existsSync(CORPUS))('reads every YAML file of the corpus as the yaml package does, or leaves it to the package (skipped when ../shared/corpus is absent)', () => {
    let read = 0;
    for (const p of filesUnder(CORPUS, /\.ya?ml$/)) if (compareReaders(readFileSync(p, 'utf8'), p)) read++;
    expect(read).toBeGreaterThan(50);
  });

  it('reads the seed stack and a generated 1000-replica compose file itself', () => {
    const seed = readFileSync(join(root, 'fixtures', 'arena-scaled', 'docker-compose.loadbalanced.yml'), 'utf8');
    expect(compareReaders(seed)).toBe(true);
    const web = (n: number) => `  web-${n}:\n    build: ./backend\n    command: gunicorn --bind 0.0.0.0:8000 --workers 8 app.wsgi\n    environment:\n      - CONTAINER_NAME=web-${n}\n    deploy:\n      resources:\n        limits: { cpus: '2.0', memory: 2048M }\n`;
    const names = Array.from({ length: 1000 }, (_, i) => `web-${i + 1}`);
    const big = `services:\n${names.map((_, i) => web(i + 1)).join('')}  nginx:\n    image: nginx:1.27-alpine\n    depends_on: [${names.join(', ')}]\n`;
    expect(compareReaders(big)).toBe(true);
  });

  // Where comment lines after a node go decides the ranges of the collections around it.
  const commentPlacements: [string, string][] = [
    ['an indented comment after a value', 'a: 1\n # c\nb: 2\n'],
    ['blank lines around an indented comment', 'a: 1\n\n   # c\n\nb: 1\n'],
    ['a comment at the column of an ending mapping', 'x:\n  b: 1\n  # c\n\nd: 1\n'],
    ['a comment left of an ending mapping', 'x:\n  b: 1\n # c\nd: 1\n'],
    ['mixed indentation after an ending mapping', 'x:\n  b: 1\n# d\n  # c\nd: 1\n'],
    ['comments after nested mappings', 'x:\n  y:\n    b: 1\n    # c\n  # e\nd: 1\n'],
    ['comments after a nested sequence', 'x:\n  y:\n    - 1\n   # c\n  # e\n # f\nd: 1\n'],
    ['comments after a flow value', 'x:\n  y:\n    b: [1]\n      # c\n    # e\n'],
    ['comments in a mapping in a sequence', 'x:\n  - a: 1\n    # c\n  # e\nd: 1\n'],
    ['comments at the end of the document', 'a:\n  b: 1\n  # c\n# d\n'],
    ['a sequence at its key\'s column', 'k:\n- 1\n- 2\n# c\nz: 3\n'],
    ['a document start marker', '--- # c\na: [x, "y", {k: v}]\n'],
  ];
  for (const [name, text] of commentPlacements) {
    it(`reads ${name} as the yaml package does`, () => {
      expect(compareReaders(text)).toBe(true);
    });
  }

  const leftToThePackage: [string, string][] = [
    ['anchors and merge keys', 'x: &x\n  a: 1\ny:\n  <<: *x\n'],
    ['a tag', 'ports: !reset []\n'],
    ['a block scalar', 'command: >\n  a\n  b\n'],
    ['a tab', 'a:\tb\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a plain scalar over two lines', 'a: b\n  c\n'],
    ['an escape in a double-quoted scalar', 'a: "x\\ty"\n'],
    ['an unclosed flow collection', 'a: [1, 2\n'],
    ['a trailing comma', 'a: [1, 2,]\n'],
    ['a comment after an empty value', 'a:\n# c\nb: 1\n'],
    ['a syntax error', 'a: b: c\n'],
    ['an empty document', '# only a comment\n'],
  ];
  for (const [name, text] of leftToThePackage) {
    it(`leaves ${name} to the yaml package`, () => {
      expect(parseCommonYaml(text)).toBeUndefined();
      // parseYaml still reads it, through the package.
      expect(parseYaml(createSourceFile('docker-compose.yml', text)).doc).toBeDefined();
    });
  }

  // Documents drawn as trees of the pieces compose files are made of, written out with comment and
  // blank lines at random columns, and now and then one character changed to break them.
  type Tree = { map: [string, Tree][] } | { seq: Tree[] } | { scalar: string };
  const key = fc.constantFrom('a', 'web-1', '"q k"', "'s'", '8000', 'x.y', 'true', 'k#h', '-x', 'a b', 'ports', 'null', '"a: b"');
  const scalar = fc.constantFrom('', 'v', '1', '0x1F', '0o7', '1.50', '1e3', '.inf', '~', 'null', 'True', 'FALSE', '2048M', "'2.0'", "'it''s'", '"d"', '""',
    'http://h:1/p', 'a#b', '-1', '+2', '.5', '[a, b]', '[ a , "b" ]', '[]', '{}', '{k: v, j: [1]}', "{ cpus: '2.0', memory: 2048M }", '[a, [b, {c: d}]]', 'é ü', '$${X}', "${A:-b}");
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar.map((v): Tree => ({ scalar: v })),
      fc.array(fc.tuple(key, tie('tree')), { minLength: 1, maxLength: 4 }).map((map): Tree => ({ map })),
      fc.array(tie('tree'), { minLength: 1, maxLength: 4 }).map((seq): Tree => ({ seq })),
    ),
  }));
  const decoration = fc.constantFrom('', '', '', '', ' # t', '\n', '\n# c', '\n  # c', '\n    # c', '\n # c\n', '\n      # c');
  const rendered = fc.tuple(
    fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }),
    fc.constantFrom(2, 4),
    fc.boolean(),
    fc.infiniteStream(decoration),
  ).map(([entries, step, indentSeqs, decorations]) => {
    const it = decorations[Symbol.iterator]();
    const deco = () => it.next().value!.replace(/\\n/g, '\n');
    const out: string[] = [];
    const write = (t: Tree, col: number, prefix: string): void => {
      if ('scalar' in t) {
        out.push(`${prefix}${t.scalar === '' ? '' : ' '}${t.scalar}${deco()}`);
        return;
      }
      if ('map' in t) {
        out.push(`${prefix}${deco()}`);
        for (const [k, v] of t.map) write(v, col + step, `${' '.repeat(col + step)}${k}:`);
        return;
      }
      out.push(`${prefix}${deco()}`);
      const c = indentSeqs ? col + step : col;
      for (const v of t.seq) write(v, c + 2, `${' '.repeat(c)}-`);
    };
    for (const [k, v] of entries) write(v, 0, `${k}:`);
    return out.join('\n').replace(/^(\s*-)\n\s+(?=[^\s#-])/gm, '$1 ') + '\n';
  });
  const documents = fc.tuple(rendered, fc.nat(), fc.constantFrom('', '', '', ' ', ':', '-', '#', '\n', '"', '[', '}', ',', 'x')).map(([text, at, ch]) => {
    const i = at % (text.length + 1);
    return ch === '' ? text : text.slice(0, i) + ch + text.slice(i);
  });

  it('property: reads generated documents as the yaml package does, or leaves them to it', () => {
    let read = 0;
    let runs = 0;
    assertProperty('yaml-common/generated', fc.property(documents, (text) => {
      runs++;
      if (compareReaders(text)) read++;
    }), { numRuns: 2000 });
    // The pieces are drawn so that a fair share of the documents is common YAML and gets compared.
    expect(read).toBeGreaterThan(runs / 10);
  });
});
