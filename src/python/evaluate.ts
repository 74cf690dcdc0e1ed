import * as posix from 'node:path/posix';
import { own } from '../core/own.js';
import type { SyntaxNode } from '@lezer/common';
import type { Comment, ParseProblem } from '../core/problem.js';
import { positionAt, type SourceFile } from '../core/source.js';
import { unknown, type Span, type Value } from '../core/value.js';
import { childNodes, parsePython, spanOf } from '../parsers/python.js';
import { binaryOp, dictSet, ExpressionEvaluator, mergeInto, modelledAttribute, pushIterable, type ExprContext } from './expressions.js';
import { box, exportValue, isContainer, pyEquals, PyRaise, scalar, truthy, type DictObject, type Ev } from './objects.js';
import { EMPTY_ENV, type EnvLookup, type PyValue } from './value.js';
import { DJANGO_SETTINGS_LIBRARIES, type LibrarySet } from './libs/index.js';

export interface SettingsModule {
  /** The settings file evaluated, root-relative. */
  entry: string;
  /** Every file read, in the order read, including star-imported ones. */
  files: string[];
  /** Every module-level name of the entry module after evaluation. */
  names: ReadonlyMap<string, PyValue>;
  problems: ParseProblem[];
  comments: Comment[];
  /** Statements that Python would fail on at import (`os.environ["X"]` with X unset, a missing relative import). */
  raises: Array<{ message: string; span: Span }>;
  /** Imports that could not be read (installed packages, files outside the search roots). */
  unresolvedImports: Array<{ module: string; span: Span }>;
  /**
   * Reads of variables the environment does not set (and no .env may set), at the reading expression:
   * `os.environ["X"]`, `os.getenv("X", default)`, `env("X")`, `config("X")`. With a default the read
   * gives the default; without one it raises (listed in `raises` at the same span).
   */
  envUnset: Array<{ name: string; span: Span }>;
}

export interface EvaluateOptions {
  /** Root-relative path of the settings file. */
  entry: string;
  /** Root-relative directories that absolute imports resolve against (e.g. the service build context). */
  searchRoots: string[];
  /** Root-relative path to file; undefined when absent. Every file read goes through here. */
  readFile(path: string): SourceFile | undefined;
  /** Cheaper existence check for module resolution; defaults to `readFile(path) !== undefined`. */
  exists?(path: string): boolean;
  env: EnvLookup;
  /**
   * The libraries modelled (src/python/libs); Django settings' (os, dotenv, django-environ, decouple,
   * dj_database_url) when absent. A gunicorn.conf.py is read with CORE_LIBRARIES only.
   */
  libraries?: LibrarySet;
}

/** Import chains deeper than this are cut (a star import cycle through many files, or generated input). */
const MAX_IMPORT_DEPTH = 32;
/** Statements and expressions visited per evaluation; settings files use a few thousand. */
const MAX_STEPS = 2_000_000;
const MAX_STATEMENT_NESTING = 100;

/** Standard modules known without reading them (their attributes are unknown unless a library models them). */
const STANDARD_MODULES = new Set(['socket', 'sys', 'pathlib']);

interface ModuleState {
  readonly path: string;
  readonly file: SourceFile;
  readonly bindings: Map<string, Ev>;
  /** A star import that could not be read may define any name. */
  opaqueStarImport?: string;
  running: boolean;
}

/** Shared by every module read during one evaluateSettings call, like Python's sys.modules and os.environ. */
class Evaluation {
  readonly files: string[] = [];
  readonly problems: ParseProblem[] = [];
  readonly comments: Comment[] = [];
  readonly raises: Array<{ message: string; span: Span }> = [];
  readonly unresolvedImports: Array<{ module: string; span: Span }> = [];
  readonly envUnset: Array<{ name: string; span: Span }> = [];
  private readonly modules = new Map<string, ModuleState | null>();
  /** os.environ writes during import; null = deleted. */
  readonly envOverlay = new Map<string, Value<string> | null>();
  /** Set once something may have changed any variable (an unknown os.environ.update, a branch we cannot decide). */
  envUncertain: string | undefined;
  /** Where a .env file may have been loaded into os.environ (load_dotenv, Env.read_env), and which file. */
  dotenvLoadedAt: Span | undefined;
  dotenvFile: string | undefined;
  steps = 0;
  private importDepth = 0;
  readonly libraries: LibrarySet;

  constructor(
    readonly opts: EvaluateOptions,
  ) {
    this.libraries = opts.libraries ?? DJANGO_SETTINGS_LIBRARIES;
  }

  /** Modules modelled rather than read: the standard ones and those of the libraries in use. */
  isModelled(module: string): boolean {
    return STANDARD_MODULES.has(module) || this.libraries.modules.has(module);
  }

  exists(path: string): boolean {
    return this.opts.exists ? this.opts.exists(path) : this.opts.readFile(path) !== undefined;
  }

  where(span: Span): string {
    const file = this.sourceOf(span.file);
    if (!file) return span.file;
    return `${span.file}:${positionAt(file, span.start).line}`;
  }

  private readonly sources = new Map<string, SourceFile>();
  sourceOf(path: string): SourceFile | undefined {
    return this.sources.get(path);
  }

