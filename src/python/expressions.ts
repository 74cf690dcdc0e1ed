import type { SyntaxNode } from '@lezer/common';
import type { SourceFile } from '../core/source.js';
import { unknown, type Span, type Value } from '../core/value.js';
import { childNodes, decodeEscapes, decodeStringLiteral, parseNumberLiteral, spanOf, stringDelimiters } from '../parsers/python.js';
import { floatFromString, intFromString, pySplit, pyStripChars, type Converted } from './convert.js';
import { braceFormat, MAX_STRING_LENGTH, percentFormat, type FormatResult } from './format.js';
import {
  box,
  describeObject,
  isContainer,
  pyEquals,
  PyRaise,
  pyText,
  scalar,
  truthy,
  type DictObject,
  type Ev,
  type Scalar,
  type SequenceObject,
} from './objects.js';
import type { CallArgs, LibraryHost, LibrarySet } from './libs/index.js';

/** What an expression can reach outside itself: the module's names and the process environment. */
export interface ExprContext {
  readonly file: SourceFile;
  /** A module-level name; undefined when not bound. */
  lookup(name: string, span: Span): Ev | undefined;
  envGet(name: string): Value<string> | undefined;
  /** null deletes. */
  envSet(name: string, value: Value<string> | null): void;
  envForgetAll(reason: string): void;
  /** Records a read of a variable the environment does not set (its default is used, or the read raises). */
  envUnset?(name: string, span: Span): void;
  /** A .env file may be loaded: from the module's directory, the nearest one upwards, or a path we cannot know. */
  dotenvLoaded(span: Span, search: 'module-dir' | 'parents' | 'unknown'): void;
  /** settings.ini / .env files python-decouple would read for this module. */
  decoupleFiles(): string[];
  forgetNamespace(reason: string, span: Span): void;
  /** The libraries this evaluation models (src/python/libs). */
  readonly libraries: LibrarySet;
  where(span: Span): string;
  /** False once the evaluation budget is spent. */
  step(): boolean;
}

const MAX_EXPRESSION_DEPTH = 200;
const MAX_ITEMS = 100_000;

const BUILTIN_FUNCTIONS = new Set(['int', 'str', 'bool', 'float', 'len', 'list', 'tuple', 'set', 'dict', 'globals', 'locals', 'vars']);
const COMPARISON_OPS = new Set(['<', '>', '==', '!=', '<=', '>=', 'in', 'not in', 'is', 'is not', '<>']);

/** Methods that only read; any other method called on a container may change it. */
const PURE_METHODS = new Set(['get', 'copy', 'keys', 'values', 'items', 'index', 'count', 'lower', 'upper', 'strip', 'lstrip', 'rstrip', 'split', 'replace', 'startswith', 'endswith', 'format', 'join']);


type BoolTree = { op: 'and' | 'or'; left: BoolTree; right: BoolTree } | { op: 'not'; operand: BoolTree; from: number } | { op: 'leaf'; node: SyntaxNode };

export class ExpressionEvaluator {
  private depth = 0;
  private readonly host: LibraryHost;

  constructor(private readonly ctx: ExprContext) {
    this.host = {
      env: (name, span) => this.fromEnv(name, span),
      envSet: (name, value) => ctx.envSet(name, value),
      envForgetAll: (reason) => ctx.envForgetAll(reason),
      dotenvLoaded: (span, search) => ctx.dotenvLoaded(span, search),
      decoupleFiles: () => ctx.decoupleFiles(),
      where: (span) => ctx.where(span),
      builtin: (name, value, span) => this.callBuiltin(name, { positional: [value], keywords: new Map(), spread: false }, span, name),
    };
  }

  eval(node: SyntaxNode): Ev {
    const span = this.span(node);
    if (!this.ctx.step()) return unknown('the evaluation budget ran out', span);
    if (this.depth >= MAX_EXPRESSION_DEPTH) return unknown('expression nested too deeply to evaluate', span);
    this.depth++;
    try {
      return this.evalInner(node, span);
    } finally {
      this.depth--;
    }
  }

  private span(node: SyntaxNode): Span {
    return spanOf(this.ctx.file, node.from, node.to);
  }

  private text(node: SyntaxNode, max = 60): string {
    const t = this.ctx.file.text.slice(node.from, node.to).replace(/\s+/g, ' ').trim();
    return t.length > max ? `${t.slice(0, max - 3)}...` : t;
  }

  private evalInner(node: SyntaxNode, span: Span): Ev {
    switch (node.name) {
      case 'Number': {
        const n = parseNumberLiteral(this.text(node, 1000));
        return n.ok ? scalar(n.value, span, { float: n.float }) : unknown(n.reason, span);
      }
      case 'String':
      case 'FormatString':
      case 'ContinuedString':
        return this.evalString(node, span);
      case 'Boolean':
        return scalar(this.text(node) === 'True', span);
      case 'None':
        return scalar(null, span);
      case 'VariableName':
        return this.lookupName(this.text(node), span);
      case 'ParenthesizedExpression': {
        const inner = childNodes(node).filter((c) => c.name !== '(' && c.name !== ')');
        return inner.length === 1 ? this.eval(inner[0]!) : unknown(`${this.text(node)} is not evaluated`, span);
      }
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'SetExpression':
        return this.evalSequence(node, span);
      case 'DictionaryExpression':
        return this.evalDict(node, span);
      case 'MemberExpression':
        return this.evalMember(node, span);
      case 'CallExpression':
        return this.evalCall(node, span);
      case 'UnaryExpression':
        return this.evalUnary(node, span);
      case 'BinaryExpression':
        return this.evalBinary(node, span);
      case 'ConditionalExpression':
        return this.evalConditional(node, span);
      default:
        if (node.type.isError) return unknown('the code here has a syntax error', span);
        return unknown(`${node.name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} is not evaluated`, span);
    }
  }

  private lookupName(name: string, span: Span): Ev {
    const bound = this.ctx.lookup(name, span);
    if (bound) return bound;
    if (BUILTIN_FUNCTIONS.has(name)) return box({ type: 'builtin', name }, span);
    return unknown(`${name} is not defined at this point`, span);
  }

  // ---- strings ------------------------------------------------------------------------------

  private evalString(node: SyntaxNode, span: Span): Ev {
    const parts = node.name === 'ContinuedString' ? childNodes(node) : [node];
    let out = '';
    let bytes: boolean | undefined;
    for (const part of parts) {
      const piece = part.name === 'FormatString' ? this.formatString(part) : this.plainString(part);
      if (!piece.ok) return unknown(piece.reason, span);
      if (bytes !== undefined && bytes !== piece.bytes) return unknown('cannot mix bytes and str literals', span);
      bytes = piece.bytes;
      out += piece.value;
    }
    if (bytes) return unknown('bytes values are not modelled', span);
    return scalar(out, span);
  }

