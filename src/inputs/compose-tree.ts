import { isMap as yamlIsMap, isScalar as yamlIsScalar, isSeq as yamlIsSeq, type Node } from 'yaml';
import { setOwn } from '../core/own.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { interpolate, type VariableSource } from '../parsers/interpolate.js';
import { sliceMapped, type MappedText } from '../parsers/mapped-text.js';
import { mapEntries, nodeSpan, scalarText, seqItems, type YamlDoc } from '../parsers/yaml.js';

/**
 * A compose file as a positioned tree, format-neutral enough to be merged with other files.
 *
 * Compose interpolates each file with the project's variables, then merges the files of a project
 * (override files, `extends:`, `include:`). Merging YAML nodes of different documents is not possible
 * with the `yaml` package, so each file is turned into this tree first: every node keeps the file and
 * span it was written at, and the folder its relative paths are resolved against (`dir`), so a merged
 * value still points at the line of the file it came from.
 */
export type ComposeNode = ComposeScalar | ComposeMap | ComposeSeq;

interface NodeBase {
  readonly span: Span;
  /** `!reset` or `!override` (compose spec merge rules); other tags are kept as written. */
  readonly tag?: string;
  /** Root-relative folder that relative paths written in this node are relative to. */
  readonly dir: string;
}

export interface ComposeScalar extends NodeBase {
  readonly kind: 'scalar';
  /** The interpolated value mapped back onto the source characters; undefined for a YAML null. */
  readonly text?: MappedText;
}

export interface ComposeEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: ComposeNode;
  /** The `<<` merge keys (and `extends:`) this entry came through, innermost first. */
  readonly via: readonly Span[];
}

export interface ComposeMap extends NodeBase {
  readonly kind: 'map';
  readonly entries: readonly ComposeEntry[];
}

export interface ComposeSeq extends NodeBase {
  readonly kind: 'seq';
  readonly items: readonly ComposeNode[];
}

// Bound once: the bundle reaches a CommonJS package's exports through a getter on every access, and
// these run for every node of every compose file.
const isMap = yamlIsMap;
const isScalar = yamlIsScalar;
const isSeq = yamlIsSeq;

/** Bounds the work of expanding aliases, so an alias bomb cannot hang the run. */
const NODE_BUDGET = 200_000;

/**
 * Trees already made from a document: discovery converts every compose file (with no variables) to
 * see whether it stands alone, and loading its project converts it again. A tree whose conversion
 * never looked a variable up (no `$` in any scalar) is the same whatever the variables, so it is
 * shared; otherwise only a conversion with the very same variables is. Trees are never mutated.
 */
const converted = new WeakMap<YamlDoc, { file: SourceFile; dir: string; vars: VariableSource | undefined; tree: ComposeNode | undefined }[]>();

/** Turns a parsed compose document into a positioned tree, interpolating every scalar with `vars`. */
export function composeTree(file: SourceFile, doc: YamlDoc, dir: string, vars: VariableSource): ComposeNode | undefined {
  let done = converted.get(doc);
  const hit = done?.find((c) => c.file === file && c.dir === dir && (c.vars === undefined || c.vars === vars));
  if (hit) return hit.tree;
  let looked = false;
  const watched: VariableSource = {
    lookup: (name) => {
      looked = true;
      return vars.lookup(name);
    },
  };
  const tree = convertTree(file, doc, dir, watched);
  if (!done) converted.set(doc, (done = []));
  done.push({ file, dir, vars: looked ? vars : undefined, tree });
  return tree;
}

function convertTree(file: SourceFile, doc: YamlDoc, dir: string, vars: VariableSource): ComposeNode | undefined {
  let budget = NODE_BUDGET;
  // Nodes are written as literals of one shape per kind (key order as before: kind, content, span,
  // dir, tag), not spread from a shared base: a large file has hundreds of thousands of them.
  const convert = (node: Node | null, depth: number): ComposeNode => {
    const span: Span = node?.range ? nodeSpan(file.path, node) : { file: file.path, start: 0, end: 0 };
    const tag = node && typeof node.tag === 'string' && (node.tag === '!reset' || node.tag === '!override') ? node.tag : undefined;
    if (!node || depth > 40 || --budget < 0) return tag ? { kind: 'scalar', span, dir, tag } : { kind: 'scalar', span, dir };
    if (isMap(node)) {
      const found = mapEntries(doc, file.path, node);
      const entries: ComposeEntry[] = new Array(found.length);
      for (let i = 0; i < found.length; i++) {
        const e = found[i]!;
        entries[i] = { key: e.key, keySpan: nodeSpan(file.path, e.keyNode), value: convert(e.value, depth + 1), via: e.via };
      }
      return tag ? { kind: 'map', entries, span, dir, tag } : { kind: 'map', entries, span, dir };
    }
    if (isSeq(node)) {
      const items = seqItems(doc, node).map((n) => convert(n, depth + 1));
      return tag ? { kind: 'seq', items, span, dir, tag } : { kind: 'seq', items, span, dir };
    }
    if (isScalar(node) && node.value !== null && node.value !== undefined) {
      const t = scalarText(file, node);
      if (t) {
        const text = interpolate(t, vars);
        return tag ? { kind: 'scalar', text, span, dir, tag } : { kind: 'scalar', text, span, dir };
      }
    }
    return tag ? { kind: 'scalar', span, dir, tag } : { kind: 'scalar', span, dir };
  };
  if (!doc.contents) return undefined;
  return convert(doc.contents as Node, 0);
}

export function entryOf(node: ComposeNode | undefined, key: string): ComposeEntry | undefined {
  return node?.kind === 'map' ? node.entries.find((e) => e.key === key) : undefined;
}

export function valueOf(node: ComposeNode | undefined, key: string): ComposeNode | undefined {
  return entryOf(node, key)?.value;
}

/** The interpolated text of a scalar node. */
export function textOf(node: ComposeNode | undefined): string | undefined {
  return node?.kind === 'scalar' ? node.text?.text : undefined;
}

export function isNull(node: ComposeNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.text === undefined);
}

/** Plain data of a node, for equality comparisons and the oracle test. */
export function plainOf(node: ComposeNode | undefined, depth = 0): unknown {
  if (!node || depth > 40) return null;
  if (node.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const e of node.entries) setOwn(out, e.key, plainOf(e.value, depth + 1));
    return out;
  }
  if (node.kind === 'seq') return node.items.map((n) => plainOf(n, depth + 1));
  return node.text ? node.text.text : null;
}

/** The part `[from, to)` of a mapped text, keeping each character's source and the substitutions in it. */
export function sliceText(m: MappedText, from: number, to: number): MappedText {
  return sliceMapped(m, from, to);
}