  envGet(name: string): Value<string> | undefined {
    if (this.envOverlay.has(name)) return this.envOverlay.get(name) ?? undefined;
    const base = this.opts.env.get(name);
    if (this.envUncertain) return unknown(this.envUncertain, base?.span ?? this.anySpan());
    if (base === undefined && this.dotenvLoadedAt) {
      const which = this.dotenvFile ?? 'a .env file';
      return unknown(`${name} may be set by ${which}, loaded at ${this.where(this.dotenvLoadedAt)}`, this.dotenvLoadedAt);
    }
    return base;
  }

  private anySpan(): Span {
    return { file: this.opts.entry, start: 0, end: 0 };
  }

  /** Runs a module once (Python caches modules too); a module already running gives its partial namespace, as in an import cycle. */
  load(path: string): ModuleState | undefined {
    const cached = this.modules.get(path);
    if (cached !== undefined) return cached ?? undefined;
    if (this.importDepth >= MAX_IMPORT_DEPTH) return undefined;
    const file = this.opts.readFile(path);
    if (!file) {
      this.modules.set(path, null);
      return undefined;
    }
    this.sources.set(path, file);
    this.files.push(path);
    const parsed = parsePython(file);
    this.problems.push(...parsed.problems);
    this.comments.push(...parsed.comments);
    const state: ModuleState = { path, file, bindings: new Map(), running: true };
    this.modules.set(path, state);
    this.importDepth++;
    try {
      new ModuleRunner(this, state).runModule(parsed.doc!.tree.topNode);
    } finally {
      this.importDepth--;
      state.running = false;
    }
    return state;
  }

  resolveAbsolute(name: string): string | undefined {
    return resolveModule(name, this.opts.searchRoots, (p) => this.exists(p));
  }
}

/** Resolves `pkg.mod` to `pkg/mod.py` or `pkg/mod/__init__.py` under the search roots. */
export function resolveModule(name: string, searchRoots: string[], exists: (path: string) => boolean): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name)) return undefined;
  const rel = name.split('.').join('/');
  for (const root of searchRoots) {
    for (const candidate of [`${rel}.py`, `${rel}/__init__.py`]) {
      const path = posix.normalize(posix.join(root === '' ? '.' : root, candidate));
      if (!path.startsWith('../') && exists(path)) return path;
    }
  }
  return undefined;
}

function moduleCandidates(dir: string, dotted: string): string[] {
  const rel = dotted === '' ? '' : dotted.split('.').join('/');
  const base = posix.normalize(posix.join(dir === '' ? '.' : dir, rel));
  if (dotted === '') return [posix.join(base, '__init__.py')];
  return [`${base}.py`, posix.join(base, '__init__.py')];
}

/** Finds the settings module a wsgi/asgi module names in `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`. */
export function settingsModuleFromEntrypoint(
  appModule: string,
  searchRoots: string[],
  readFile: (path: string) => SourceFile | undefined,
  exists: (path: string) => boolean,
): Value<string> | undefined {
  const path = resolveModule(appModule.split(':')[0]!, searchRoots, exists);
  if (!path) return undefined;
  const evaluation = new Evaluation({ entry: path, searchRoots, readFile, exists, env: EMPTY_ENV });
  evaluation.load(path);
  return evaluation.envOverlay.get('DJANGO_SETTINGS_MODULE') ?? undefined;
}

/**
 * The os.environ variables a module sets when Python imports it (`os.environ.setdefault(...)` in a
 * wsgi.py or asgi.py), with the files read; null marks a deleted variable. Never executed.
 */
export function environmentSetBy(opts: EvaluateOptions): { set: ReadonlyMap<string, Value<string> | null>; files: string[]; problems: ParseProblem[]; comments: Comment[] } {
  const evaluation = new Evaluation(opts);
  evaluation.load(opts.entry);
  return { set: evaluation.envOverlay, files: evaluation.files, problems: evaluation.problems, comments: evaluation.comments };
}

export function evaluateSettings(opts: EvaluateOptions): SettingsModule {
  const evaluation = new Evaluation(opts);
  const state = evaluation.load(opts.entry);
  const names = new Map<string, PyValue>();
  if (state) {
    for (const [name, value] of state.bindings) names.set(name, exportValue(value));
  } else {
    evaluation.problems.push({ message: `cannot read ${opts.entry}`, span: { file: opts.entry, start: 0, end: 0 } });
  }
  return {
    entry: opts.entry,
    files: evaluation.files,
    names,
    problems: evaluation.problems,
    comments: evaluation.comments,
    raises: evaluation.raises,
    unresolvedImports: evaluation.unresolvedImports,
    envUnset: evaluation.envUnset,
  };
}

/** Statement names that bind nothing and change nothing at module level. */
const INERT_STATEMENTS = new Set(['PassStatement', 'GlobalStatement', 'NonlocalStatement', 'AssertStatement', 'BreakStatement', 'ContinueStatement', 'ReturnStatement']);

/** Methods that change their container in place; called where we cannot follow them, the container becomes unknown. */
const MUTATING_METHODS = new Set(['append', 'extend', 'insert', 'update', 'setdefault', 'pop', 'popitem', 'remove', 'clear', 'add', 'discard', 'sort', 'reverse', '__setitem__', '__delitem__']);

class ModuleRunner {
  private readonly file: SourceFile;
  private readonly ctx: ExprContext;
  private readonly evaluator: ExpressionEvaluator;
  private nesting = 0;