  private plainString(node: SyntaxNode): { ok: true; value: string; bytes: boolean } | { ok: false; reason: string } {
    if (node.name !== 'String') return { ok: false, reason: `${node.name} in a string is not evaluated` };
    return decodeStringLiteral(this.ctx.file.text.slice(node.from, node.to));
  }

  /** f-strings: literal text (escapes, `{{`) plus each replacement's str(), repr() with `!r`. */
  private formatString(node: SyntaxNode): { ok: true; value: string; bytes: boolean } | { ok: false; reason: string } {
    const raw = this.ctx.file.text.slice(node.from, node.to);
    const d = stringDelimiters(raw);
    if (!d.terminated) return { ok: false, reason: 'unterminated string literal' };
    const isRaw = d.prefix.toLowerCase().includes('r');
    const bodyStart = node.from + d.bodyStart;
    const bodyEnd = node.from + d.bodyEnd;
    let out = '';
    let at = bodyStart;
    const literal = (from: number, to: number): string | undefined => {
      const text = this.ctx.file.text.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      if (isRaw) return text;
      const decoded = decodeEscapes(text);
      return decoded.ok ? decoded.value : undefined;
    };
    for (const repl of childNodes(node).filter((c) => c.name === 'FormatReplacement')) {
      const lit = literal(at, repl.from);
      if (lit === undefined) return { ok: false, reason: 'invalid escape in f-string' };
      out += lit;
      const piece = this.replacement(repl);
      if (!piece.ok) return piece;
      out += piece.value;
      if (out.length > MAX_STRING_LENGTH) return { ok: false, reason: 'the string is too long to build' };
      at = repl.to;
    }
    const tail = literal(at, bodyEnd);
    if (tail === undefined) return { ok: false, reason: 'invalid escape in f-string' };
    return { ok: true, value: out + tail, bytes: false };
  }

  private replacement(repl: SyntaxNode): FormatResult {
    const kids = childNodes(repl);
    const exprNode = kids.find((k) => k.name !== '{' && k.name !== '}' && k.name !== 'FormatConversion' && k.name !== 'FormatSpec');
    if (!exprNode) return { ok: false, reason: 'empty f-string replacement' };
    const after = kids[kids.indexOf(exprNode) + 1];
    if (after && this.ctx.file.text.slice(exprNode.to, after.from).includes('=')) return { ok: false, reason: 'self-documenting f-string fields ({x=}) are not evaluated' };
    const spec = kids.find((k) => k.name === 'FormatSpec');
    if (spec && this.text(spec) !== ':') return { ok: false, reason: `the format spec ${this.text(spec)} is not evaluated` };
    const conversion = kids.find((k) => k.name === 'FormatConversion');
    const convText = conversion ? this.text(conversion) : '!s';
    if (convText === '!a') return { ok: false, reason: 'the !a conversion is not evaluated' };
    const value = this.eval(exprNode);
    return pyText(value, convText === '!r');
  }

  // ---- displays -----------------------------------------------------------------------------

