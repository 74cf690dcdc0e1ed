import type { Span } from '../core/value.js';
import type { NginxArg } from '../parsers/nginx.js';
import type { NginxModel, NginxNode } from '../inputs/nginx.js';

/**
 * How nginx's own security traps (the class gixy checks) read the assembled configuration of one
 * nginx container: configuration levels with their inheritance, the `if` conditions, the regex
 * captures a location makes, and where a variable's value comes from. Every node here is a node of
 * the container's nginx model, so a directive set in an included file counts like any other.
 */

/** The blocks that open a configuration level of their own (ngx_http_core_module's merge levels). */
const LEVELS: ReadonlySet<string> = new Set(['http', 'server', 'location', 'if', 'limit_except']);

export function isLevel(node: NginxNode): boolean {
  return LEVELS.has(node.directive.name) && node.directive.block !== undefined;
}

/** Every node of the model, depth first. */
export function allNodes(model: NginxModel): NginxNode[] {
  const out: NginxNode[] = [];
  const visit = (n: NginxNode) => {
    out.push(n);
    n.children.forEach(visit);
  };
  model.roots.forEach(visit);
  return out;
}

/** The file a root node was loaded from (the include chain's outermost file). */
function rootFile(node: NginxNode): string {
  return node.includedVia[0]?.file ?? node.directive.span.file;
}

/**
 * Top-level directives that sit in the image's own `http {}` block: with the official image's
 * default nginx.conf, every conf.d file (and every rendered template) is included in http, so their
 * top-level directives share one implicit http level.
 */
export function implicitHttpLevel(model: NginxModel): NginxNode[] {
  if (!model.implicitMain) return [];
  const roles = new Map(model.files.map((f) => [f.path, f.role]));
  return model.roots.filter((r) => r.context === 'http' && (roles.get(rootFile(r)) === 'conf.d' || roles.get(rootFile(r)) === 'template'));
}

/** The level a node's directives belong to: the nearest enclosing block that opens a level. */
export function levelOf(node: NginxNode): NginxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (isLevel(p)) return p;
  return undefined;
}

/**
 * The directives named `name` in effect at `level` (a level node, or undefined for the implicit http
 * level), following nginx's rule for array directives such as add_header and proxy_set_header: a
 * level inherits its parent's list only when it sets none itself.
 */
export function effective(model: NginxModel, level: NginxNode | undefined, name: string): NginxNode[] {
  for (let l: NginxNode | undefined = level; l; l = levelOf(l)) {
    const here = l.children.filter((c) => c.directive.name === name);
    if (here.length) return here;
    if (!levelOf(l) && l.directive.name !== 'http' && l.context === 'http') {
      return implicitHttpLevel(model).filter((c) => c.directive.name === name);
    }
  }
  return level === undefined ? implicitHttpLevel(model).filter((c) => c.directive.name === name) : [];
}

/** The nearest value of a scalar directive (e.g. `add_header_inherit`) at or above a level. */
export function nearest(model: NginxModel, level: NginxNode | undefined, name: string): NginxNode | undefined {
  return effective(model, level, name).at(-1);
}

/** How a level is named in messages: `location /static`, `server example.com`, `if ($x)`. */
export function levelLabel(level: NginxNode | undefined): string {
  if (!level) return 'the http block';
  const d = level.directive;
  if (d.name === 'server') {
    const names = level.children.find((c) => c.directive.name === 'server_name')?.directive.args.map((a) => a.value).filter((v) => v && v !== '_');
    return names?.length ? `server ${names.join(' ')}` : 'server';
  }
  if (d.name === 'http') return 'the http block';
  return `${d.name} ${d.args.map((a) => a.raw).join(' ')}`.trim();
}

/** The enclosing location of a node, if any. */
export function locationOf(node: NginxNode): NginxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.directive.name === 'location') return p;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// if conditions

export interface IfCondition {
  /** `$http_origin` */
  readonly variable: string;
  /** `~`, `~*`, `!~`, `!~*`, `=`, `!=`, or '' for a bare variable test. */
  readonly operator: string;
  readonly operand?: NginxArg;
}

/** `if ($http_origin !~* '^https://example\.com$')` read as variable, operator and operand. */
export function ifCondition(node: NginxNode): IfCondition | undefined {
  if (node.directive.name !== 'if') return undefined;
  const args = node.directive.args.map((a) => ({ ...a }));
  if (args.length === 0) return undefined;
  const first = args[0]!;
  const variable = first.value.replace(/^\(/, '').replace(/\)$/, '').trim();
  if (!variable.startsWith('$')) return undefined;
  const rest = args.slice(1).filter((a) => a.value !== ')');
  const operator = rest[0]?.value ?? '';
  let operand = rest[1];
  if (operand && operand.value.endsWith(')') && operand.quote === null) {
    operand = { ...operand, value: operand.value.slice(0, -1) };
  }
  return operand ? { variable, operator, operand } : { variable, operator };
}

// ---------------------------------------------------------------------------------------------
// regex captures

export interface CaptureGroup {
  /** 1-based PCRE group number. */
  readonly index: number;
  readonly name?: string;
  /** The group's pattern, without the parentheses and name. */
  readonly source: string;
}