  constructor(
    private readonly ev: Evaluation,
    private readonly mod: ModuleState,
  ) {
    this.file = mod.file;
    this.ctx = this.makeContext();
    this.evaluator = new ExpressionEvaluator(this.ctx);
  }

  private makeContext(): ExprContext {
    const ev = this.ev;
    const mod = this.mod;
    return {
      file: this.file,
      lookup: (name, span) => {
        const bound = mod.bindings.get(name);
        if (bound) return bound;
        if (mod.opaqueStarImport) return unknown(`${name} may come from ${mod.opaqueStarImport}`, span);
        return undefined;
      },
      envGet: (name) => ev.envGet(name),
      envUnset: (name, span) => {
        if (!ev.envUnset.some((r) => r.span.file === span.file && r.span.start === span.start && r.name === name)) ev.envUnset.push({ name, span });
      },
      envSet: (name, value) => {
        ev.envOverlay.set(name, value);
      },
      envForgetAll: (reason) => {
        ev.envUncertain = reason;
      },
      dotenvLoaded: (span, search) => {
        const dir = posix.dirname(mod.path);
        let file: string | undefined;
        if (search !== 'unknown') {
          // A missing .env is skipped silently by both django-environ and python-dotenv.
          file = search === 'module-dir' ? [posix.join(dir, '.env')].find((p) => ev.exists(p)) : filesUpwards(dir, ['.env'], (p) => ev.exists(p))[0];
          if (!file) return;
        }
        if (ev.dotenvLoadedAt) return;
        ev.dotenvLoadedAt = span;
        ev.dotenvFile = file;
      },
      decoupleFiles: () => filesUpwards(posix.dirname(mod.path), ['settings.ini', '.env'], (p) => ev.exists(p)),
      forgetNamespace: (reason, span) => {
        for (const name of mod.bindings.keys()) mod.bindings.set(name, unknown(reason, span));
      },
      where: (span) => ev.where(span),
      step: () => ++ev.steps <= MAX_STEPS,
      libraries: ev.libraries,
    };
  }

  runModule(top: SyntaxNode): void {
    for (const stmt of this.statements(top)) this.runTopLevel(stmt);
  }

  private statements(block: SyntaxNode): SyntaxNode[] {
    return childNodes(block).filter((n) => n.name !== ':' && !n.type.isError && n.name !== ';');
  }

  private runTopLevel(stmt: SyntaxNode): void {
    try {
      this.exec(stmt);
    } catch (e) {
      if (!(e instanceof PyRaise)) throw e;
      this.ev.raises.push({ message: `${e.exception}: ${e.message}`, span: e.span });
      this.invalidate(stmt, `${this.text(stmt, 40)} raises ${e.exception} (${e.message}) when Python imports it`);
    }
  }

  private text(node: SyntaxNode, max = 60): string {
    const t = this.file.text.slice(node.from, node.to).replace(/\s+/g, ' ').trim();
    return t.length > max ? `${t.slice(0, max - 3)}...` : t;
  }

  private span(node: SyntaxNode): Span {
    return spanOf(this.file, node.from, node.to);
  }

  private line(node: SyntaxNode): number {
    return positionAt(this.file, node.from).line;
  }

  private bind(name: string, value: Ev): void {
    this.mod.bindings.set(name, value);
  }

  private expr(node: SyntaxNode): Ev {
    return this.evaluator.eval(node);
  }

  private execBlock(body: SyntaxNode): void {
    for (const stmt of this.statements(body)) this.exec(stmt);
  }

  private exec(stmt: SyntaxNode): void {
    if (!this.ctx.step()) {
      this.invalidate(stmt, 'the evaluation budget ran out');
      return;
    }
    if (this.nesting > MAX_STATEMENT_NESTING) {
      this.invalidate(stmt, 'statements nested too deeply');
      return;
    }
    this.nesting++;
    try {
      this.execInner(stmt);
    } finally {
      this.nesting--;
    }
  }

  private execInner(stmt: SyntaxNode): void {
    switch (stmt.name) {
      case 'AssignStatement':
        return this.execAssign(stmt);
      case 'UpdateStatement':
        return this.execUpdate(stmt);
      case 'ExpressionStatement': {
        const inner = childNodes(stmt)[0];
        if (inner) this.expr(inner);
        return;
      }
      case 'ImportStatement':
        return this.execImport(stmt, undefined);
      case 'IfStatement':
        return this.execIf(stmt);
      case 'TryStatement':
        return this.execTry(stmt);
      case 'WithStatement':
        return this.execWith(stmt);
      case 'DeleteStatement':
        return this.execDelete(stmt);
      case 'RaiseStatement':
        throw new PyRaise(this.raisedName(stmt), this.text(stmt), this.span(stmt));
      case 'FunctionDefinition':
      case 'ClassDefinition':
      case 'DecoratedStatement':
        return this.bindDefinition(stmt);
      case 'ForStatement':
      case 'WhileStatement':
        return this.invalidate(stmt, `assigned in a loop (line ${this.line(stmt)}), which is not run statically`);
      case 'Body':
        return this.execBlock(stmt);
      default:
        if (INERT_STATEMENTS.has(stmt.name)) return;
        return this.invalidate(stmt, `${stmt.name} at line ${this.line(stmt)} is not evaluated`);
    }
  }

  private raisedName(stmt: SyntaxNode): string {
    const m = /^raise\s+([A-Za-z_][A-Za-z0-9_.]*)/.exec(this.text(stmt, 200));
    return m?.[1] ?? 'Exception';
  }