  private evalSequence(node: SyntaxNode, span: Span): Ev {
    const type = node.name === 'TupleExpression' ? 'tuple' : node.name === 'SetExpression' ? 'set' : 'list';
    const items: Ev[] = [];
    const kids = childNodes(node).filter((c) => !['(', ')', '[', ']', '{', '}', ','].includes(c.name));
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === '*' && kids[i + 1]) {
        const spread = this.eval(kids[++i]!);
        if (!pushIterable(items, spread)) return unknown(`the items of ${this.text(kids[i]!)} cannot be known`, span);
      } else if (k.name === 'for' || k.name === 'async') {
        return unknown('comprehensions are not evaluated', span);
      } else {
        items.push(this.eval(k));
      }
      if (items.length > MAX_ITEMS) return unknown('too many items to evaluate', span);
    }
    return box({ type, items: type === 'set' ? dedupe(items) : items }, span);
  }

  private evalDict(node: SyntaxNode, span: Span): Ev {
    const dict: DictObject = { type: 'dict', entries: [] };
    const kids = childNodes(node).filter((c) => !['{', '}', ','].includes(c.name));
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === '**' && kids[i + 1]) {
        const spread = this.eval(kids[++i]!);
        mergeInto(dict, spread);
      } else if (kids[i + 1]?.name === ':' && kids[i + 2]) {
        const key = this.eval(k);
        const value = this.eval(kids[i + 2]!);
        if (key.kind === 'box' && key.obj.type !== 'tuple' && isContainer(key.obj)) throw new PyRaise('TypeError', `unhashable type: '${key.obj.type}'`, key.span);
        dictSet(dict, key, value);
        i += 2;
      } else {
        return unknown(`${this.text(k)} in a dict display is not evaluated`, span);
      }
      if (dict.entries.length > MAX_ITEMS) return unknown('too many items to evaluate', span);
    }
    return box(dict, span);
  }

  // ---- attribute access and subscripts -----------------------------------------------------

  private evalMember(node: SyntaxNode, span: Span): Ev {
    const kids = childNodes(node);
    const objectNode = kids[0];
    if (!objectNode) return unknown('incomplete expression', span);
    const object = this.eval(objectNode);
    if (kids[1]?.name === '.') {
      const name = kids[2] ? this.text(kids[2]) : '';
      return getAttribute(object, name, span, this.ctx.libraries);
    }
    const inner = kids.slice(2, -1);
    if (inner.some((k) => k.name === ':')) return this.slice(object, inner, span);
    if (inner.length !== 1) return unknown(`the subscript ${this.text(node)} is not evaluated`, span);
    return this.getItem(object, this.eval(inner[0]!), span);
  }

  private getItem(object: Ev, key: Ev, span: Span): Ev {
    if (object.kind === 'unknown') return unknown(object.reason, span);
    if (key.kind === 'unknown') return unknown(key.reason, span);
    if (object.kind === 'known') {
      if (typeof object.value !== 'string') throw new PyRaise('TypeError', 'object is not subscriptable', span);
      const chars = [...object.value];
      const index = indexOf(key, chars.length);
      if (index === undefined) return unknown('index is not an integer', span);
      if (index < 0 || index >= chars.length) throw new PyRaise('IndexError', 'string index out of range', span);
      return scalar(chars[index]!, span, viaOf(object));
    }
    const obj = object.obj;
    if (obj.type === 'environ') {
      if (key.kind !== 'known' || typeof key.value !== 'string') return unknown('os.environ key is not a string', span);
      const v = this.fromEnv(key.value, span);
      if (v === undefined) throw new PyRaise('KeyError', `${key.value} is not set`, span);
      return v;
    }
    if (!isContainer(obj)) return unknown(`subscript of ${describeObject(obj)} is not evaluated`, span);
    if (obj.unknownContent) return unknown(obj.unknownContent, span);
    if (obj.type === 'dict') {
      let found: Ev | undefined;
      let hidden: Ev | undefined;
      for (const e of obj.entries) {
        if (e.key.kind === 'unknown') hidden = e.key;
        else if (pyEquals(e.key, key) === true) {
          found = e.value;
          hidden = undefined;
        }
      }
      if (hidden && hidden.kind === 'unknown') return unknown(`the key may have been set through a key that cannot be known: ${hidden.reason}`, span);
      if (!found) throw new PyRaise('KeyError', describeKey(key), span);
      return found;
    }
    if (obj.type === 'set') throw new PyRaise('TypeError', "'set' object is not subscriptable", span);
    const index = indexOf(key, obj.items.length);
    if (index === undefined) return unknown('index is not an integer', span);
    if (index < 0 || index >= obj.items.length) throw new PyRaise('IndexError', `${obj.type} index out of range`, span);
    return obj.items[index]!;
  }

  private slice(object: Ev, inner: SyntaxNode[], span: Span): Ev {
    const bounds: Array<number | null> = [];
    let current: SyntaxNode | undefined;
    for (const k of [...inner, undefined]) {
      if (k === undefined || k.name === ':') {
        if (current === undefined) bounds.push(null);
        else {
          const v = this.eval(current);
          if (v.kind !== 'known' || (v.value !== null && typeof v.value !== 'number' && typeof v.value !== 'boolean')) return unknown('slice bounds cannot be known', span);
          bounds.push(v.value === null ? null : Number(v.value));
        }
        current = undefined;
      } else current = k;
    }
    if (object.kind === 'unknown') return unknown(object.reason, span);
    const [start = null, stop = null, step = null] = bounds;
    if (object.kind === 'known' && typeof object.value === 'string') {
      const chars = [...object.value];
      const picked = pySlice(chars.length, start, stop, step);
      if (!picked) return unknown('slice step of zero', span);
      return scalar(picked.map((i) => chars[i]).join(''), span, viaOf(object));
    }
    if (object.kind === 'box' && (object.obj.type === 'list' || object.obj.type === 'tuple') && !object.obj.unknownContent) {
      const items = object.obj.items;
      const picked = pySlice(items.length, start, stop, step);
      if (!picked) return unknown('slice step of zero', span);
      return box({ type: object.obj.type, items: picked.map((i) => items[i]!) }, span);
    }
    return unknown('this slice is not evaluated', span);
  }

  // ---- calls --------------------------------------------------------------------------------

  private evalCall(node: SyntaxNode, span: Span): Ev {
    const kids = childNodes(node);
    const calleeNode = kids[0];
    const argList = kids.find((k) => k.name === 'ArgList');
    if (!calleeNode || !argList) return unknown('incomplete call', span);
    const callee = this.eval(calleeNode);
    const args = this.evalArgs(argList);
    const label = this.text(calleeNode, 40);
    if (args === undefined) return unknown(`${label}(...) with a generator argument is not evaluated`, span);
    return this.call(callee, args, span, label);
  }

  private evalArgs(argList: SyntaxNode): CallArgs | undefined {
    const kids = childNodes(argList).filter((c) => c.name !== '(' && c.name !== ')' && c.name !== ',');
    const positional: Ev[] = [];
    const keywords = new Map<string, Ev>();
    let spread = false;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'for' || k.name === 'async') return undefined;
      if (k.name === 'VariableName' && kids[i + 1]?.name === 'AssignOp' && kids[i + 2]) {
        keywords.set(this.text(k), this.eval(kids[i + 2]!));
        i += 2;
      } else if ((k.name === '*' || k.name === '**') && kids[i + 1]) {
        const value = this.eval(kids[++i]!);
        if (k.name === '*' && value.kind === 'box' && (value.obj.type === 'list' || value.obj.type === 'tuple') && !value.obj.unknownContent) positional.push(...value.obj.items);
        else {
          spread = true;
          positional.push(value);
        }
      } else {
        positional.push(this.eval(k));
      }
    }
    return { positional, keywords, spread };
  }

  private call(callee: Ev, args: CallArgs, span: Span, label: string): Ev {
    if (callee.kind === 'box' && !args.spread) {
      const obj = callee.obj;
      switch (obj.type) {
        case 'builtin':
          return this.callBuiltin(obj.name, args, span, label);
        case 'method':
          return this.callMethod(obj.self, obj.name, args, span, label);
        case 'lib-object': {
          const out = this.ctx.libraries.byName(obj.lib)?.callObject?.(obj, args, span, this.host);
          if (out) return out;
          break;
        }
        default:
      }
    }
    this.forgetArguments(args, label, span);
    const why = callee.kind === 'unknown' ? callee.reason : callee.kind === 'box' ? `calling ${describeObject(callee.obj)} is not modelled` : 'not callable';
    return unknown(`${label}(...) is not evaluated: ${why}`, span);
  }

  /** A function we do not model may change the containers handed to it (logging.config.dictConfig, settings helpers). */
  private forgetArguments(args: CallArgs, label: string, span: Span): void {
    for (const arg of [...args.positional, ...args.keywords.values()]) {
      if (arg.kind === 'box' && isContainer(arg.obj) && arg.obj.type !== 'tuple') {
        arg.obj.unknownContent ??= `passed to ${label}(...) at ${this.ctx.where(span)}, which may change it`;
      }
    }
  }

  private callBuiltin(name: string, args: CallArgs, span: Span, label: string): Ev {
    const [a0, a1] = args.positional;
    switch (name) {
      case 'int':
        return a0 ? toInt(a0, args.keywords.get('base') ?? a1, span) : scalar(0, span);
      case 'float':
        return a0 ? toFloat(a0, span) : scalar(0, span, { float: true });
      case 'str':
        if (!a0) return scalar('', span);
        if (args.positional.length > 1 || args.keywords.size > 0) return unknown('str() with an encoding is not evaluated', span);
        return fromText(pyText(a0, false), span, a0);
      case 'bool': {
        if (!a0) return scalar(false, span);
        const t = truthy(a0);
        return t === undefined ? unknown(a0.kind === 'unknown' ? a0.reason : 'truthiness cannot be known', span) : scalar(t, span, viaOf(a0));
      }
      case 'len':
        return a0 ? length(a0, span) : unknown('len() needs an argument', span);
      case 'list':
      case 'tuple':
      case 'set': {
        const items: Ev[] = [];
        if (a0 && !pushIterable(items, a0)) return unknown(`the items of ${label}(...) cannot be known`, span);
        return box({ type: name, items: name === 'set' ? dedupe(items) : items }, span);
      }
      case 'dict': {
        const dict: DictObject = { type: 'dict', entries: [] };
        if (a0) mergeInto(dict, a0);
        for (const [k, v] of args.keywords) dictSet(dict, scalar(k, span), v);
        return box(dict, span);
      }
      case 'globals':
      case 'locals':
      case 'vars':
        this.ctx.forgetNamespace(`the module namespace is handed out by ${name}() at ${this.ctx.where(span)} and may be changed`, span);
        return unknown(`${name}() is not evaluated`, span);
      default: {
        for (const lib of this.ctx.libraries.libraries) {
          const out = lib.call?.(name, args, span, this.host);
          if (out) return out;
        }
        this.forgetArguments(args, label, span);
        return unknown(`${label}(...) is not evaluated`, span);
      }
    }
  }

  /** An environment variable as a value: span = the expression that reads it, via = where it is set. */
  private fromEnv(name: string, span: Span): Ev | undefined {
    const v = this.ctx.envGet(name);
    if (v === undefined) {
      this.ctx.envUnset?.(name, span);
      return undefined;
    }
    if (v.kind === 'unknown') return unknown(`${name} comes from the environment: ${v.reason}`, span);
    return scalar(v.value, span, { via: [v.span, ...(v.via ?? [])] });
  }

  private callMethod(self: Ev, name: string, args: CallArgs, span: Span, label: string): Ev {
    const [a0, a1] = args.positional;
    if (self.kind === 'known' && typeof self.value === 'string') return stringMethod(self as Scalar & { value: string }, name, args, span);
    if (self.kind !== 'box') return unknown(`${label}(...) is not evaluated`, span);
    const obj = self.obj;
    if (obj.type === 'environ') {
      const out = this.ctx.libraries.owner('os')?.environMethod?.(name, args, span, this.host);
      if (out) return out;
      if (!PURE_METHODS.has(name)) this.ctx.envForgetAll(`os.environ.${name}() at ${this.ctx.where(span)} is not evaluated`);
      return unknown(`os.environ.${name}() is not evaluated`, span);
    }
    if (obj.type === 'lib-object') {
      return this.ctx.libraries.byName(obj.lib)?.callMethod?.(obj, name, args, span, this.host) ?? unknown(`${label}(...) is not evaluated`, span);
    }
    if (obj.type === 'dict') return this.dictMethod(obj, name, args, span, label);
    if (obj.type === 'list') return this.listMethod(obj, name, args, span, label);
    if (isContainer(obj) && !PURE_METHODS.has(name)) obj.unknownContent ??= `changed by .${name}() at ${this.ctx.where(span)}, which is not evaluated`;
    return unknown(`${label}(...) is not evaluated`, span);
  }

  private dictMethod(dict: DictObject, name: string, args: CallArgs, span: Span, label: string): Ev {
    const [a0, a1] = args.positional;
    if (dict.unknownContent) {
      return unknown(dict.unknownContent, span);
    }
    switch (name) {
      case 'get': {
        if (!a0) return unknown('get() needs a key', span);
        try {
          return this.getItem(box(dict, span), a0, span);
        } catch (e) {
          if (e instanceof PyRaise && e.exception === 'KeyError') return a1 ?? scalar(null, span);
          throw e;
        }
      }
      case 'update':
        if (a0) mergeInto(dict, a0);
        for (const [k, v] of args.keywords) dictSet(dict, scalar(k, span), v);
        return scalar(null, span);
      case 'setdefault': {
        if (!a0) return unknown('setdefault() needs a key', span);
        if (a0.kind === 'unknown' || dict.entries.some((e) => e.key.kind === 'unknown')) {
          dict.unknownContent = `setdefault() at ${this.ctx.where(span)} with a key that cannot be known`;
          return unknown(dict.unknownContent, span);
        }
        const existing = dict.entries.find((e) => pyEquals(e.key, a0) === true);
        if (existing) return existing.value;
        const value = a1 ?? scalar(null, span);
        dictSet(dict, a0, value);
        return value;
      }
      case 'copy':
        return box({ type: 'dict', entries: dict.entries.map((e) => ({ ...e })) }, span);
      default:
        if (!PURE_METHODS.has(name)) dict.unknownContent = `changed by .${name}() at ${this.ctx.where(span)}, which is not evaluated`;
        return unknown(`${label}(...) is not evaluated`, span);
    }
  }

  private listMethod(list: SequenceObject, name: string, args: CallArgs, span: Span, label: string): Ev {
    const [a0, a1] = args.positional;
    if (list.unknownContent) return unknown(list.unknownContent, span);
    switch (name) {
      case 'append':
        if (a0) list.items.push(a0);
        return scalar(null, span);
      case 'extend':
        if (a0 && !pushIterable(list.items, a0)) list.unknownContent = `extended at ${this.ctx.where(span)} with items that cannot be known`;
        return scalar(null, span);
      case 'insert': {
        const index = a0 ? indexOf(a0, list.items.length) : undefined;
        if (index === undefined || !a1) {
          list.unknownContent = `insert() at ${this.ctx.where(span)} with a position that cannot be known`;
          return scalar(null, span);
        }
        list.items.splice(Math.max(0, Math.min(index, list.items.length)), 0, a1);
        return scalar(null, span);
      }
      case 'copy':
        return box({ type: 'list', items: [...list.items] }, span);
      default:
        if (!PURE_METHODS.has(name)) list.unknownContent = `changed by .${name}() at ${this.ctx.where(span)}, which is not evaluated`;
        return unknown(`${label}(...) is not evaluated`, span);
    }
  }

  // ---- operators ----------------------------------------------------------------------------

  private evalUnary(node: SyntaxNode, span: Span): Ev {
    const kids = childNodes(node);
    if (kids[0]?.name === 'not') return this.evalBool(this.boolTree(node), span);
    const operand = kids[1] ? this.eval(kids[1]) : unknown('incomplete expression', span);
    const op = kids[0] ? this.text(kids[0]) : '';
    if (operand.kind === 'unknown') return unknown(operand.reason, span);
    if (operand.kind !== 'known' || (typeof operand.value !== 'number' && typeof operand.value !== 'boolean')) {
      return unknown(`unary ${op} of this value is not evaluated`, span);
    }
    const n = Number(operand.value);
    const isFloat = operand.float === true;
    if (op === '-') return scalar(n === 0 && !isFloat ? 0 : -n, span, { float: isFloat });
    if (op === '+') return scalar(n, span, { float: isFloat });
    if (op === '~' && !isFloat) return scalar(-n - 1, span);
    return unknown(`unary ${op} is not evaluated`, span);
  }

  private operatorText(node: SyntaxNode): { left: SyntaxNode; op: string; right: SyntaxNode } | undefined {
    const kids = childNodes(node);
    const left = kids[0];
    const right = kids[kids.length - 1];
    if (!left || !right || kids.length < 3) return undefined;
    return { left, op: kids.slice(1, -1).map((k) => this.text(k)).join(' '), right };
  }

  private evalBinary(node: SyntaxNode, span: Span): Ev {
    const parts = this.operatorText(node);
    if (!parts) return unknown('incomplete expression', span);
    if (parts.op === 'and' || parts.op === 'or') return this.evalBool(this.boolTree(node), span);
    if (COMPARISON_OPS.has(parts.op)) return this.evalComparison(node, span);
    const left = this.eval(parts.left);
    const right = this.eval(parts.right);
    return binaryOp(parts.op, left, right, span);
  }

  /**
   * lezer's grammar gives `not` a lower precedence than `and`/`or` (`not a and b` parses as
   * `not (a and b)`), so boolean operators are flattened in source order and re-parsed with
   * Python's precedence: not > and > or.
   */
  private boolTree(node: SyntaxNode): BoolTree {
    const tokens: Array<'and' | 'or' | { not: number } | SyntaxNode> = [];
    const flatten = (n: SyntaxNode, depth: number): void => {
      if (depth > MAX_EXPRESSION_DEPTH) {
        tokens.push(n);
        return;
      }
      if (n.name === 'BinaryExpression') {
        const parts = this.operatorText(n);
        if (parts && (parts.op === 'and' || parts.op === 'or')) {
          flatten(parts.left, depth + 1);
          tokens.push(parts.op);
          flatten(parts.right, depth + 1);
          return;
        }
      }
      if (n.name === 'UnaryExpression') {
        const kids = childNodes(n);
        if (kids[0]?.name === 'not' && kids[1]) {
          tokens.push({ not: n.from });
          flatten(kids[1], depth + 1);
          return;
        }
      }
      tokens.push(n);
    };
    flatten(node, 0);
    let pos = 0;
    const parseOr = (): BoolTree => {
      let left = parseAnd();
      while (tokens[pos] === 'or') {
        pos++;
        left = { op: 'or', left, right: parseAnd() };
      }
      return left;
    };
    const parseAnd = (): BoolTree => {
      let left = parseNot();
      while (tokens[pos] === 'and') {
        pos++;
        left = { op: 'and', left, right: parseNot() };
      }
      return left;
    };
    const parseNot = (): BoolTree => {
      const t = tokens[pos++];
      if (t !== undefined && typeof t === 'object' && 'not' in t) return { op: 'not', operand: parseNot(), from: t.not };
      if (t === undefined || typeof t === 'string') return { op: 'leaf', node };
      return { op: 'leaf', node: t as SyntaxNode };
    };
    return parseOr();
  }

  /** Python's value semantics: `a or b` is a when a is truthy, else b; `not x` is a bool. */
  private evalBool(tree: BoolTree, span: Span): Ev {
    switch (tree.op) {
      case 'leaf':
        return this.eval(tree.node);
      case 'not': {
        const v = this.evalBool(tree.operand, span);
        const t = truthy(v);
        const notSpan = { ...span, start: tree.from };
        return t === undefined ? unknown(v.kind === 'unknown' ? v.reason : 'truthiness cannot be known', notSpan) : scalar(!t, notSpan);
      }
      default: {
        const left = this.evalBool(tree.left, span);
        const t = truthy(left);
        if (t === undefined) return unknown(left.kind === 'unknown' ? left.reason : 'truthiness cannot be known', span);
        if (tree.op === 'or' ? t : !t) return left;
        return this.evalBool(tree.right, span);
      }
    }
  }

  /** `a < b <= c` means `a < b and b <= c`; lezer nests it left-associatively. */
  private evalComparison(node: SyntaxNode, span: Span): Ev {
    const operands: SyntaxNode[] = [];
    const ops: string[] = [];
    let cur: SyntaxNode = node;
    for (;;) {
      const parts = this.operatorText(cur);
      if (!parts || !COMPARISON_OPS.has(parts.op)) break;
      operands.unshift(parts.right);
      ops.unshift(parts.op);
      cur = parts.left;
      if (cur.name !== 'BinaryExpression') break;
    }
    operands.unshift(cur);
    let left = this.eval(operands[0]!);
    let result: Ev = scalar(true, span);
    for (let i = 0; i < ops.length; i++) {
      const right = this.eval(operands[i + 1]!);
      const r = this.compare(ops[i]!, left, right, span);
      if (r === undefined) return unknown(left.kind === 'unknown' ? left.reason : right.kind === 'unknown' ? right.reason : `${this.text(node)} cannot be decided`, span);
      result = scalar(r, span);
      if (!r) return result;
      left = right;
    }
    return result;
  }

  private compare(op: string, a: Ev, b: Ev, span: Span): boolean | undefined {
    switch (op) {
      case '==':
        return pyEquals(a, b);
      case '!=': {
        const eq = pyEquals(a, b);
        return eq === undefined ? undefined : !eq;
      }
      case 'in':
      case 'not in': {
        const found = this.contains(b, a);
        return found === undefined ? undefined : op === 'in' ? found : !found;
      }
      case 'is':
      case 'is not': {
        const same = identical(a, b);
        return same === undefined ? undefined : op === 'is' ? same : !same;
      }
      default:
        return orderCompare(op, a, b, span);
    }
  }

  private contains(container: Ev, item: Ev): boolean | undefined {
    if (container.kind === 'unknown' || item.kind === 'unknown') return undefined;
    if (container.kind === 'known') {
      if (typeof container.value === 'string' && item.kind === 'known' && typeof item.value === 'string') return container.value.includes(item.value);
      return undefined;
    }
    const obj = container.obj;
    if (obj.type === 'environ') {
      if (item.kind !== 'known' || typeof item.value !== 'string') return undefined;
      const v = this.ctx.envGet(item.value);
      return v === undefined ? false : v.kind === 'known' ? true : undefined;
    }
    if (!isContainer(obj) || obj.unknownContent) return undefined;
    const candidates = obj.type === 'dict' ? obj.entries.map((e) => e.key) : obj.items;
    let undecided = false;
    for (const c of candidates) {
      const eq = pyEquals(c, item);
      if (eq === true) return true;
      if (eq === undefined) undecided = true;
    }
    return undecided ? undefined : false;
  }

  private evalConditional(node: SyntaxNode, span: Span): Ev {
    const kids = childNodes(node);
    const ifAt = kids.findIndex((k) => k.name === 'if');
    const elseAt = kids.findIndex((k) => k.name === 'else');
    const body = kids[0];
    const cond = kids[ifAt + 1];
    const orelse = kids[elseAt + 1];
    if (ifAt < 0 || elseAt < 0 || !body || !cond || !orelse) return unknown('incomplete conditional expression', span);
    const c = this.eval(cond);
    const t = truthy(c);
    if (t === undefined) return unknown(`the condition ${this.text(cond)} cannot be known${c.kind === 'unknown' ? `: ${c.reason}` : ''}`, span);
    return this.eval(t ? body : orelse);
  }
}