/** The capturing groups of a PCRE pattern, numbered the way PCRE numbers them (named groups count too). */
export function captureGroups(pattern: string): CaptureGroup[] {
  const out: CaptureGroup[] = [];
  const open: Array<{ index?: number; name?: string; start: number }> = [];
  let count = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      // a class: `]` right after `[` or `[^` is a literal
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (ch === '(') {
      const named = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(pattern.slice(i));
      if (named) {
        count++;
        open.push({ index: count, name: named[1] ?? named[2]!, start: i + named[0].length });
        i += named[0].length - 1;
      } else if (pattern[i + 1] === '?') {
        open.push({ start: i + 1 });
      } else {
        count++;
        open.push({ index: count, start: i + 1 });
      }
      continue;
    }
    if (ch === ')') {
      const g = open.pop();
      if (g?.index !== undefined) out.push({ index: g.index, ...(g.name ? { name: g.name } : {}), source: pattern.slice(g.start, i) });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Whether a group can match a line feed. PCRE's `.` stops at `\n` (it still takes `\r`), so
 * `(.*)` cannot split a header; `\W`, `\s`, `\D`, `\v`, `\R`, a negated class or a literal `\n` can.
 */
export function canMatchNewline(source: string): boolean {
  if (/\\[WsDvRH]|\\n|\\x0?[aA]\b/.test(source)) return true;
  // A negated class that does not itself exclude \n.
  for (const m of source.matchAll(/\[\^((?:\\.|[^\]\\])*)\]/g)) {
    if (!/\\n|\\s|\\v|\\R/.test(m[1]!)) return true;
  }
  return false;
}

/** A group that only matches a few fixed words (`(https?)`, `(a|b)`), not arbitrary text. */
export function isFixedWords(source: string): boolean {
  return /^(?:[A-Za-z0-9_-]|\\[.\-_/]|[|?])*$/.test(source);
}

// ---------------------------------------------------------------------------------------------
// variables

/** `$name`, `${name}` and `$1` in an nginx value, with their offsets in the value. */
export function variablesIn(value: string): Array<{ name: string; start: number; end: number }> {
  const out: Array<{ name: string; start: number; end: number }> = [];
  for (const m of value.matchAll(/\$(?:\{(\w+)\}|(\d|[A-Za-z_]\w*))/g)) {
    out.push({ name: m[1] ?? m[2]!, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The regex that defines numbered and named captures at a node: its location's (or enclosing if's) regex. */
export function captureSource(node: NginxNode): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.directive.name === 'location') {
      const args = p.directive.args;
      if (args[0] && (args[0].value === '~' || args[0].value === '~*') && args[1]) return args[1].value;
      const joined = args[0]?.value ?? '';
      if (/^~\*?./.test(joined)) return joined.replace(/^~\*?/, '');
      return undefined;
    }
  }
  return undefined;
}

/**
 * The value a `set $name ...` gives the variable where `node` runs: the nearest `set` in the node's
 * own block or an enclosing one, before the node. Undefined when nothing here sets it (a built-in,
 * a map, or a variable set elsewhere).
 */
export function setValue(node: NginxNode, name: string): NginxNode | undefined {
  for (let child: NginxNode | undefined = node; child?.parent; child = child.parent) {
    const siblings = child.parent.children;
    const before = siblings.slice(0, siblings.indexOf(child));
    const set = before.reverse().find((s) => s.directive.name === 'set' && s.directive.args[0]?.value === `$${name}`);
    if (set) return set;
  }
  return undefined;
}

/** Variables a client chooses freely through the request line or headers. */
export function isClientVariable(name: string): boolean {
  return /^(http_|arg_|cookie_)/.test(name) || name === 'args' || name === 'query_string' || name === 'request_body';
}

export type VariableOrigin =
  /** Chosen by the client; `why` names the source. */
  | { readonly kind: 'client'; readonly why: string; readonly newline: boolean; readonly span?: Span }
  | { readonly kind: 'safe' }
  | { readonly kind: 'unknown' };

/**
 * Where a variable used at `node` gets its value: a client-controlled header or argument, a capture
 * of the location's regex (and whether that capture can hold a line feed), or a `set` of either.
 */
export function variableOrigin(node: NginxNode, name: string, depth = 0): VariableOrigin {
  if (depth > 8) return { kind: 'unknown' };
  const set = setValue(node, name);
  if (set) {
    const value = set.directive.args[1]?.value ?? '';
    const vars = variablesIn(value);
    for (const v of vars) {
      const o = variableOrigin(set, v.name, depth + 1);
      if (o.kind === 'client') return { ...o, span: set.directive.span };
    }
    return vars.length === 0 ? { kind: 'safe' } : { kind: 'unknown' };
  }
  if (isClientVariable(name)) return { kind: 'client', why: `$${name} comes from the request`, newline: false };
  const regex = captureSource(node);
  if (regex !== undefined) {
    const groups = captureGroups(regex);
    const g = /^\d$/.test(name) ? groups.find((x) => x.index === Number(name)) : groups.find((x) => x.name === name);
    if (g) {
      if (isFixedWords(g.source)) return { kind: 'safe' };
      return { kind: 'client', why: `$${name} is the capture (${g.source}) of the location's regex`, newline: canMatchNewline(g.source) };
    }
  }
  return { kind: 'unknown' };
}