  private bindDefinition(stmt: SyntaxNode): void {
    const def = stmt.name === 'DecoratedStatement' ? childNodes(stmt).find((c) => c.name === 'FunctionDefinition' || c.name === 'ClassDefinition') : stmt;
    const name = def ? childNodes(def).find((c) => c.name === 'VariableName') : undefined;
    if (!def || !name) return;
    const what = def.name === 'ClassDefinition' ? 'a class' : 'a function';
    this.bind(this.text(name), unknown(`${this.text(name)} is ${what} defined at line ${this.line(def)}`, this.span(name)));
  }

  // ---- assignment ---------------------------------------------------------------------------

  /** `a = b = value`, `a, b = 1, 2`, `x: int = 3`: segments between `=` signs; the last one is the value. */
  private assignSegments(stmt: SyntaxNode): SyntaxNode[][] {
    const segments: SyntaxNode[][] = [[]];
    for (const c of childNodes(stmt)) {
      if (c.name === 'AssignOp') segments.push([]);
      else if (c.name !== 'TypeDef') segments[segments.length - 1]!.push(c);
    }
    return segments;
  }

  private execAssign(stmt: SyntaxNode): void {
    const segments = this.assignSegments(stmt);
    if (segments.length < 2) return;
    const valueNodes = segments[segments.length - 1]!;
    const value = this.evalCommaList(valueNodes);
    for (const target of segments.slice(0, -1)) this.assignTo(target, value);
  }

  /** `1, 2` without brackets is a tuple; a single expression is itself. */
  private evalCommaList(nodes: SyntaxNode[]): Ev {
    const items = nodes.filter((n) => n.name !== ',');
    if (items.length === 1 && nodes.length === 1) return this.expr(items[0]!);
    if (items.length === 0) return unknown('missing value', spanOf(this.file, nodes[0]?.from ?? 0, nodes[0]?.to ?? 0));
    const span = spanOf(this.file, nodes[0]!.from, nodes[nodes.length - 1]!.to);
    if (items.some((n) => n.name === '*')) return unknown('starred expressions in a tuple are not evaluated', span);
    return box({ type: 'tuple', items: items.map((n) => this.expr(n)) }, span);
  }

  private assignTo(target: SyntaxNode[], value: Ev): void {
    const items = target.filter((n) => n.name !== ',');
    if (items.length === 1 && target.length === 1) return this.assignNode(items[0]!, value);
    this.unpack(items, value, spanOf(this.file, target[0]!.from, target[target.length - 1]!.to));
  }

  private unpack(targets: SyntaxNode[], value: Ev, span: Span): void {
    const seq = value.kind === 'box' && isContainer(value.obj) && value.obj.type !== 'dict' && value.obj.type !== 'set' && !value.obj.unknownContent ? value.obj.items : undefined;
    const text = value.kind === 'known' && typeof value.value === 'string' ? [...value.value] : undefined;
    const hasStar = targets.some((t) => t.name === '*' || t.name === 'StarredExpression');
    const count = seq?.length ?? text?.length;
    if (count === undefined || hasStar || count !== targets.length) {
      if (count !== undefined && !hasStar && count !== targets.length) {
        throw new PyRaise('ValueError', `cannot unpack ${count} values into ${targets.length} names`, span);
      }
      const reason = value.kind === 'unknown' ? value.reason : `unpacking ${this.file.text.slice(span.start, span.end)} is not evaluated`;
      for (const t of targets) this.invalidateTarget(t, reason);
      return;
    }
    targets.forEach((t, i) => this.assignNode(t, seq ? seq[i]! : scalar(text![i]!, value.span)));
  }