// ---- helpers shared with statement evaluation ------------------------------------------------

function viaOf(v: Ev): { via?: readonly Span[] } {
  return v.kind !== 'unknown' && v.via ? { via: v.via } : {};
}

function describeKey(key: Ev): string {
  const t = pyText(key, true);
  return t.ok ? t.value : 'key';
}

function indexOf(key: Ev, length: number): number | undefined {
  if (key.kind !== 'known' || (typeof key.value !== 'number' && typeof key.value !== 'boolean') || key.float) return undefined;
  const n = Number(key.value);
  return n < 0 ? length + n : n;
}

/** Python's slice.indices(), then the picked positions. Undefined for a zero step. */
function pySlice(length: number, start: number | null, stop: number | null, step: number | null): number[] | undefined {
  const s = step ?? 1;
  if (s === 0 || !Number.isInteger(s)) return undefined;
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const x = v < 0 ? v + length : v;
    return Math.max(lo, Math.min(x, hi));
  };
  const out: number[] = [];
  if (s > 0) {
    const a = clamp(start, 0, 0, length);
    const b = clamp(stop, length, 0, length);
    for (let i = a; i < b; i += s) out.push(i);
  } else {
    const a = clamp(start, length - 1, -1, length - 1);
    const b = clamp(stop, -1, -1, length - 1);
    for (let i = a; i > b; i += s) out.push(i);
  }
  return out;
}

