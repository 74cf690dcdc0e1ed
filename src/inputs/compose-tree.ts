import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { setOwn } from '../core/own.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { interpolate, type VariableSource } from '../parsers/interpolate.js';
import type { MappedText } from '../parsers/mapped-text.js';
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

/** Bounds the work of expanding aliases, so an alias bomb cannot hang the run. */
const NODE_BUDGET = 200_000;

/** Turns a parsed compose document into a positioned tree, interpolating every scalar with `vars`. */
export function composeTree(file: SourceFile, doc: YamlDoc, dir: string, vars: VariableSource): ComposeNode | undefined {
  let budget = NODE_BUDGET;
  const convert = (node: Node | null, depth: number): ComposeNode => {
    const span = nodeSpan(file.path, node, { file: file.path, start: 0, end: 0 });
    const tag = node && typeof node.tag === 'string' && (node.tag === '!reset' || node.tag === '!override') ? node.tag : undefined;
    const base = tag ? { span, dir, tag } : { span, dir };
    if (!node || depth > 40 || --budget < 0) return { kind: 'scalar', ...base };
    if (isMap(node)) {
      const entries: ComposeEntry[] = mapEntries(doc, file.path, node).map((e) => {
        const keySpan = nodeSpan(file.path, e.keyNode);
        return { key: e.key, keySpan, value: convert(e.value, depth + 1), via: e.via };
      });
      return { kind: 'map', entries, ...base };
    }
    if (isSeq(node)) return { kind: 'seq', items: seqItems(doc, node).map((n) => convert(n, depth + 1)), ...base };
    if (isScalar(node) && node.value !== null && node.value !== undefined) {
      const t = scalarText(file, node);
      if (t) return { kind: 'scalar', text: interpolate(t, vars), ...base };
    }
    return { kind: 'scalar', ...base };
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
  const substitutions = m.substitutions.flatMap((s) => {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    const touches = s.start === s.end ? s.start >= from && s.start <= to : a < b;
    return touches ? [{ ...s, start: Math.max(a, from) - from, end: Math.max(b, a) - from }] : [];
  });
  const srcStart = m.srcStart.slice(from, to);
  const srcEnd = m.srcEnd.slice(from, to);
  const whole = from < to ? { file: m.file, start: srcStart[0]!, end: srcEnd[srcEnd.length - 1]! } : m.whole;
  return { file: m.file, text: m.text.slice(from, to), srcStart, srcEnd, substitutions, whole };
}