  private assignNode(target: SyntaxNode, value: Ev): void {
    switch (target.name) {
      case 'VariableName':
        return this.bind(this.text(target), value);
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression': {
        const inner = childNodes(target).filter((c) => !['(', ')', '[', ']', ','].includes(c.name));
        if (target.name === 'ParenthesizedExpression' && inner.length === 1) return this.assignNode(inner[0]!, value);
        return this.unpack(inner, value, this.span(target));
      }
      case 'MemberExpression':
        return this.assignMember(target, value);
      default:
        return this.invalidateTarget(target, `assignment to ${this.text(target)} is not evaluated`);
    }
  }

  private memberParts(target: SyntaxNode): { object: SyntaxNode; key: SyntaxNode | undefined; attribute: string | undefined; slice: boolean } | undefined {
    const kids = childNodes(target);
    const object = kids[0];
    if (!object) return undefined;
    if (kids[1]?.name === '.') return { object, key: undefined, attribute: kids[2] ? this.text(kids[2]) : undefined, slice: false };
    const inner = kids.slice(2, -1);
    const slice = inner.some((k) => k.name === ':') || inner.length !== 1;
    return { object, key: inner[0], attribute: undefined, slice };
  }

  private assignMember(target: SyntaxNode, value: Ev): void {
    const parts = this.memberParts(target);
    if (!parts) return;
    const object = this.expr(parts.object);
    if (parts.attribute !== undefined || !parts.key || parts.slice) {
      // Attribute and slice assignments on settings data are rare; what they change becomes unknown.
      this.forgetContents(object, `${this.text(target)} is assigned at line ${this.line(target)} in a way that is not evaluated`);
      return;
    }
    const key = this.expr(parts.key);
    this.setItem(object, key, value, this.span(target));
  }

  private setItem(object: Ev, key: Ev, value: Ev, span: Span): void {
    if (object.kind !== 'box') return;
    const obj = object.obj;
    if (obj.type === 'environ') {
      if (key.kind !== 'known' || typeof key.value !== 'string') {
        this.ctx.envForgetAll(`os.environ is changed at ${this.ctx.where(span)} with a key that cannot be known`);
        return;
      }
      if (value.kind === 'box' || (value.kind === 'known' && typeof value.value !== 'string')) {
        throw new PyRaise('TypeError', 'os.environ values must be str', span);
      }
      this.ctx.envSet(key.value, value.kind === 'known' ? { ...value, value: value.value as string } : value);
      return;
    }
    if (obj.type === 'dict') return dictSet(obj, key, value);
    if (obj.type === 'list' && !obj.unknownContent) {
      if (key.kind === 'known' && typeof key.value === 'number' && Number.isInteger(key.value)) {
        const index = key.value < 0 ? obj.items.length + key.value : key.value;
        if (index < 0 || index >= obj.items.length) throw new PyRaise('IndexError', 'list assignment index out of range', span);
        obj.items[index] = value;
        return;
      }
      obj.unknownContent = `an item is assigned at ${this.ctx.where(span)} with an index that cannot be known`;
      return;
    }
    if (obj.type === 'tuple') throw new PyRaise('TypeError', "'tuple' object does not support item assignment", span);
  }

  private forgetContents(object: Ev, reason: string): void {
    if (object.kind === 'box' && isContainer(object.obj)) object.obj.unknownContent ??= reason;
  }

  private execUpdate(stmt: SyntaxNode): void {
    const kids = childNodes(stmt);
    const opIndex = kids.findIndex((k) => k.name === 'UpdateOp');
    if (opIndex < 1) return;
    const targetNodes = kids.slice(0, opIndex);
    const target = targetNodes[0]!;
    const op = this.text(kids[opIndex]!).slice(0, -1);
    const rhs = this.evalCommaList(kids.slice(opIndex + 1));
    if (targetNodes.length !== 1) return this.invalidate(stmt, 'augmented assignment to several targets');
    const current = this.expr(target);
    // `+=` on a list and `|=` on a dict change the object in place, so every alias sees it.
    if (current.kind === 'box' && current.obj.type === 'list' && op === '+') {
      if (!current.obj.unknownContent && !pushIterable(current.obj.items, rhs)) current.obj.unknownContent = `extended at line ${this.line(stmt)} with ${describe(rhs)}`;
      return;
    }
    if (current.kind === 'box' && current.obj.type === 'dict' && op === '|') {
      mergeInto(current.obj, rhs);
      return;
    }
    const result = binaryOp(op, current, rhs, this.span(stmt));
    this.assignNode(target, result);
  }

  private execDelete(stmt: SyntaxNode): void {
    for (const target of childNodes(stmt).filter((c) => c.name !== 'del' && c.name !== ',')) {
      if (target.name === 'VariableName') {
        this.mod.bindings.delete(this.text(target));
        continue;
      }
      const parts = target.name === 'MemberExpression' ? this.memberParts(target) : undefined;
      if (!parts?.key || parts.slice) {
        this.invalidateTarget(target, `deleted at line ${this.line(stmt)}`);
        continue;
      }
      const object = this.expr(parts.object);
      const key = this.expr(parts.key);
      if (object.kind === 'box' && object.obj.type === 'environ' && key.kind === 'known' && typeof key.value === 'string') {
        if (this.ctx.envGet(key.value) === undefined) throw new PyRaise('KeyError', key.value, this.span(target));
        this.ctx.envSet(key.value, null);
      } else if (object.kind === 'box' && object.obj.type === 'dict' && key.kind !== 'unknown') {
        if (!dictDelete(object.obj, key)) throw new PyRaise('KeyError', describe(key), this.span(target));
      } else {
        this.invalidateTarget(target, `deleted at line ${this.line(stmt)}`);
      }
    }
  }

  // ---- control flow --------------------------------------------------------------------------

  private execIf(stmt: SyntaxNode): void {
    const kids = childNodes(stmt);
    const branches: Array<{ cond: SyntaxNode | undefined; body: SyntaxNode }> = [];
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if ((k.name === 'if' || k.name === 'elif') && kids[i + 2]?.name === 'Body') {
        branches.push({ cond: kids[i + 1], body: kids[i + 2]! });
        i += 2;
      } else if (k.name === 'else' && kids[i + 1]?.name === 'Body') {
        branches.push({ cond: undefined, body: kids[i + 1]! });
        i += 1;
      }
    }
    for (let b = 0; b < branches.length; b++) {
      const { cond, body } = branches[b]!;
      if (!cond) return this.execBlock(body);
      const value = this.expr(cond);
      const truth = truthy(value);
      if (truth === true) return this.execBlock(body);
      if (truth === false) continue;
      const reason = `assigned under a condition that cannot be known (line ${this.line(cond)}: ${this.text(cond)}${value.kind === 'unknown' ? `; ${value.reason}` : ''})`;
      for (const rest of branches.slice(b)) this.invalidate(rest.body, reason);
      return;
    }
  }

  private execTry(stmt: SyntaxNode): void {
    const kids = childNodes(stmt);
    let tryBody: SyntaxNode | undefined;
    const handlers: Array<{ types: string[]; name: SyntaxNode | undefined; body: SyntaxNode }> = [];
    let elseBody: SyntaxNode | undefined;
    let finallyBody: SyntaxNode | undefined;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'try') tryBody = kids[i + 1];
      else if (k.name === 'else') elseBody = kids[i + 1];
      else if (k.name === 'finally') finallyBody = kids[i + 1];
      else if (k.name === 'except') {
        let j = i + 1;
        const header: SyntaxNode[] = [];
        while (j < kids.length && kids[j]!.name !== 'Body') header.push(kids[j++]!);
        const asIndex = header.findIndex((h) => h.name === 'as');
        const typeText = header.slice(0, asIndex < 0 ? undefined : asIndex).map((h) => this.text(h, 400)).join(' ');
        const types = typeText.replace(/[()*]/g, ' ').split(/[\s,]+/).filter(Boolean);
        if (kids[j]) handlers.push({ types, name: asIndex >= 0 ? header[asIndex + 1] : undefined, body: kids[j]! });
        i = j;
      }
    }
    let raised: PyRaise | undefined;
    try {
      if (tryBody) this.execBlock(tryBody);
    } catch (e) {
      if (!(e instanceof PyRaise)) throw e;
      raised = e;
    }
    try {
      if (raised) {
        const handler = handlers.find((h) => exceptionMatches(raised!.exception, h.types));
        if (!handler) throw raised;
        if (handler.name) this.bind(this.text(handler.name), unknown(`the ${raised.exception} caught at line ${this.line(handler.body)}`, this.span(handler.name)));
        this.execBlock(handler.body);
      } else {
        for (const h of handlers) {
          const reason = `assigned in an except block (line ${this.line(h.body)}), which runs only if the try block fails`;
          if (h.name) this.invalidateTarget(h.name, reason);
          this.invalidate(h.body, reason);
        }
        if (elseBody) this.execBlock(elseBody);
      }
    } finally {
      if (finallyBody) this.execBlock(finallyBody);
    }
  }

  private execWith(stmt: SyntaxNode): void {
    const kids = childNodes(stmt);
    const body = kids.find((k) => k.name === 'Body');
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === 'as' && kids[i + 1]) this.invalidateTarget(kids[i + 1]!, `bound by the with statement at line ${this.line(stmt)}`);
      else if (k.name !== 'with' && k.name !== ',' && k.name !== 'Body' && kids[i - 1]?.name !== 'as') this.expr(k);
    }
    if (body) this.execBlock(body);
  }

  // ---- imports ------------------------------------------------------------------------------

  /** `underCondition` set: the import may or may not run, so every name it binds becomes unknown with that reason. */
  private execImport(stmt: SyntaxNode, underCondition: string | undefined): void {
    const kids = childNodes(stmt);
    if (kids[0]?.name === 'from') return this.execFromImport(stmt, kids, underCondition);
    // import a.b.c [as x], d
    let i = 1;
    while (i < kids.length) {
      const start = i;
      const parts: string[] = [];
      while (i < kids.length && (kids[i]!.name === 'VariableName' || kids[i]!.name === '.')) {
        if (kids[i]!.name === 'VariableName') parts.push(this.text(kids[i]!));
        i++;
      }
      let alias: SyntaxNode | undefined;
      if (kids[i]?.name === 'as') {
        alias = kids[i + 1];
        i += 2;
      }
      while (i < kids.length && kids[i]!.name !== 'VariableName') i++;
      if (parts.length === 0) break;
      const dotted = parts.join('.');
      const nameNode = alias ?? kids[start]!;
      const bound = alias ? dotted : parts[0]!;
      if (underCondition) {
        this.bind(this.text(nameNode), unknown(underCondition, this.span(nameNode)));
        continue;
      }
      this.bind(this.text(nameNode), this.importModule(bound, this.span(nameNode)));
    }
  }

  /** A module as a value: modelled ones are objects, repository ones carry their namespace. */
  private importModule(dotted: string, span: Span): Ev {
    if (this.ev.isModelled(dotted)) return box({ type: 'module', name: dotted }, span);
    const path = this.ev.resolveAbsolute(dotted);
    const state = path ? this.ev.load(path) : undefined;
    if (state) return box({ type: 'module', name: dotted, bindings: state.bindings }, span);
    this.ev.unresolvedImports.push({ module: dotted, span });
    return unknown(`the module ${dotted} is not read (not found under the search roots)`, span);
  }

  private execFromImport(stmt: SyntaxNode, kids: SyntaxNode[], underCondition: string | undefined): void {
    let i = 1;
    let level = 0;
    const parts: string[] = [];
    for (; i < kids.length && kids[i]!.name !== 'import'; i++) {
      const k = kids[i]!;
      if (k.name === 'VariableName') parts.push(this.text(k));
      else if (parts.length === 0) level += this.text(k).length;
    }
    const dotted = parts.join('.');
    const names: Array<{ name: SyntaxNode; alias: SyntaxNode | undefined }> = [];
    let star: SyntaxNode | undefined;
    for (i++; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.name === '*') star = k;
      else if (k.name === 'VariableName') {
        const alias = kids[i + 1]?.name === 'as' ? kids[i + 2] : undefined;
        names.push({ name: k, alias });
        if (alias) i += 2;
      }
    }
    const label = `${'.'.repeat(level)}${dotted}`;
    const span = this.span(stmt);
    if (level === 0 && this.ev.isModelled(dotted)) {
      for (const { name, alias } of names) {
        const target = alias ?? name;
        this.bind(this.text(target), underCondition ? unknown(underCondition, this.span(target)) : modelledAttribute(dotted, this.text(name), this.span(target), this.ev.libraries));
      }
      return;
    }
    const path = this.resolveFrom(level, dotted);
    const state = path ? this.ev.load(path) : undefined;
    if (!state) {
      if (level > 0 && !underCondition) throw new PyRaise('ImportError', `${label} cannot be found next to ${this.mod.path}`, span);
      this.ev.unresolvedImports.push({ module: label, span });
      if (star) this.mod.opaqueStarImport ??= `\`from ${label} import *\` (line ${this.line(stmt)}), which cannot be read`;
      for (const { name, alias } of names) {
        const target = alias ?? name;
        this.bind(this.text(target), unknown(underCondition ?? `${this.text(name)} comes from ${label}, which is not read (not found under the search roots)`, this.span(target)));
      }
      return;
    }
    if (star) {
      for (const name of this.publicNames(state)) {
        const value = state.bindings.get(name)!;
        this.bind(name, underCondition ? unknown(underCondition, value.span) : value);
      }
      if (state.opaqueStarImport) this.mod.opaqueStarImport ??= state.opaqueStarImport;
    }
    for (const { name, alias } of names) {
      const target = alias ?? name;
      const wanted = this.text(name);
      if (underCondition) {
        this.bind(this.text(target), unknown(underCondition, this.span(target)));
        continue;
      }
      const value = state.bindings.get(wanted) ?? this.submodule(path!, wanted, this.span(target));
      if (value) this.bind(this.text(target), value);
      else if (state.opaqueStarImport) this.bind(this.text(target), unknown(`${wanted} may come from ${state.opaqueStarImport}`, this.span(target)));
      else throw new PyRaise('ImportError', `cannot import name '${wanted}' from ${label}`, this.span(name));
    }
  }

  /** `from pkg import mod` where mod is a file of the package rather than a name in `__init__.py`. */
  private submodule(packagePath: string, name: string, span: Span): Ev | undefined {
    if (!packagePath.endsWith('/__init__.py') && packagePath !== '__init__.py') return undefined;
    const dir = posix.dirname(packagePath);
    const path = moduleCandidates(dir, name).find((p) => this.ev.exists(p));
    const state = path ? this.ev.load(path) : undefined;
    return state ? box({ type: 'module', name, bindings: state.bindings }, span) : undefined;
  }

  private resolveFrom(level: number, dotted: string): string | undefined {
    if (level === 0) return this.ev.resolveAbsolute(dotted);
    let dir = posix.dirname(this.mod.path);
    for (let l = 1; l < level; l++) dir = posix.dirname(dir);
    return moduleCandidates(dir, dotted).find((p) => this.ev.exists(p));
  }

  /** What `import *` copies: `__all__` when it is a known list of names, else every name not starting with `_`. */
  private publicNames(state: ModuleState): string[] {
    const all = state.bindings.get('__all__');
    if (all?.kind === 'box' && (all.obj.type === 'list' || all.obj.type === 'tuple') && !all.obj.unknownContent) {
      const names = all.obj.items.map((item) => (item.kind === 'known' && typeof item.value === 'string' ? item.value : undefined));
      if (names.every((n) => n !== undefined)) return (names as string[]).filter((n) => state.bindings.has(n));
    }
    return [...state.bindings.keys()].filter((n) => !n.startsWith('_'));
  }

  // ---- invalidation: what a statement we do not run might change ------------------------------

  /** Makes everything `node` could bind or change unknown, without running it. */
  private invalidate(node: SyntaxNode, reason: string, depth = 0): void {
    if (depth > MAX_STATEMENT_NESTING) {
      this.ctx.forgetNamespace(reason, this.span(node));
      return;
    }
    switch (node.name) {
      case 'AssignStatement': {
        const segments = this.assignSegments(node);
        for (const target of segments.slice(0, -1)) for (const t of target) if (t.name !== ',') this.invalidateTarget(t, reason);
        this.invalidateCalls(segments[segments.length - 1] ?? [], reason);
        return;
      }
      case 'UpdateStatement': {
        const kids = childNodes(node);
        if (kids[0]) this.invalidateTarget(kids[0], reason);
        this.invalidateCalls(kids.slice(1), reason);
        return;
      }
      case 'ImportStatement':
        try {
          this.execImport(node, reason);
        } catch (e) {
          if (!(e instanceof PyRaise)) throw e;
        }
        return;
      case 'FunctionDefinition':
      case 'ClassDefinition':
      case 'DecoratedStatement':
        return this.bindDefinition(node);
      case 'DeleteStatement':
        for (const t of childNodes(node)) if (t.name !== 'del' && t.name !== ',') this.invalidateTarget(t, reason);
        return;
      case 'ExpressionStatement':
        return this.invalidateCalls(childNodes(node), reason);
      default: {
        // Compound statements: loop and with targets, except names, and every nested statement.
        const kids = childNodes(node);
        for (let i = 0; i < kids.length; i++) {
          const k = kids[i]!;
          if ((k.name === 'for' || k.name === 'as') && kids[i + 1]) {
            const end = kids.findIndex((c, j) => j > i && (c.name === 'in' || c.name === 'Body' || c.name === ','));
            for (const t of kids.slice(i + 1, k.name === 'for' && end > 0 ? end : i + 2)) if (t.name !== ',') this.invalidateTarget(t, reason);
          } else if (k.name === 'Body') {
            for (const s of this.statements(k)) this.invalidate(s, reason, depth + 1);
          } else if (/Expression$|^VariableName$/.test(k.name) && node.name !== 'Body') {
            this.invalidateCalls([k], reason);
          } else if (node.name === 'Body') {
            this.invalidate(k, reason, depth + 1);
          }
        }
      }
    }
  }

  private invalidateTarget(target: SyntaxNode, reason: string): void {
    switch (target.name) {
      case 'VariableName':
        this.bind(this.text(target), unknown(reason, this.span(target)));
        return;
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        for (const c of childNodes(target)) if (!['(', ')', '[', ']', ','].includes(c.name)) this.invalidateTarget(c, reason);
        return;
      case 'MemberExpression': {
        const parts = this.memberParts(target);
        if (!parts) return;
        const object = this.safeExpr(parts.object);
        const key = parts.key && !parts.slice ? this.safeExpr(parts.key) : undefined;
        if (object.kind === 'box' && object.obj.type === 'environ') {
          if (key?.kind === 'known' && typeof key.value === 'string') this.ctx.envSet(key.value, unknown(reason, this.span(target)));
          else this.ctx.envForgetAll(reason);
        } else if (object.kind === 'box' && object.obj.type === 'dict' && key && key.kind !== 'unknown') {
          dictSet(object.obj, key, unknown(reason, this.span(target)));
        } else if (object.kind === 'box' && object.obj.type === 'dict' && key) {
          object.obj.entries.push({ key: unknown(reason, key.span), value: unknown(reason, this.span(target)) });
        } else {
          this.forgetContents(object, reason);
        }
        return;
      }
      default:
        for (const c of childNodes(target)) this.invalidateTarget(c, reason);
    }
  }

  /** Calls that change things in place, inside code we do not run: their receivers become unknown. */
  private invalidateCalls(nodes: SyntaxNode[], reason: string): void {
    for (const n of nodes) {
      const cursor = n.cursor();
      do {
        if (cursor.name !== 'CallExpression') continue;
        const call = cursor.node;
        const callee = childNodes(call)[0];
        if (callee?.name !== 'MemberExpression') continue;
        const parts = this.memberParts(callee);
        const receiver = parts ? this.safeExpr(parts.object) : undefined;
        const method = parts?.attribute;
        if (!receiver || !method) continue;
        if (receiver.kind === 'box' && receiver.obj.type === 'environ' && MUTATING_METHODS.has(method)) this.ctx.envForgetAll(reason);
        else if (MUTATING_METHODS.has(method)) this.forgetContents(receiver, reason);
        else if (method === 'read_env' || method === 'load_dotenv') this.ctx.dotenvLoaded(this.span(call), 'unknown');
      } while (cursor.next() && cursor.from < n.to);
    }
  }

  private safeExpr(node: SyntaxNode): Ev {
    try {
      return this.expr(node);
    } catch (e) {
      if (!(e instanceof PyRaise)) throw e;
      return unknown(`${e.exception}: ${e.message}`, this.span(node));
    }
  }
}