function dedupe(items: Ev[]): Ev[] {
  const out: Ev[] = [];
  for (const item of items) {
    if (!out.some((o) => pyEquals(o, item) === true)) out.push(item);
  }
  return out;
}

/** Appends the items of an iterable; false when they cannot be known (sets of several items: order is Python's). */
export function pushIterable(items: Ev[], source: Ev): boolean {
  if (source.kind === 'known' && typeof source.value === 'string') {
    for (const ch of source.value) items.push(scalar(ch, source.span, viaOf(source)));
    return true;
  }
  if (source.kind !== 'box' || !isContainer(source.obj) || source.obj.unknownContent) return false;
  if (source.obj.type === 'dict') {
    if (source.obj.entries.some((e) => e.key.kind === 'unknown')) return false;
    items.push(...source.obj.entries.map((e) => e.key));
    return true;
  }
  if (source.obj.type === 'set' && source.obj.items.length > 1) return false;
  items.push(...source.obj.items);
  return items.length <= MAX_ITEMS;
}

export function dictSet(dict: DictObject, key: Ev, value: Ev): void {
  if (key.kind !== 'unknown') {
    for (const entry of dict.entries) {
      if (entry.key.kind !== 'unknown' && pyEquals(entry.key, key) === true) {
        entry.value = value;
        return;
      }
    }
  }
  dict.entries.push({ key, value });
}

