import YAML, { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { MappedTextBuilder, type MappedText } from './mapped-text.js';
import { parseCommonYaml } from './yaml-common.js';

export type YamlDoc = Document.Parsed;

/**
 * Parses per source file, kept while the file is: discovery asks whether a compose file stands alone
 * and the project then loads it, and on a 1000-replica stack that second parse was a third of the run.
 * Nothing mutates a parsed document; the arrays are copied so a caller may extend its own.
 */
const parsed = new WeakMap<SourceFile, ParseResult<YamlDoc>>();

/**
 * YAML with positions on every node (the `yaml` package keeps source ranges, merge keys and aliases).
 * Comments are recovered from the lexer so inline suppressions can be read in YAML too.
 */
export function parseYaml(file: SourceFile): ParseResult<YamlDoc> {
  let r = parsed.get(file);
  if (!r) parsed.set(file, (r = parseYamlOnce(file)));
  return { ...r, problems: [...r.problems], comments: [...r.comments] };
}

function parseYamlOnce(file: SourceFile): ParseResult<YamlDoc> {
  // Most compose files are plain block YAML, which a reader made for it turns into the same nodes
  // in a fraction of the time; whatever it does not know, the `yaml` package reads.
  const common = parseCommonYaml(file.text);
  if (!common) return parseYamlFully(file);
  const comments = hasSuppressions(file) ? common.comments.map((c) => ({ text: c.text, span: { file: file.path, start: c.start, end: c.end } })) : [];
  return { doc: common.doc, problems: [], comments };
}

/** Comments are read for inline suppressions only, and every one of those names `arena-lint-`. */
function hasSuppressions(file: SourceFile): boolean {
  return file.text.includes('#') && file.text.includes('arena-lint-');
}

/**
 * The file read by the `yaml` package, which knows all of YAML, with compose's refusals. Exported for
 * the test that compares it with the common-YAML reader; everything else calls parseYaml.
 */
export function parseYamlFully(file: SourceFile): ParseResult<YamlDoc> {
  const problems: ParseProblem[] = [];
  let doc: YamlDoc | undefined;
  let comments: Comment[] = [];
  try {
    // YAML.parseDocument, with the tokens kept: comments come from them, so the text is lexed once.
    const tokens = [...new YAML.Parser().parse(file.text)];
    comments = commentsOf(file, tokens);
    for (const d of new YAML.Composer({ merge: true }).compose(tokens, true, file.text.length)) {
      if (!doc) doc = d;
      else {
        doc.errors.push(new YAML.YAMLParseError([d.range[0], d.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
        break;
      }
    }
    if (!doc) throw new Error('no document');
    // Like the programs that read these files, report where reading stopped; later errors are mostly echoes.
    // Duplicate keys are judged below, with compose's words.
    const syntax = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const e of syntax.slice(0, 1)) {
      // The yaml package may place an error one past the end of the text.
      const start = Math.min(e.pos[0], file.text.length);
      const end = Math.min(Math.max(e.pos[1], start), file.text.length);
      problems.push({ message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), span: { file: file.path, start, end } });
    }
    if (syntax.length === 0) {
      const refusal = composeRefusal(doc, file);
      if (refusal) problems.push(refusal);
    }
  } catch (e) {
    problems.push({ message: `cannot read YAML: ${(e as Error).message}`, span: { file: file.path, start: 0, end: 0 } });
  }
  return { doc, problems, comments };
}

type NodeKind = 'scalar' | 'sequence' | 'mapping';
const kindOf = (n: unknown): NodeKind => (isMap(n) ? 'mapping' : isSeq(n) ? 'sequence' : 'scalar');

/**
 * The first thing in a well-formed YAML document that compose refuses to load, in its own words
 * (PyYAML's for docker-compose 1.x; go-yaml's for a duplicate key, which only compose v2 refuses).
 * Like PyYAML, an undefined alias stops composing the document; merge and key errors come from
 * constructing it, so they count only when every alias resolves. The earliest of each kind wins.
 */
function composeRefusal(doc: YamlDoc, file: SourceFile): ParseProblem | undefined {
  const composing: ParseProblem[] = [];
  const constructing: ParseProblem[] = [];
  const whole: Span = { file: file.path, start: 0, end: 0 };
  const at = (node: unknown, fallback: Span): Span => {
    const n = node as Node | null | undefined;
    const r = n?.range;
    if (!r) return fallback;
    // Like PyYAML, a node starts at its anchor (`&x [1]`), which the yaml package leaves out of the range.
    const anchor = n.anchor ? file.text.lastIndexOf(`&${n.anchor}`, r[0]) : -1;
    const start = anchor >= 0 && /^[ \t]*(![^ \t\n]*[ \t]*)?$/.test(file.text.slice(anchor + n.anchor!.length + 1, r[0])) ? anchor : r[0];
    return { file: file.path, start, end: r[1] };
  };
  const lineOf = (offset: number): number => {
    let line = 1;
    for (let i = file.text.indexOf('\n'); i >= 0 && i < offset; i = file.text.indexOf('\n', i + 1)) line++;
    return line;
  };
  // Nesting past a few hundred levels is no compose file; the limit keeps hostile input off the stack's end.
  const walk = (node: unknown, depth = 0): void => {
    if (depth > 500) return;
    if (isAlias(node)) {
      if (node.resolve(doc) === undefined) composing.push({ message: `found undefined alias '${node.source}'`, span: at(node, whole) });
      return;
    }
    if (isPair(node)) {
      walk(node.key, depth + 1);
      walk(node.value, depth + 1);
      return;
    }
    if (isSeq(node)) {
      for (const item of node.items) walk(item, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    const map = node;
    {
      // Spans only for what is refused: a long compose file has tens of thousands of keys.
      const keySpan = (key: unknown) => at(key, at(map, whole));
      const seen = new Map<string, unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (isMergeKey(key)) {
          const refused = mergeRefusal(doc, pair.value, keySpan(key), at, lineOf);
          if (refused) constructing.push(refused);
          continue;
        }
        const resolved = isAlias(key) ? key.resolve(doc) : key;
        if (isMap(resolved) || isSeq(resolved)) {
          constructing.push({ message: 'found unhashable key', span: keySpan(key) });
          continue;
        }
        if (!isScalar(resolved)) continue;
        const name = String(resolved.value);
        const first = seen.get(name);
        if (first === undefined) seen.set(name, key);
        else constructing.push({ message: `mapping key "${name}" already defined at line ${lineOf(keySpan(first).start)}`, span: keySpan(key) });
      }
    }
    for (const pair of map.items) {
      walk(pair.key, depth + 1);
      walk(pair.value, depth + 1);
    }
  };
  walk(doc.contents);
  const earliest = (list: ParseProblem[]) => list.sort((a, b) => a.span.start - b.span.start)[0];
  return earliest(composing) ?? earliest(constructing);
}

/** PyYAML's flatten_mapping: a merge takes a mapping, or a sequence of mappings (aliases resolved). */
function mergeRefusal(
  doc: YamlDoc, value: unknown, keySpan: Span, at: (n: unknown, fallback: Span) => Span, lineOf: (offset: number) => number,
): ParseProblem | undefined {
  const target = isAlias(value) ? value.resolve(doc) : value;
  // An undefined alias is reported as such.
  if (isAlias(value) && target === undefined) return undefined;
  if (isMap(target)) return undefined;
  if (!isSeq(target)) return { message: `expected a mapping or list of mappings for merging, but found ${kindOf(target)}`, span: at(value, keySpan) };
  for (const item of target.items) {
    const source = isAlias(item) ? item.resolve(doc) : item;
    if (isMap(source) || (isAlias(item) && source === undefined)) continue;
    // PyYAML points at the offending node, which an anchor may define elsewhere: say where it is merged.
    const span = at(source, at(item, keySpan));
    const elsewhere = lineOf(span.start) !== lineOf(keySpan.start);
    return { message: `expected a mapping for merging, but found ${kindOf(source)}${elsewhere ? ` (merged at line ${lineOf(keySpan.start)})` : ''}`, span };
  }
  return undefined;
}

/** The comment tokens of a parsed token stream (yaml's CST), in source order. */
function commentsOf(file: SourceFile, tokens: readonly unknown[]): Comment[] {
  const comments: Comment[] = [];
  // Walking the whole token tree of a long compose file without a suppression was a fifth of parsing it.
  if (!hasSuppressions(file)) return comments;
  type Tok = { type?: string; offset?: number; source?: string; [field: string]: unknown };
  const walk = (t: unknown, depth: number): void => {
    if (depth > 2000 || t === null || typeof t !== 'object') return;
    if (Array.isArray(t)) {
      for (const x of t) walk(x, depth + 1);
      return;
    }
    const tok = t as Tok;
    if (tok.type === 'comment' && typeof tok.offset === 'number' && typeof tok.source === 'string') {
      comments.push({ text: tok.source.slice(1), span: { file: file.path, start: tok.offset, end: tok.offset + tok.source.length } });
      return;
    }
    // The fields of CST tokens and collection items that hold other tokens.
    for (const field of CST_FIELDS) if (tok[field] !== undefined) walk(tok[field], depth + 1);
  };
  walk(tokens, 0);
  return comments.sort((x, y) => x.span.start - y.span.start);
}
const CST_FIELDS = ['start', 'key', 'sep', 'value', 'end', 'items', 'props'] as const;

export function nodeSpan(file: string, node: Node | null | undefined, fallback?: Span): Span {
  const r = node?.range;
  if (!r) return fallback ?? { file, start: 0, end: 0 };
  return { file, start: r[0], end: r[1] };
}

export function resolveAlias(doc: YamlDoc, node: unknown): Node | null {
  let n = node as Node | null;
  for (let i = 0; i < 20 && n && isAlias(n); i++) n = n.resolve(doc) ?? null;
  return n && isAlias(n) ? null : n;
}

export interface YamlEntry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
  /** The `<<` merge keys this entry came through, innermost first. */
  readonly via: readonly Span[];
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol' || (key as Scalar).source === '<<');
}

/**
 * The entries of a mapping as compose sees them: aliases resolved and `<<` merges applied (own keys win,
 * earlier merge sources win over later ones). A merged value keeps the span where it is written.
 */
export function mapEntries(doc: YamlDoc, file: string, node: unknown, depth = 0): YamlEntry[] {
  const map = resolveAlias(doc, node);
  if (!map || !isMap(map) || depth > 20) return [];
  const own: YamlEntry[] = [];
  const merged: YamlEntry[] = [];
  for (const item of map.items) {
    if (!isPair(item)) continue;
    if (isMergeKey(item.key)) {
      const mergeSpan = nodeSpan(file, item.key as Node);
      const sources = resolveAlias(doc, item.value);
      const list = sources && isSeq(sources) ? sources.items : [item.value];
      for (const src of list) {
        for (const e of mapEntries(doc, file, src, depth + 1)) {
          if (!merged.some((m) => m.key === e.key)) merged.push({ ...e, via: [mergeSpan, ...e.via] });
        }
      }
      continue;
    }
    const keyNode = item.key as Node;
    // A collection as a key is refused (found unhashable key); stringifying it would run toJS, which throws.
    if (!isScalar(keyNode)) continue;
    const key = String(keyNode.value);
    own.push({ key, keyNode, value: resolveAlias(doc, item.value), via: [] });
  }
  const ownKeys = new Set(own.map((e) => e.key));
  return [...own, ...merged.filter((e) => !ownKeys.has(e.key))];
}

export function mapGet(doc: YamlDoc, file: string, node: unknown, key: string): YamlEntry | undefined {
  return mapEntries(doc, file, node).find((e) => e.key === key);
}

export function seqItems(doc: YamlDoc, node: unknown): Node[] {
  const seq = resolveAlias(doc, node);
  if (!seq || !isSeq(seq)) return [];
  return seq.items.map((n) => resolveAlias(doc, n)).filter((n): n is Node => n !== null);
}

/** A scalar's value as compose reads it (YAML 1.2 types turned into strings). */
export function scalarString(node: Node | null | undefined): string | undefined {
  if (!node || !isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return (node as Scalar).source ?? String(v);
  return undefined;
}

/**
 * The decoded scalar mapped back onto its source characters. Plain and quoted scalars map one to one
 * except for escapes; folded and literal blocks are aligned by walking both texts, treating a folded
 * line break as the space it became.
 */
export function scalarText(file: SourceFile, node: Node): MappedText | undefined {
  const value = scalarString(node);
  if (value === undefined || !node.range) return undefined;
  const start = node.range[0];
  const end = node.range[1];
  const whole = { file: file.path, start, end };
  const b = new MappedTextBuilder(file.path, whole);
  const src = file.text;
  const type = (node as Scalar).type;
  let j = start;
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') j++;
  else if (type === 'BLOCK_FOLDED' || type === 'BLOCK_LITERAL') {
    const nl = src.indexOf('\n', start);
    j = nl < 0 ? end : nl + 1;
  }
  // Most scalars are written as they read (no escapes, folds or indentation): map them in one go.
  if (j + value.length <= end && src.startsWith(value, j)) {
    b.pushLiteral(value, j);
    return b.build();
  }
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const ws = ch === ' ' || ch === '\n' || ch === '\t';
    let k = j;
    const limit = Math.min(end, j + 200);
    if (ws) {
      while (k < limit && !/[ \n\t\r]/.test(src[k]!)) k++;
    } else {
      while (k < limit && src[k] !== ch) k++;
    }
    if (k < limit) {
      b.pushChar(ch, k, k + 1);
      j = k + 1;
      if (ws) {
        // A folded break or indentation run is one character of the value.
        while (j < end && /[ \t\r]/.test(src[j]!) && value[i + 1] !== src[j]) j++;
      }
    } else {
      b.pushChar(ch, Math.min(j, end), Math.min(j + 1, end));
    }
  }
  return b.build();
}

export { isMap, isScalar, isSeq };
