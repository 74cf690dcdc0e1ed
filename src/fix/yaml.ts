import YAML, { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { insertAt, textEdit, type TextEdit } from '../core/fix.js';
import type { SourceFile } from '../core/source.js';
import { eolOf, lineContentEnd, lineStart, nextLineStart } from './text.js';

/**
 * Edits of YAML files as text, positioned by the `yaml` package's source ranges: a new entry is a copy
 * of a neighbour's lines (its indentation, quoting, comments, anchors and merge keys as written), so
 * nothing else in the file is re-serialized.
 */
export function parseForEdit(file: SourceFile): Document.Parsed | undefined {
  try {
    const doc = YAML.parseDocument(file.text, { merge: true, keepSourceTokens: false });
    return doc.errors.length ? undefined : doc;
  } catch {
    return undefined;
  }
}

export function servicesMap(doc: Document.Parsed): YAMLMap | undefined {
  const s = doc.get('services', true);
  return isMap(s) ? s : undefined;
}

export function servicePair(doc: Document.Parsed, name: string): Pair<Scalar, Node> | undefined {
  const services = servicesMap(doc);
  return services?.items.find((p) => isScalar(p.key) && String(p.key.value) === name) as Pair<Scalar, Node> | undefined;
}

export function pairKey(p: Pair): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

/** The lines of a block-map entry: from its key's line to the end of its value's last line. */
export function entryLines(text: string, pair: Pair): { start: number; end: number } | undefined {
  const key = pair.key as Node | null;
  const value = pair.value as Node | null;
  if (!key?.range) return undefined;
  const start = lineStart(text, key.range[0]);
  const last = value?.range ? value.range[1] : key.range[1];
  // A block value's range ends after its last line break; a scalar's at its last character.
  const end = last > 0 && text[last - 1] === '\n' ? last : nextLineStart(text, Math.max(last - 1, key.range[1]));
  return { start, end };
}

/** Replaces `from` with `to` where it stands as a whole word (not inside `web-10` when renaming `web-1`). */
export function renameWord(text: string, from: string, to: string): string {
  const esc = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9_.-])${esc}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, 'g'), to);
}

function itemName(n: unknown): string | undefined {
  return isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number') ? String(n.value) : undefined;
}

/**
 * Adds `names` to a list or map of service names (depends_on, links, ...) right after the entry naming
 * `after`: in a block list a copy of that entry's line, in a flow list `, name` quoted alike, in a block
 * map (`depends_on: {web-1: {condition: ...}}` written as a block) a copy of the entry's lines.
 */
export function addNamesAfter(file: SourceFile, list: Node, after: string, names: readonly string[]): TextEdit | undefined {
  const text = file.text;
  if (names.length === 0) return undefined;
  if (isSeq(list)) {
    const item = (list as YAMLSeq).items.find((i) => itemName(i) === after) as Scalar | undefined;
    if (!item?.range) return undefined;
    if (list.flow) {
      const raw = text.slice(item.range[0], item.range[1]);
      return insertAt(file.path, item.range[1], names.map((n) => `, ${renameWord(raw, after, n)}`).join(''));
    }
    const start = lineStart(text, item.range[0]);
    const end = lineContentEnd(text, item.range[1]);
    const line = text.slice(start, end);
    if (!/^[ \t]*-[ \t]/.test(line) || renameWord(line, after, after + '\0') === line) return undefined;
    return insertLines(file, nextLineStart(text, item.range[1]), names.map((n) => renameWord(line, after, n)));
  }
  if (isMap(list) && !list.flow) {
    const pair = (list as YAMLMap).items.find((p) => pairKey(p) === after);
    const lines = pair && entryLines(text, pair);
    if (!lines) return undefined;
    const block = text.slice(lines.start, lines.end);
    return insertAt(file.path, lines.end, names.map((n) => renameWord(block, after, n)).join(''));
  }
  return undefined;
}

function insertLines(file: SourceFile, at: number, lines: readonly string[]): TextEdit {
  const eol = eolOf(file.text);
  const body = lines.map((l) => `${l}${eol}`).join('');
  const needsBreak = at === file.text.length && !file.text.endsWith('\n');
  return insertAt(file.path, at, needsBreak ? eol + body.slice(0, -eol.length) : body);
}

/** Removes the entry naming `name` from a block or flow list, or a block map, of service names. */
export function removeName(file: SourceFile, list: Node, name: string): TextEdit | undefined {
  const text = file.text;
  if (isSeq(list)) {
    const items = (list as YAMLSeq).items;
    const k = items.findIndex((i) => itemName(i) === name);
    const item = items[k] as Scalar | undefined;
    if (!item?.range) return undefined;
    if (list.flow) {
      const prev = items[k - 1] as Scalar | undefined;
      const next = items[k + 1] as Scalar | undefined;
      if (prev?.range) return textEdit({ file: file.path, start: prev.range[1], end: item.range[1] }, '');
      if (next?.range) return textEdit({ file: file.path, start: item.range[0], end: next.range[0] }, '');
      return textEdit({ file: file.path, start: item.range[0], end: item.range[1] }, '');
    }
    return textEdit({ file: file.path, start: lineStart(text, item.range[0]), end: nextLineStart(text, item.range[1]) }, '');
  }
  if (isMap(list) && !list.flow) {
    const pair = (list as YAMLMap).items.find((p) => pairKey(p) === name);
    const lines = pair && entryLines(text, pair);
    return lines ? textEdit({ file: file.path, ...lines }, '') : undefined;
  }
  return undefined;
}

/** The names a list or map of service names holds, in order. */
export function namesIn(list: Node): string[] {
  if (isSeq(list)) return (list as YAMLSeq).items.flatMap((i) => (itemName(i) !== undefined ? [itemName(i)!] : []));
  if (isMap(list)) return (list as YAMLMap).items.flatMap((p) => (pairKey(p) !== undefined ? [pairKey(p)!] : []));
  return [];
}

/** A service's `depends_on` node. */
export function dependsOnNode(doc: Document.Parsed, service: string): Node | undefined {
  const svc = servicePair(doc, service)?.value;
  if (!isMap(svc)) return undefined;
  const pair = svc.items.find((p) => pairKey(p) === 'depends_on');
  const v = pair?.value as Node | undefined;
  return v && (isSeq(v) || isMap(v)) ? v : undefined;
}

export { isMap, isPair, isScalar, isSeq };

/**
 * Appends words to a compose `command:` written as one plain or quoted string on one line (a list-form
 * command, a folded scalar or one holding `${VAR}` is not edited).
 */
export function appendToCommand(file: SourceFile, commandSpan: { start: number; end: number }, words: string): TextEdit | undefined {
  const command = file.text.slice(commandSpan.start, commandSpan.end);
  if (/[\n$"'[\]]/.test(command) || command.trim() === '') return undefined;
  return insertAt(file.path, commandSpan.end, ` ${words}`);
}

/** Adds `key: value` to a service, on its own line after the entry `after`, indented like that entry. */
export function addServiceKeyAfter(file: SourceFile, service: string, after: string, line: string): TextEdit | undefined {
  const doc = parseForEdit(file);
  const svc = doc && servicePair(doc, service)?.value;
  if (!isMap(svc) || svc.flow) return undefined;
  const pair = svc.items.find((p) => pairKey(p) === after);
  const lines = pair && entryLines(file.text, pair);
  if (!lines) return undefined;
  const indent = /^[ \t]*/.exec(file.text.slice(lines.start))![0];
  return insertLines(file, lines.end, [`${indent}${line}`]);
}