/** `{**other}`, `d.update(other)`, `d |= other`: an unknown mapping may set any key. */
export function mergeInto(dict: DictObject, source: Ev): void {
  if (source.kind === 'box' && source.obj.type === 'dict' && !source.obj.unknownContent) {
    for (const e of [...source.obj.entries]) dictSet(dict, e.key, e.value);
    return;
  }
  const reason = source.kind === 'unknown' ? source.reason : source.kind === 'box' && isContainer(source.obj) && source.obj.unknownContent ? source.obj.unknownContent : 'a mapping that cannot be known';
  dict.entries.push({ key: unknown(reason, source.span), value: unknown(reason, source.span) });
}

function identical(a: Ev, b: Ev): boolean | undefined {
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  if (a.kind === 'box' && b.kind === 'box') return a.obj === b.obj ? true : undefined;
  if (a.kind === 'known' && b.kind === 'known') {
    const singleton = (v: unknown): boolean => v === null || typeof v === 'boolean';
    if (singleton(a.value) || singleton(b.value)) return a.value === b.value;
    return undefined;
  }
  // A container is never None/True/False.
  const other = a.kind === 'known' ? a : (b as Scalar);
  return other.value === null || typeof other.value === 'boolean' ? false : undefined;
}

function orderCompare(op: string, a: Ev, b: Ev, span: Span): boolean | undefined {
  if (a.kind !== 'known' || b.kind !== 'known') return undefined;
  let x: number | string;
  let y: number | string;
  const num = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (num(a.value) && num(b.value)) {
    x = Number(a.value);
    y = Number(b.value);
  } else if (typeof a.value === 'string' && typeof b.value === 'string') {
    // JavaScript compares UTF-16 units, Python code points: they agree unless surrogates are involved.
    if (/[\ud800-\udfff]/.test(a.value + b.value)) return undefined;
    x = a.value;
    y = b.value;
  } else {
    throw new PyRaise('TypeError', `'${op}' not supported between these types`, span);
  }
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      return undefined;
  }
}

function isNumber(v: Ev): v is Scalar & { value: number | boolean } {
  return v.kind === 'known' && (typeof v.value === 'number' || typeof v.value === 'boolean');
}

function safeInt(n: number, span: Span): Ev {
  if (!Number.isSafeInteger(n)) return unknown('the integer is too large to represent exactly', span);
  return scalar(n === 0 ? 0 : n, span);
}

