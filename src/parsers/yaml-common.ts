import YAML, { Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type Document, type Node, type Schema } from 'yaml';

/**
 * A reader for the YAML compose files are written in: block mappings and sequences indented with
 * spaces, one-line plain and quoted scalars, one-line flow collections and comments. It builds the
 * same nodes the `yaml` package builds (classes, values, source ranges), so every reader of a parsed
 * document works on either, and it builds them about ten times faster, which on a large compose file
 * was most of a run: the package lexes, builds a token tree and then composes it, three passes over
 * objects.
 *
 * It reads only what it knows to be well-formed and free of anything compose refuses. Anything else
 * (tabs, anchors and aliases, merge keys, tags, block scalars, multi-line scalars, escapes, duplicate
 * keys, directives, document markers other than a leading `---`, a syntax error of any kind) makes it
 * give up and return undefined, and the `yaml` package reads the file: it is the reference, and a
 * test compares the two on every YAML file of the fixtures and the corpus and on generated documents.
 */
export function parseCommonYaml(text: string): { doc: Document.Parsed; comments: CommonComment[] } | undefined {
  // Characters whose YAML meaning this reader does not model: tabs, carriage returns, a byte-order
  // mark, control and non-printable characters, the non-ASCII line breaks, lone surrogates.
  if (UNMODELLED_CHARACTERS.test(text) || (SURROGATE.test(text) && LONE_SURROGATE.test(text))) return undefined;
  try {
    return new CommonYamlReader(text).read();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

/** A `#` comment: its text after the `#` and where it is written. */
export interface CommonComment {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const UNMODELLED_CHARACTERS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A document start marker alone on its line, or with a comment after it. */
const DOCUMENT_START = /^---( +(#.*)?)?$/;

const GIVE_UP = Symbol('not common YAML');
function giveUp(): never {
  throw GIVE_UP;
}

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const NEWLINE = 10;

/** Characters that cannot start a plain scalar (YAML 1.2 c-indicator), besides `-?:` before a space. */
const INDICATOR_START = new Set([...',[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));
/** Flow indicators: they end a plain scalar inside a flow collection. */
const FLOW_INDICATOR = new Set([...',[]{}'].map((c) => c.charCodeAt(0)));

/** The scalar tags of the `yaml` package's core schema, which decide what a plain scalar means. */
let coreTags: { test: RegExp; resolve: (s: string, onError: (m: string) => void, o: object) => unknown; format?: string }[] | undefined;
function scalarTags(schema: Schema) {
  coreTags ??= schema.tags
    .filter((t) => t.default === true && !t.collection && 'test' in t && t.test instanceof RegExp)
    .map((t) => t as unknown as NonNullable<typeof coreTags>[number]);
  return coreTags;
}

/**
 * Makes the `yaml` package's nodes without running its constructors, which give every node its
 * type tag with Object.defineProperty: on a 1000-replica compose file that was a quarter of reading
 * it. The tag (the registry symbols the package checks in isMap, isScalar and the others) and a
 * collection's schema sit, as the same non-enumerable properties, on a prototype shared by the nodes
 * of one document, between each node and its class; class, methods and own fields are the package's.
 */
class NodeFactory {
  private readonly scalarProto: Scalar;
  private readonly mapProto: YAMLMap;
  private readonly seqProto: YAMLSeq;
  private readonly pairProto: Pair;

  constructor(schema: Schema) {
    const tagged = <T extends object>(cls: { prototype: T }, type: string, withSchema: boolean): T =>
      Object.create(cls.prototype, {
        [NODE_TYPE]: { value: Symbol.for(type) },
        ...(withSchema ? { schema: { value: schema, configurable: true, enumerable: false, writable: true } } : {}),
      }) as T;
    this.scalarProto = tagged(Scalar, 'yaml.scalar', false);
    this.mapProto = tagged(YAMLMap, 'yaml.map', true);
    this.seqProto = tagged(YAMLSeq, 'yaml.seq', true);
    this.pairProto = tagged(Pair, 'yaml.pair', false);
  }

  scalar(value: unknown): Scalar {
    const s = Object.create(this.scalarProto) as Scalar;
    s.value = value;
    return s;
  }

  map(): YAMLMap {
    const m = Object.create(this.mapProto) as YAMLMap;
    m.items = [];
    return m;
  }

  seq(): YAMLSeq {
    const q = Object.create(this.seqProto) as YAMLSeq;
    q.items = [];
    return q;
  }

  pair(key: Node, value: Node): Pair {
    const p = Object.create(this.pairProto) as Pair;
    p.key = key;
    p.value = value;
    return p;
  }
}

/** The key of the type tag the `yaml` package puts on every node (a registry symbol, shared by its copies). */
const NODE_TYPE = Symbol.for('yaml.node.type');

/**
 * A node read from the block structure: the next line holding a node after it (-1 at the end), and
 * the first of the blank and comment lines before that line that no node has taken yet (-1 if none).
 */
interface Block<T extends Node> {
  readonly node: T;
  readonly next: number;
  readonly trailing: number;
}

class CommonYamlReader {
  private readonly lineStart: number[] = [];
  private readonly lineEnd: number[] = [];
  private readonly indent: number[] = [];
  /** Whether a line holds a node (not blank, not only a comment). */
  private readonly content: boolean[] = [];
  private readonly comments: CommonComment[] = [];
  private readonly doc: Document.Parsed;
  private readonly tags: ReturnType<typeof scalarTags>;
  private readonly nodes: NodeFactory;

  constructor(private readonly text: string) {
    for (let start = 0; start <= text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      this.lineStart.push(start);
      this.lineEnd.push(end);
      this.indent.push(i - start);
      this.content.push(i < end && text.charCodeAt(i) !== HASH);
      if (i < end && text.charCodeAt(i) === HASH) this.comment(i, end);
      start = end + 1;
    }
    this.doc = new YAML.Document(undefined, { merge: true }) as unknown as Document.Parsed;
    this.tags = scalarTags(this.doc.schema);
    this.nodes = new NodeFactory(this.doc.schema);
  }

  read(): { doc: Document.Parsed; comments: CommonComment[] } {
    let first = this.nextContent(0);
    // A `---` line may open the document (it often does, where files were once multi-document).
    if (first >= 0 && this.indent[first] === 0 && DOCUMENT_START.test(this.text.slice(this.lineStart[first]!, this.lineEnd[first]!))) {
      const marker = this.lineStart[first]!;
      const hash = this.text.indexOf('#', marker + 3);
      if (hash >= 0 && hash < this.lineEnd[first]!) this.comment(hash, this.lineEnd[first]!);
      first = this.nextContent(first + 1);
    }
    // An empty document, directives and other document markers are left to the full parser.
    if (first < 0) giveUp();
    const c = this.text.charCodeAt(this.lineStart[first]! + this.indent[first]!);
    if (c === 37 /* % */ || this.startsMarker(first)) giveUp();
    const col = this.indent[first]!;
    const at = this.lineStart[first]! + col;
    const { node, next } = this.isSeqItem(at) ? this.seq(first, col) : this.map(first, at, col);
    // Whatever follows the root node is a second node or an error.
    if (next >= 0) giveUp();
    this.doc.contents = node as Document.Parsed['contents'];
    this.doc.range = [0, this.text.length, this.text.length];
    this.comments.sort((a, b) => a.start - b.start);
    return { doc: this.doc, comments: this.comments };
  }

  /** Records the comment from the `#` at `start` to `end`, the end of its line. */
  private comment(start: number, end: number): void {
    this.comments.push({ text: this.text.slice(start + 1, end), start, end });
  }

  private startsMarker(line: number): boolean {
    const s = this.text.slice(this.lineStart[line]!, this.lineStart[line]! + 4);
    return /^(---|\.\.\.)(\s|$)/.test(s);
  }

  /** The first line at or after `line` that holds a node, or -1. */
  private nextContent(line: number): number {
    for (let i = line; i < this.lineStart.length; i++) if (this.content[i]) return i;
    return -1;
  }

  /** Whether a `-` at `at` starts a block sequence entry (followed by a space or the end of its line). */
  private isSeqItem(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const n = this.text.charCodeAt(at + 1);
    return n === SPACE || n === NEWLINE || Number.isNaN(n);
  }

  /** The offset past the end of `line`, its newline included (where a node's trailing range ends). */
  private afterLine(line: number): number {
    return Math.min(this.lineEnd[line]! + 1, this.text.length);
  }

  /**
   * A block mapping whose first key is at offset `at` on `line`, its keys at column `col`. Returns the
   * map, the next line holding a node after it (-1 at the end) and the comment lines it leaves to
   * the collection around it.
   */
  private map(line: number, at: number, col: number): Block<YAMLMap> {
    const map = this.nodes.map();
    const start = at;
    const seen = new Set<string>();
    let value: Block<Node>;
    for (;;) {
      const key = this.key(line, at);
      const name = String(key.node.value);
      // Duplicate keys are judged by the full parser, in compose's words.
      if (seen.has(name) || name === '<<') giveUp();
      seen.add(name);
      value = this.value(line, key.after, col, true);
      map.items.push(this.nodes.pair(key.node, value.node));
      const next = value.next;
      if (next < 0 || this.indent[next]! < col) break;
      if (this.indent[next]! > col) giveUp();
      line = next;
      at = this.lineStart[line]! + col;
      if (this.isSeqItem(at)) giveUp();
    }
    const end = value.node.range![2];
    map.range = [start, end, end];
    return this.closed(map, col, value);
  }

  /** A block sequence whose `-` indicators are at column `col`, the first on `line`. */
  private seq(line: number, col: number): Block<YAMLSeq> {
    const seq = this.nodes.seq();
    const start = this.lineStart[line]! + col;
    let item: Block<Node>;
    for (;;) {
      const dash = this.lineStart[line]! + col;
      let p = dash + 1;
      while (this.text.charCodeAt(p) === SPACE) p++;
      if (p < this.lineEnd[line]! && this.text.charCodeAt(p) !== HASH && this.keyEnd(line, p) >= 0) {
        // `- key: value`: a mapping whose keys line up with the first one.
        item = this.map(line, p, p - this.lineStart[line]!);
      } else {
        if (this.isSeqItem(p)) giveUp();
        item = this.value(line, dash + 1, col, false);
      }
      seq.items.push(item.node);
      const next = item.next;
      if (next < 0 || this.indent[next]! < col) break;
      if (this.indent[next]! > col) giveUp();
      // A line at this column that is not an entry ends the sequence (a key of the mapping it is in).
      if (!this.isSeqItem(this.lineStart[next]! + col)) break;
      line = next;
    }
    const end = item.node.range![2];
    seq.range = [start, end, end];
    return this.closed(seq, col, item);
  }

  /**
   * A block collection at column `col` ends, `last` being its last entry. Like the `yaml` package,
   * the comment lines between that entry and the next node stay with the collection (and extend its
   * range) when one of them is indented at least to its column, except at column 0; otherwise they
   * go to the collection around it.
   */
  private closed<T extends YAMLMap | YAMLSeq>(node: T, col: number, last: Block<Node>): Block<T> {
    const { next, trailing } = last;
    if (trailing < 0) return { node, next, trailing: -1 };
    const stop = next < 0 ? this.lineStart.length : next;
    let kept = false;
    if (col > 0) for (let i = trailing; i < stop && !kept; i++) if (!this.content[i] && this.isComment(i) && this.indent[i]! >= col) kept = true;
    if (!kept) return { node, next, trailing };
    // The indentation of the line that ends the collection is read before the line's node, so it is in too.
    node.range![2] = next < 0 ? this.text.length : this.lineStart[next]! + this.indent[next]!;
    return { node, next, trailing: -1 };
  }

  private isComment(line: number): boolean {
    return this.lineStart[line]! + this.indent[line]! < this.lineEnd[line]!;
  }

  /**
   * Where the implicit key starting at `p` on `line` ends (the offset of its `:`), or -1 when the text
   * there is not `key:` followed by a space or the end of the line.
   */
  private keyEnd(line: number, p: number): number {
    const t = this.text;
    const end = this.lineEnd[line]!;
    const c = t.charCodeAt(p);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = this.quotedEnd(p, end);
      return close >= 0 && close < end && t.charCodeAt(close) === COLON && this.spaceOrEnd(close + 1, end) ? close : -1;
    }
    for (let i = p; i < end; i++) {
      const ch = t.charCodeAt(i);
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) return -1;
      if (ch === COLON && this.spaceOrEnd(i + 1, end)) return i;
    }
    return -1;
  }

  private spaceOrEnd(i: number, end: number): boolean {
    return i >= end || this.text.charCodeAt(i) === SPACE;
  }

  /** The offset past the closing quote of the quoted scalar opening at `p`, or -1 when its line has none. */
  private quotedEnd(p: number, end: number): number {
    const t = this.text;
    const q = t.charCodeAt(p);
    for (let i = p + 1; i < end; i++) {
      const ch = t.charCodeAt(i);
      if (ch === 92 /* \ */ && q === 34) giveUp();
      if (ch === q) {
        if (q === 39 && t.charCodeAt(i + 1) === 39) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    return -1;
  }

  /** The implicit key at `p`: its node and the offset past its `:`. */
  private key(line: number, p: number): { node: Scalar; after: number } {
    const colon = this.keyEnd(line, p);
    if (colon < 0) giveUp();
    const c = this.text.charCodeAt(p);
    let node: Scalar;
    if (c === 34 || c === 39) node = this.quoted(p, colon, colon);
    else {
      let e = colon;
      while (e > p && this.text.charCodeAt(e - 1) === SPACE) e--;
      // `key :` and keys over the 1024 characters YAML allows are left to the full parser.
      if (e !== colon || colon - p > 1024) giveUp();
      node = this.plain(p, e, e);
    }
    return { node, after: colon + 1 };
  }

  /**
   * The node after an indicator (`key:` or `-`) that ends at `after` on `line`: on the same line, on
   * the lines below indented past `col`, or (after a key) a sequence at the key's own column.
   */
  private value(line: number, after: number, col: number, afterKey: boolean): Block<Node> {
    const t = this.text;
    const end = this.lineEnd[line]!;
    let p = after;
    while (p < end && t.charCodeAt(p) === SPACE) p++;
    if (p < end && t.charCodeAt(p) !== HASH && p === after) giveUp();
    if (p >= end || t.charCodeAt(p) === HASH) {
      if (p < end) this.comment(p, end);
      const below = this.nextContent(line + 1);
      if (below >= 0 && this.indent[below]! > col) {
        const at = this.lineStart[below]! + this.indent[below]!;
        if (this.isSeqItem(at)) return this.seq(below, this.indent[below]!);
        if (this.keyEnd(below, at) < 0) giveUp();
        return this.map(below, at, this.indent[below]!);
      }
      if (afterKey && below >= 0 && this.indent[below]! === col && this.isSeqItem(this.lineStart[below]! + col)) return this.seq(below, col);
      // An empty node (YAML's null), placed where the text after the indicator starts. Comment lines
      // after one are shared out between it and the next node by rules not modelled here.
      const stop = below < 0 ? this.lineStart.length : below;
      for (let i = line + 1; i < stop; i++) if (this.isComment(i)) giveUp();
      // So are comments before an empty sequence entry and on its line.
      if (!afterKey && p < end) giveUp();
      if (!afterKey) for (let i = line - 1; i >= 0 && !this.content[i]; i--) if (this.isComment(i)) giveUp();
      // With a comment on its line, the `yaml` package gives an empty value the line breaks and the
      // indentation up to the next node, or up to the second line break when blank lines lead to the
      // next key of the same mapping.
      let emptyEnd = p;
      if (p < end) {
        const sibling = below >= 0 && this.indent[below] === col;
        emptyEnd = below < 0 ? this.text.length : sibling && below > line + 1 ? this.lineEnd[line + 1]! : this.lineStart[below]! + this.indent[below]!;
      }
      const empty = this.scalarOf('', 'PLAIN', p, p, emptyEnd, true);
      return { node: empty, next: below, trailing: line + 1 < stop ? line + 1 : -1 };
    }
    const c = t.charCodeAt(p);
    let node: Node;
    let stop: number;
    if (c === 91 /* [ */ || c === 123 /* { */) {
      const flow = this.flow(p, end);
      node = flow.node;
      stop = flow.end;
    } else if (c === 34 || c === 39) {
      stop = this.quotedEnd(p, end);
      if (stop < 0) giveUp();
      node = this.quoted(p, stop, 0);
    } else {
      // A plain scalar runs to a comment or the end of the line; a `: ` in it would be a nested mapping.
      stop = p;
      for (let i = p; i < end; i++) {
        const ch = t.charCodeAt(i);
        if (ch === HASH && t.charCodeAt(i - 1) === SPACE) break;
        if (ch === COLON && this.spaceOrEnd(i + 1, end)) giveUp();
        if (ch !== SPACE) stop = i + 1;
      }
      node = this.plain(p, stop, 0);
    }
    // After the node only spaces and a comment may follow on its line.
    let q = stop;
    while (q < end && t.charCodeAt(q) === SPACE) q++;
    if (q < end) {
      if (t.charCodeAt(q) !== HASH || q === stop) giveUp();
      this.comment(q, end);
    }
    const below = this.nextContent(line + 1);
    // A line indented past the indicator would continue a plain scalar or be an error.
    if (below >= 0 && this.indent[below]! > col) giveUp();
    // The node's range runs over its line and the comment lines right below it (blank lines between
    // them too) that are indented past the collection's column; the `yaml` package gives it those.
    const stopLine = below < 0 ? this.lineStart.length : below;
    let ownEnd = line;
    for (let i = line + 1; i < stopLine; i++) {
      if (!this.isComment(i)) continue;
      if (this.indent[i]! <= col) break;
      ownEnd = i;
    }
    node.range![2] = this.afterLine(ownEnd);
    return { node, next: below, trailing: ownEnd + 1 < stopLine ? ownEnd + 1 : -1 };
  }

  /** A one-line flow collection opening at `p`: its node and the offset past its closing bracket. */
  private flow(p: number, end: number): { node: YAMLMap | YAMLSeq; end: number } {
    const t = this.text;
    const isMap = t.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    const coll = isMap ? this.nodes.map() : this.nodes.seq();
    coll.flow = true;
    let i = this.pastSpaces(p + 1, end);
    if (t.charCodeAt(i) === close) {
      coll.range = [p, i + 1, i + 1];
      return { node: coll, end: i + 1 };
    }
    for (;;) {
      const item = this.flowNode(i, end, isMap);
      i = this.pastSpaces(item.end, end);
      if (isMap) {
        // `key: value`, the `:` right after the key or after spaces, and a value after it.
        if (t.charCodeAt(i) !== COLON || !(i + 1 < end && t.charCodeAt(i + 1) === SPACE)) giveUp();
        i = this.pastSpaces(i + 1, end);
        const value = this.flowNode(i, end, false);
        (coll as YAMLMap).items.push(this.nodes.pair(item.node, value.node));
        i = this.pastSpaces(value.end, end);
      } else {
        (coll as YAMLSeq).items.push(item.node);
      }
      const ch = t.charCodeAt(i);
      if (ch === close) {
        coll.range = [p, i + 1, i + 1];
        return { node: coll, end: i + 1 };
      }
      if (ch !== 44 /* , */) giveUp();
      i = this.pastSpaces(i + 1, end);
      // A trailing comma and an empty entry are left to the full parser.
      if (i >= end || t.charCodeAt(i) === close || t.charCodeAt(i) === 44) giveUp();
    }
  }

  /** A node inside a flow collection at `p`: a nested one-line collection, a quoted or a plain scalar. */
  private flowNode(p: number, end: number, isKey: boolean): { node: Node; end: number } {
    const t = this.text;
    const c = t.charCodeAt(p);
    if (p >= end) giveUp();
    if (c === 91 || c === 123) {
      if (isKey) giveUp();
      const inner = this.flow(p, end);
      inner.node.range![2] = this.pastSpaces(inner.end, end);
      return inner;
    }
    if (c === 34 || c === 39) {
      const stop = this.quotedEnd(p, end);
      if (stop < 0) giveUp();
      // A quoted key followed directly by `:` is JSON-like: `{"a":1}` is left to the full parser.
      if (t.charCodeAt(stop) === COLON && !(isKey && t.charCodeAt(stop + 1) === SPACE)) giveUp();
      return { node: this.quoted(p, stop, isKey ? stop : this.pastSpaces(stop, end)), end: stop };
    }
    let last = p;
    let i = p;
    for (; i < end; i++) {
      const ch = t.charCodeAt(i);
      if (FLOW_INDICATOR.has(ch)) break;
      if (ch === HASH && t.charCodeAt(i - 1) === SPACE) giveUp();
      if (ch === COLON) {
        const n = t.charCodeAt(i + 1);
        // In a mapping the key ends at `: `; anywhere else a `:` before a space or an indicator makes a pair.
        if (n === SPACE || i + 1 >= end || FLOW_INDICATOR.has(n)) {
          if (isKey && n === SPACE) break;
          giveUp();
        }
      }
      if (ch !== SPACE) last = i + 1;
    }
    if (last === p) giveUp();
    // A value's range runs over the spaces after it; a key's ends with it.
    return { node: this.plain(p, last, isKey ? last : this.pastSpaces(last, end)), end: last };
  }

  /** A quoted scalar from `p` to `stop` (past the closing quote); single line, no escapes. */
  private quoted(p: number, stop: number, rangeEnd: number): Scalar {
    const t = this.text;
    const single = t.charCodeAt(p) === 39;
    let value = t.slice(p + 1, stop - 1);
    if (single && value.includes("''")) value = value.replace(/''/g, "'");
    return this.scalarOf(value, single ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE', p, stop, rangeEnd, false);
  }

  private pastSpaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** A plain scalar written at `[p, e)`. */
  private plain(p: number, e: number, rangeEnd: number): Scalar {
    const t = this.text;
    const c = t.charCodeAt(p);
    if (INDICATOR_START.has(c)) giveUp();
    if ((c === DASH || c === 63 /* ? */ || c === COLON) && this.spaceOrEnd(p + 1, e)) giveUp();
    return this.scalarOf(t.slice(p, e), 'PLAIN', p, e, rangeEnd, true);
  }

  /** A scalar node as the `yaml` package composes it: a plain one resolved by the core schema's tags. */
  private scalarOf(source: string, type: Scalar.Type, start: number, end: number, rangeEnd: number, plain: boolean): Scalar {
    let node: Scalar | undefined;
    if (plain && (source === '' || MAY_NOT_BE_STRING[source.charCodeAt(0)])) {
      for (const tag of this.tags) {
        if (!tag.test.test(source)) continue;
        const res = tag.resolve(source, giveUp, this.doc.options);
        node = isScalar(res) ? (res as Scalar) : this.nodes.scalar(res);
        if (tag.format) node.format = tag.format;
        break;
      }
    }
    node ??= this.nodes.scalar(source);
    node.range = [start, end, rangeEnd];
    node.source = source;
    node.type = type;
    return node;
  }
}

/** First characters of plain scalars the core schema may read as null, a boolean or a number. */
const MAY_NOT_BE_STRING: boolean[] = [];
for (const c of '0123456789+-.~nNtTfF') MAY_NOT_BE_STRING[c.charCodeAt(0)] = true;
