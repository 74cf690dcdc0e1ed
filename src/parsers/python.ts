import { parser } from '@lezer/python';
import type { SyntaxNode, Tree } from '@lezer/common';
import type { Comment, ParseProblem, ParseResult } from '../core/problem.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { cachedParse } from './python-tree-cache.js';

/** A parsed Python file. The tree is lezer's concrete syntax tree; positions are offsets into `file.text`. */
export interface PythonModule {
  readonly file: SourceFile;
  readonly tree: Tree;
}

/** More syntax errors than this in one file add nothing a reader can act on. */
const MAX_SYNTAX_PROBLEMS = 20;

/**
 * Parses with lezer's Python grammar, which recovers from errors: every `⚠` node becomes a problem at
 * its position and the rest of the tree is still usable.
 */
export function parsePython(file: SourceFile): ParseResult<PythonModule> {
  const tree = cachedParse(file.text, parser.nodeSet, parser.topNode.id, (text) => parser.parse(text));
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  const seenErrorAt = new Set<number>();
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        if (seenErrorAt.has(node.from) || problems.length >= MAX_SYNTAX_PROBLEMS) return false;
        seenErrorAt.add(node.from);
        problems.push({ message: syntaxErrorMessage(file.text, node.from, node.to), span: spanOf(file, node.from, Math.max(node.to, node.from + 1)) });
        return false;
      }
      if (node.name === 'Comment') {
        comments.push({ text: file.text.slice(node.from + 1, node.to), span: spanOf(file, node.from, node.to) });
      }
      return undefined;
    },
  });
  return { doc: { file, tree }, problems, comments };
}

function syntaxErrorMessage(text: string, from: number, to: number): string {
  if (from >= text.length) return 'invalid Python syntax: unexpected end of file (an unclosed bracket or string?)';
  const found = (to > from ? text.slice(from, to) : text.slice(from, from + 1)).split('\n')[0]!.slice(0, 30);
  return found.trim() === '' ? 'invalid Python syntax' : `invalid Python syntax at "${found}"`;
}

export function spanOf(file: SourceFile, from: number, to: number): Span {
  const end = Math.min(to, file.text.length);
  return { file: file.path, start: Math.min(from, end), end };
}

export function nodeSpan(file: SourceFile, node: SyntaxNode): Span {
  return spanOf(file, node.from, node.to);
}

/** The children of a node, without comments (lezer keeps skipped tokens in the tree). */
export function childNodes(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.name !== 'Comment') out.push(c);
  }
  return out;
}

/** A decoded string literal, or why it cannot be decoded statically. */
export type StringLiteral =
  | { readonly ok: true; readonly value: string; readonly bytes: boolean }
  | { readonly ok: false; readonly reason: string };

export interface StringDelimiters {
  readonly prefix: string;
  /** Offsets (relative to the literal's start) of the body between the quotes. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly terminated: boolean;
}

export function stringDelimiters(raw: string): StringDelimiters {
  const prefix = /^[A-Za-z]*/.exec(raw)![0];
  const rest = raw.slice(prefix.length);
  const quote = rest.startsWith('"""') || rest.startsWith("'''") ? rest.slice(0, 3) : rest.slice(0, 1);
  const bodyStart = prefix.length + quote.length;
  const terminated = quote.length > 0 && raw.length >= bodyStart + quote.length && raw.endsWith(quote);
  return { prefix, bodyStart, bodyEnd: terminated ? raw.length - quote.length : raw.length, terminated };
}

/** Decodes a (non-f) string literal, prefix and quotes included, following Python's escape rules. */
export function decodeStringLiteral(raw: string): StringLiteral {
  const d = stringDelimiters(raw);
  if (!d.terminated) return { ok: false, reason: 'unterminated string literal' };
  const prefix = d.prefix.toLowerCase();
  const bytes = prefix.includes('b');
  const body = raw.slice(d.bodyStart, d.bodyEnd);
  if (prefix.includes('r')) return { ok: true, value: body, bytes };
  const decoded = decodeEscapes(body);
  return decoded.ok ? { ok: true, value: decoded.value, bytes } : decoded;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '',
};

/** Python's backslash escapes; unknown escapes stay as written, like Python does. */
export function decodeEscapes(body: string): { ok: true; value: string } | { ok: false; reason: string } {
  if (!body.includes('\\')) return { ok: true, value: body };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
    } else if (next === '\r' && body[i + 2] === '\n') {
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(oct, 8));
      i += oct.length;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) return { ok: false, reason: `invalid \\${next} escape` };
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return { ok: false, reason: `invalid \\${next} escape` };
      out += String.fromCodePoint(code);
      i += 1 + len;
    } else if (next === 'N') {
      return { ok: false, reason: 'named unicode escapes (\\N{...}) are not decoded' };
    } else {
      out += ch;
    }
  }
  return { ok: true, value: out };
}

/** A Python number literal: ints exact up to 2^53, floats as doubles; complex literals are not modelled. */
export type NumberLiteral =
  | { readonly ok: true; readonly value: number; readonly float: boolean }
  | { readonly ok: false; readonly reason: string };

export function parseNumberLiteral(raw: string): NumberLiteral {
  const text = raw.replace(/_/g, '');
  if (/[jJ]$/.test(text)) return { ok: false, reason: `complex number ${raw} is not modelled` };
  let big: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^0[oO][0-7]+$/.test(text) || /^0[bB][01]+$/.test(text)) {
    big = BigInt(text.toLowerCase());
  } else if (/^[0-9]+$/.test(text)) {
    big = BigInt(text);
  }
  if (big !== undefined) {
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `integer ${raw} is too large to represent exactly` };
    return { ok: true, value: Number(big), float: false };
  }
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return { ok: true, value: Number(text), float: true };
  return { ok: false, reason: `unrecognised number literal ${raw}` };
}