/** Python's binary operators on the values settings compute with. */
export function binaryOp(op: string, a: Ev, b: Ev, span: Span): Ev {
  if (a.kind === 'unknown') return unknown(a.reason, span);
  if (b.kind === 'unknown') return unknown(b.reason, span);
  if (isNumber(a) && isNumber(b)) return numericOp(op, Number(a.value), Number(b.value), a.float === true || b.float === true, span);
  if (a.kind === 'known' && typeof a.value === 'string') {
    if (op === '%') return fromText(percentFormat(a.value, b), span);
    if (op === '+' && b.kind === 'known' && typeof b.value === 'string') return fromText({ ok: true, value: a.value + b.value }, span);
    if (op === '*' && isNumber(b) && !b.float) return repeatString(a.value, Number(b.value), span);
  }
  if (op === '*' && isNumber(a) && !a.float && b.kind === 'known' && typeof b.value === 'string') return repeatString(b.value, Number(a.value), span);
  if (a.kind === 'box' && b.kind === 'box' && isContainer(a.obj) && isContainer(b.obj)) {
    const x = a.obj;
    const y = b.obj;
    if (x.unknownContent || y.unknownContent) return unknown(x.unknownContent ?? y.unknownContent ?? '', span);
    if (op === '+' && (x.type === 'list' || x.type === 'tuple') && x.type === y.type) return box({ type: x.type, items: [...x.items, ...(y as SequenceObject).items] }, span);
    if (op === '|' && x.type === 'dict' && y.type === 'dict') {
      const merged: DictObject = { type: 'dict', entries: x.entries.map((e) => ({ ...e })) };
      mergeInto(merged, b);
      return box(merged, span);
    }
  }
  if (op === '*' && a.kind === 'box' && (a.obj.type === 'list' || a.obj.type === 'tuple') && isNumber(b) && !b.float) {
    const times = Math.max(0, Number(b.value));
    if (a.obj.unknownContent) return unknown(a.obj.unknownContent, span);
    if (a.obj.items.length * times > MAX_ITEMS) return unknown('too many items to evaluate', span);
    const items: Ev[] = [];
    for (let i = 0; i < times; i++) items.push(...a.obj.items);
    return box({ type: a.obj.type, items }, span);
  }
  return unknown(`the operator ${op} on these values is not evaluated`, span);
}

function repeatString(s: string, times: number, span: Span): Ev {
  const n = Math.max(0, times);
  if (s.length * n > MAX_STRING_LENGTH) return unknown('the string is too long to build', span);
  return scalar(s.repeat(n), span);
}

function numericOp(op: string, x: number, y: number, isFloat: boolean, span: Span): Ev {
  const result = (n: number, float = isFloat): Ev => (float ? scalar(n, span, { float: true }) : safeInt(n, span));
  switch (op) {
    case '+':
      return result(x + y);
    case '-':
      return result(x - y);
    case '*':
      return result(x * y);
    case '/':
      if (y === 0) throw new PyRaise('ZeroDivisionError', 'division by zero', span);
      return result(x / y, true);
    case '//':
      if (y === 0) throw new PyRaise('ZeroDivisionError', 'integer division or modulo by zero', span);
      return result(Math.floor(x / y));
    case '%': {
      if (y === 0) throw new PyRaise('ZeroDivisionError', 'integer division or modulo by zero', span);
      const m = x % y;
      return result(m !== 0 && Math.sign(m) !== Math.sign(y) ? m + y : m === 0 && isFloat && y < 0 ? -0 : m);
    }
    case '**': {
      if (x === 0 && y < 0) throw new PyRaise('ZeroDivisionError', '0.0 cannot be raised to a negative power', span);
      if (!isFloat && y >= 0) {
        const big = BigInt(x) ** BigInt(y);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return unknown('the integer is too large to represent exactly', span);
        return scalar(Number(big), span);
      }
      if (x < 0 && !Number.isInteger(y)) return unknown('a negative number to a fractional power is complex', span);
      return result(x ** y, true);
    }
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>': {
      if (isFloat) throw new PyRaise('TypeError', `unsupported operand type(s) for ${op}: 'float'`, span);
      const bx = BigInt(x);
      const by = BigInt(y);
      if (op === '<<' && y > 64) return unknown('the integer is too large to represent exactly', span);
      if ((op === '<<' || op === '>>') && y < 0) throw new PyRaise('ValueError', 'negative shift count', span);
      const r = op === '&' ? bx & by : op === '|' ? bx | by : op === '^' ? bx ^ by : op === '<<' ? bx << by : bx >> by;
      if (r > BigInt(Number.MAX_SAFE_INTEGER) || r < -BigInt(Number.MAX_SAFE_INTEGER)) return unknown('the integer is too large to represent exactly', span);
      return scalar(Number(r), span);
    }
    default:
      return unknown(`the operator ${op} is not evaluated`, span);
  }
}

function fromText(r: FormatResult, span: Span, source?: Ev): Ev {
  if (r.ok) return scalar(r.value, span, source ? viaOf(source) : {});
  if ('raises' in r) throw new PyRaise(r.raises, r.reason, span);
  return unknown(r.reason, span);
}

function fromConverted(r: Converted<number>, span: Span, source: Ev, float: boolean): Ev {
  if (r.ok) return scalar(r.value, span, { ...viaOf(source), float });
  if (r.raises) throw new PyRaise(r.raises, r.reason, span);
  return unknown(r.reason, span);
}

function toInt(value: Ev, base: Ev | undefined, span: Span): Ev {
  if (value.kind === 'unknown') return unknown(value.reason, span);
  let radix = 10;
  if (base) {
    if (base.kind !== 'known' || typeof base.value !== 'number') return unknown('int() base cannot be known', span);
    radix = base.value;
  }
  if (value.kind === 'known') {
    const v = value.value;
    if (typeof v === 'string') return fromConverted(intFromString(v, radix), span, value, false);
    if (base) throw new PyRaise('TypeError', "int() can't convert non-string with explicit base", span);
    if (typeof v === 'boolean') return scalar(Number(v), span, viaOf(value));
    if (typeof v === 'number') {
      if (Number.isNaN(v)) throw new PyRaise('ValueError', 'cannot convert float NaN to integer', span);
      if (!Number.isFinite(v)) throw new PyRaise('OverflowError', 'cannot convert float infinity to integer', span);
      const t = Math.trunc(v);
      return Number.isSafeInteger(t) ? scalar(t === 0 ? 0 : t, span, viaOf(value)) : unknown('the integer is too large to represent exactly', span);
    }
    throw new PyRaise('TypeError', "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'", span);
  }
  if (isContainer(value.obj)) throw new PyRaise('TypeError', `int() argument must be a string or a number, not '${value.obj.type}'`, span);
  return unknown(`int() of ${describeObject(value.obj)} is not evaluated`, span);
}