function describe(v: Ev): string {
  if (v.kind === 'unknown') return `a value that cannot be known (${v.reason})`;
  if (v.kind === 'known') return JSON.stringify(v.value);
  return isContainer(v.obj) ? `a ${v.obj.type}` : 'an object';
}

/** Python's exception hierarchy, as far as settings code catches it. */
const EXCEPTION_PARENTS: Record<string, string> = {
  ModuleNotFoundError: 'ImportError',
  KeyError: 'LookupError',
  IndexError: 'LookupError',
  UndefinedValueError: 'Exception',
  ImproperlyConfigured: 'Exception',
  ZeroDivisionError: 'ArithmeticError',
  OverflowError: 'ArithmeticError',
};

function exceptionMatches(raised: string, caught: string[]): boolean {
  if (caught.length === 0) return true;
  for (let name: string | undefined = raised; name; name = own(EXCEPTION_PARENTS, name) ?? (name === 'Exception' || name === 'BaseException' ? undefined : 'Exception')) {
    const short = name;
    if (caught.some((c) => c === short || c.endsWith(`.${short}`) || c === 'BaseException')) return true;
  }
  return false;
}

function dictDelete(dict: DictObject, key: Ev): boolean {
  const index = dict.entries.findIndex((e) => e.key.kind !== 'unknown' && pyEquals(e.key, key) === true);
  if (index < 0) return dict.entries.some((e) => e.key.kind === 'unknown');
  dict.entries.splice(index, 1);
  return true;
}

/** Files named `names` in `dir` or any parent inside the root, nearest first (python-decouple's and python-dotenv's search). */
function filesUpwards(dir: string, names: string[], exists: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = posix.dirname(d)) {
    const base = d === '.' ? '' : d;
    for (const name of names) {
      const p = base ? `${base}/${name}` : name;
      if (exists(p)) found.push(p);
    }
    if (d === '.' || d === '/' || d === '' || posix.dirname(d) === d) break;
  }
  return found;
}

