/**
 * A strict, small XML 1.0 reader for tests: elements, attributes, text, comments and the XML
 * declaration; it throws on anything not well formed (unclosed or mismatched tags, unquoted or
 * duplicate attributes, a raw `<` or an unknown entity in text, more than one root).
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, at: number): string {
  return s.replace(/&([^;\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & at ${at}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const e = ENTITIES[name];
    if (e === undefined) throw new Error(`unknown entity &${name}; at ${at}`);
    return e;
  });
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) throw new Error('unclosed XML declaration');
    i = end + 2;
  }
  type Open = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string };
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  const NAME = /[A-Za-z_][\w.-]*/y;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.includes('>')) throw new Error(`raw > in text at ${i}`);
    if (stack.length) stack[stack.length - 1]!.text += decode(chunk, i);
    else if (chunk.trim()) throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new Error('unclosed comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      const open = stack.pop();
      if (!m || !open || open.name !== m[0]) throw new Error(`mismatched </${m?.[0]}> at ${i}`);
      i = NAME.lastIndex;
      while (/\s/.test(text[i] ?? '')) i++;
      if (text[i] !== '>') throw new Error(`bad end tag at ${i}`);
      i++;
      const done: XmlElement = { ...open };
      if (stack.length) stack[stack.length - 1]!.children.push(done);
      else if (root) throw new Error('two roots');
      else root = done;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    if (!m) throw new Error(`bad tag at ${i}`);
    i = NAME.lastIndex;
    const attributes: Record<string, string> = {};
    for (;;) {
      const ws = /\s*/y;
      ws.lastIndex = i;
      ws.exec(text);
      i = ws.lastIndex;
      if (text.startsWith('/>', i) || text[i] === '>') break;
      NAME.lastIndex = i;
      const a = NAME.exec(text);
      if (!a || text[NAME.lastIndex] !== '=' || text[NAME.lastIndex + 1] !== '"') throw new Error(`bad attribute at ${i}`);
      const end = text.indexOf('"', NAME.lastIndex + 2);
      if (end < 0) throw new Error('unclosed attribute');
      const raw = text.slice(NAME.lastIndex + 2, end);
      if (raw.includes('<')) throw new Error(`< in attribute at ${i}`);
      if (Object.hasOwn(attributes, a[0])) throw new Error(`duplicate attribute ${a[0]}`);
      attributes[a[0]] = decode(raw, i);
      i = end + 1;
    }
    const el: Open = { name: m[0], attributes, children: [], text: '' };
    if (text.startsWith('/>', i)) {
      i += 2;
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('two roots');
      else root = el;
    } else {
      i += 1;
      stack.push(el);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** An element's content model: the attributes it must and may have, and its children in order. */
export interface ElementSchema {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Attributes that must be whole numbers (xs:int) or decimals (xs:decimal). */
  readonly integers?: readonly string[];
  readonly decimals?: readonly string[];
  /** Allowed child element names, each with its maximum count (Infinity for unbounded). */
  readonly children: Readonly<Record<string, number>>;
  /** Whether the element may carry text (mixed or simple content). */
  readonly text: boolean;
}

/** Checks a tree against a schema of element names; returns the problems (empty when valid). */
export function validateXml(el: XmlElement, schema: Readonly<Record<string, ElementSchema>>, path = el.name): string[] {
  const s = schema[el.name];
  if (!s) return [`${path}: element <${el.name}> is not allowed`];
  const problems: string[] = [];
  for (const a of s.required) if (!Object.hasOwn(el.attributes, a)) problems.push(`${path}: missing attribute ${a}`);
  for (const a of Object.keys(el.attributes)) if (!s.required.includes(a) && !s.optional.includes(a)) problems.push(`${path}: attribute ${a} is not allowed`);
  for (const a of s.integers ?? []) if (a in el.attributes && !/^-?\d+$/.test(el.attributes[a]!)) problems.push(`${path}: ${a}="${el.attributes[a]}" is not an integer`);
  for (const a of s.decimals ?? []) if (a in el.attributes && !/^-?\d+(\.\d+)?$/.test(el.attributes[a]!)) problems.push(`${path}: ${a}="${el.attributes[a]}" is not a decimal`);
  if (!s.text && el.text.trim()) problems.push(`${path}: text is not allowed`);
  const counts = new Map<string, number>();
  for (const c of el.children) {
    const max = s.children[c.name];
    if (max === undefined) problems.push(`${path}: <${c.name}> is not allowed here`);
    counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    if (max !== undefined && counts.get(c.name)! > max) problems.push(`${path}: more than ${max} <${c.name}>`);
    problems.push(...validateXml(c, schema, `${path}/${c.name}`));
  }
  return problems;
}