function toFloat(value: Ev, span: Span): Ev {
  if (value.kind === 'unknown') return unknown(value.reason, span);
  if (value.kind === 'known') {
    const v = value.value;
    if (typeof v === 'string') return fromConverted(floatFromString(v), span, value, true);
    if (typeof v === 'number' || typeof v === 'boolean') return scalar(Number(v), span, { ...viaOf(value), float: true });
    throw new PyRaise('TypeError', "float() argument must be a string or a real number, not 'NoneType'", span);
  }
  if (isContainer(value.obj)) throw new PyRaise('TypeError', `float() argument must be a string or a real number, not '${value.obj.type}'`, span);
  return unknown(`float() of ${describeObject(value.obj)} is not evaluated`, span);
}

function length(value: Ev, span: Span): Ev {
  if (value.kind === 'unknown') return unknown(value.reason, span);
  if (value.kind === 'known') {
    if (typeof value.value === 'string') return scalar([...value.value].length, span);
    throw new PyRaise('TypeError', 'object has no len()', span);
  }
  const obj = value.obj;
  if (!isContainer(obj)) return unknown(`len() of ${describeObject(obj)} is not evaluated`, span);
  if (obj.unknownContent) return unknown(obj.unknownContent, span);
  if (obj.type === 'dict') return obj.entries.some((e) => e.key.kind === 'unknown') ? unknown('the dict has keys that cannot be known', span) : scalar(obj.entries.length, span);
  if (obj.type === 'set' && obj.items.some((i) => i.kind === 'unknown')) return unknown('the set has items that cannot be known', span);
  return scalar(obj.items.length, span);
}

function stringMethod(self: Scalar & { value: string }, name: string, args: CallArgs, span: Span): Ev {
  const s = self.value;
  const [a0, a1] = args.positional;
  const str = (v: Ev | undefined): string | null | undefined => (v === undefined || (v.kind === 'known' && v.value === null) ? null : v.kind === 'known' && typeof v.value === 'string' ? v.value : undefined);
  const via = viaOf(self);
  const out = (v: string): Ev => scalar(v, span, via);
  switch (name) {
    case 'lower':
      return out(s.toLowerCase());
    case 'upper':
      return out(s.toUpperCase());
    case 'strip':
    case 'lstrip':
    case 'rstrip': {
      const chars = str(a0);
      if (chars === undefined) return unknown(`${name}() argument cannot be known`, span);
      return out(pyStripChars(s, chars, name === 'strip' ? 'both' : name === 'lstrip' ? 'left' : 'right'));
    }
    case 'split': {
      const sep = str(a0 ?? args.keywords.get('sep'));
      const max = a1 ?? args.keywords.get('maxsplit');
      if (sep === undefined || (max && (max.kind !== 'known' || typeof max.value !== 'number'))) return unknown('split() arguments cannot be known', span);
      const r = pySplit(s, sep, max?.kind === 'known' ? Number(max.value) : -1);
      if (!r.ok) throw new PyRaise(r.raises ?? 'ValueError', r.reason, span);
      return box({ type: 'list', items: r.value.map(out) }, span);
    }
    case 'replace': {
      const from = str(a0);
      const to = str(a1);
      if (typeof from !== 'string' || typeof to !== 'string' || args.positional.length > 2) return unknown('replace() arguments cannot be known', span);
      const r = from === '' ? [...s].join(to).replace(/^/, to) + to : s.split(from).join(to);
      return r.length > MAX_STRING_LENGTH ? unknown('the string is too long to build', span) : out(from === '' && s === '' ? to : r);
    }
    case 'startswith':
    case 'endswith': {
      const options = a0?.kind === 'box' && a0.obj.type === 'tuple' ? a0.obj.items.map(str) : [str(a0)];
      if (options.some((o) => typeof o !== 'string') || args.positional.length > 1) return unknown(`${name}() arguments cannot be known`, span);
      const hit = (options as string[]).some((o) => (name === 'startswith' ? s.startsWith(o) : s.endsWith(o)));
      return scalar(hit, span);
    }
    case 'format':
      return fromText(braceFormat(s, args.positional, args.keywords), span);
    case 'join': {
      const items: Ev[] = [];
      if (!a0 || !pushIterable(items, a0)) return unknown('join() items cannot be known', span);
      const parts = items.map(str);
      const bad = items.find((i) => i.kind === 'unknown');
      if (bad && bad.kind === 'unknown') return unknown(bad.reason, span);
      if (parts.some((p) => typeof p !== 'string')) throw new PyRaise('TypeError', 'sequence item: expected str instance', span);
      return fromText({ ok: true, value: (parts as string[]).join(s) }, span);
    }
    default:
      return unknown(`str.${name}() is not evaluated`, span);
  }
}

/** `obj.name` on the objects the evaluator models. */
export function getAttribute(object: Ev, name: string, span: Span, libraries: LibrarySet): Ev {
  if (object.kind === 'unknown') return unknown(object.reason, span);
  if (object.kind === 'known') {
    if (typeof object.value === 'string') return box({ type: 'method', self: object, name }, span);
    return unknown(`.${name} of ${JSON.stringify(object.value)} is not evaluated`, span);
  }
  const obj = object.obj;
  switch (obj.type) {
    case 'module':
      if (obj.bindings) return obj.bindings.get(name) ?? unknown(`${obj.name}.${name} is not defined`, span);
      return modelledAttribute(obj.name, name, span, libraries);
    case 'builtin':
      for (const lib of libraries.libraries) {
        const out = lib.member?.(object, name, span);
        if (out) return out;
      }
      return unknown(`${obj.name}.${name} is not modelled`, span);
    case 'lib-object':
      return libraries.byName(obj.lib)?.member?.(object, name, span) ?? box({ type: 'method', self: object, name }, span);
    case 'environ':
    case 'dict':
    case 'list':
    case 'tuple':
    case 'set':
      return box({ type: 'method', self: object, name }, span);
    default:
      return unknown(`.${name} of ${describeObject(obj)} is not evaluated`, span);
  }
}

/** `from os import environ`, `from decouple import config`: what a modelled module exposes. */
export function modelledAttribute(module: string, name: string, span: Span, libraries: LibrarySet): Ev {
  const full = `${module}.${name}`;
  const out = libraries.owner(module)?.attribute?.(module, name, span);
  if (out) return out;
  if (module === 'socket') return unknown(`${full} depends on the platform Python runs on`, span);
  return unknown(`${full} is not modelled`, span);
}
