/**
 * Sample strings a PCRE pattern accepts, for judging Origin/Referer checks the way gixy's `origins`
 * plugin does: walk the pattern, expand alternatives and optional parts, and wherever the pattern
 * accepts a `/` (a `.`, `.*`, a class without `/`) put one there, because a `/` is what lets an
 * attacker's host come first. The samples are data for the check, never executed as a pattern.
 */

type Element =
  | { readonly t: 'chars'; readonly options: readonly string[] }
  | { readonly t: 'group'; readonly alternatives: readonly Element[][] }
  | { readonly t: 'repeat'; readonly element: Element; readonly min: number }
  | { readonly t: 'start' }
  | { readonly t: 'end' };

const START = '\u0001';
const END = '\u0002';
const MAX_SAMPLES = 256;
const ATTACK_CHARS = ['/', 'a', 'z', '0', '.', '-', '_', ':'];
// What the author had in mind: `.` is a dot, a class is a letter.
const INTENDED_CHARS = ['a', 'z', '0', '-', '.', '_', ':', '/'];

function classAccepts(body: string, negated: boolean): (ch: string) => boolean {
  const items: Array<(ch: string) => boolean> = [];
  for (let i = 0; i < body.length; i++) {
    let ch = body[i]!;
    if (ch === '\\' && i + 1 < body.length) {
      const e = body[++i]!;
      const esc = escapeClass(e);
      if (esc) {
        items.push(esc);
        continue;
      }
      ch = e;
    }
    if (body[i + 1] === '-' && i + 2 < body.length) {
      let hi = body[i + 2]!;
      i += 2;
      if (hi === '\\' && i + 1 < body.length) hi = body[++i]!;
      const lo = ch;
      items.push((c) => c >= lo && c <= hi);
      continue;
    }
    const lit = ch;
    items.push((c) => c === lit);
  }
  return (c) => items.some((f) => f(c)) !== negated;
}

function escapeClass(e: string): ((ch: string) => boolean) | undefined {
  switch (e) {
    case 'w': return (c) => /\w/.test(c);
    case 'W': return (c) => /\W/.test(c);
    case 'd': return (c) => /\d/.test(c);
    case 'D': return (c) => /\D/.test(c);
    case 's': return (c) => /\s/.test(c);
    case 'S': return (c) => /\S/.test(c);
    default: return undefined;
  }
}

function pick(accepts: (ch: string) => boolean, preferred: readonly string[]): string[] {
  const c = preferred.find(accepts);
  return c === undefined ? [] : [c];
}

class Parser {
  private i = 0;
  constructor(private readonly p: string, private readonly intended = false) {}

  private get preferred(): readonly string[] {
    return this.intended ? INTENDED_CHARS : ATTACK_CHARS;
  }

  parse(): Element[][] {
    const alts = this.alternatives();
    return alts;
  }

  private alternatives(): Element[][] {
    const alts: Element[][] = [[]];
    while (this.i < this.p.length) {
      const ch = this.p[this.i]!;
      if (ch === ')') break;
      if (ch === '|') {
        this.i++;
        alts.push([]);
        continue;
      }
      const el = this.atom();
      if (!el) continue;
      alts[alts.length - 1]!.push(this.quantified(el));
    }
    return alts;
  }

  private quantified(el: Element): Element {
    const q = this.p[this.i];
    let min = -1;
    if (q === '*') min = 0;
    else if (q === '+') min = 1;
    else if (q === '?') min = 0;
    else if (q === '{') {
      const m = /^\{(\d*)(,\d*)?\}/.exec(this.p.slice(this.i));
      if (m) {
        this.i += m[0].length;
        const n = m[1] ? Number(m[1]) : 0;
        this.lazy();
        return { t: 'repeat', element: el, min: Math.min(n, 3) };
      }
    }
    if (min < 0) return el;
    this.i++;
    this.lazy();
    return { t: 'repeat', element: el, min };
  }

  private lazy(): void {
    if (this.p[this.i] === '?' || this.p[this.i] === '+') this.i++;
  }

  private atom(): Element | undefined {
    const ch = this.p[this.i++]!;
    switch (ch) {
      case '^': return { t: 'start' };
      case '$': return { t: 'end' };
      case '.': return { t: 'chars', options: [this.intended ? '.' : '/'] };
      case '(': {
        const m = /^\?(?:P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*'|:|[imsx-]+:)?/.exec(this.p.slice(this.i));
        if (m) this.i += m[0].length;
        // Look-arounds assert without consuming: skip them.
        if (/^\?(=|!|<=|<!)/.test(this.p.slice(this.i))) {
          this.alternatives();
          this.i++;
          return undefined;
        }
        const alternatives = this.alternatives();
        this.i++; // ')'
        return { t: 'group', alternatives };
      }
      case '[': {
        let negated = false;
        if (this.p[this.i] === '^') {
          negated = true;
          this.i++;
        }
        let body = '';
        if (this.p[this.i] === ']') body += this.p[this.i++];
        while (this.i < this.p.length && this.p[this.i] !== ']') {
          if (this.p[this.i] === '\\') body += this.p[this.i++];
          body += this.p[this.i++];
        }
        this.i++;
        return { t: 'chars', options: pick(classAccepts(body, negated), this.preferred) };
      }
      case '\\': {
        const e = this.p[this.i++] ?? '';
        const cls = escapeClass(e);
        if (cls) return { t: 'chars', options: pick(cls, this.preferred) };
        if (e === 'b' || e === 'B' || e === 'A' || e === 'G') return e === 'A' ? { t: 'start' } : undefined;
        if (e === 'z' || e === 'Z') return { t: 'end' };
        return { t: 'chars', options: [e] };
      }
      default:
        return { t: 'chars', options: [ch] };
    }
  }
}

function expand(seq: readonly Element[]): string[] {
  let out = [''];
  for (const el of seq) {
    const parts = expandOne(el);
    const next: string[] = [];
    for (const a of out) for (const b of parts) if (next.length < MAX_SAMPLES) next.push(a + b);
    out = next;
    if (out.length === 0) return [];
  }
  return out;
}

function expandOne(el: Element): string[] {
  switch (el.t) {
    case 'chars': return [...el.options];
    case 'start': return [START];
    case 'end': return [END];
    case 'group': return el.alternatives.flatMap(expand).slice(0, MAX_SAMPLES);
    case 'repeat': {
      const once = expandOne(el.element);
      if (el.min === 0) return ['', ...once];
      return once.map((s) => s.repeat(el.min));
    }
  }
}

export interface Sample {
  /** The sample text without anchors. */
  readonly text: string;
  /** The pattern is anchored at the start (`^`) in this sample. */
  readonly anchoredStart: boolean;
  /** The pattern is anchored at the end (`$`) in this sample. */
  readonly anchoredEnd: boolean;
}

/** Representative strings the pattern accepts, one per combination of alternatives (capped). */
export function sampleMatches(pattern: string, intended = false): Sample[] {
  const alts = new Parser(pattern, intended).parse();
  const out: Sample[] = [];
  for (const alt of alts) {
    for (const s of expand(alt)) {
      if (out.length >= MAX_SAMPLES) return out;
      // An anchor in the middle of a sample (`(^|x)`) does not anchor the whole match.
      out.push({ text: s.replace(/[\u0001\u0002]/g, ''), anchoredStart: s.startsWith(START), anchoredEnd: s.endsWith(END) });
    }
  }
  return out;
}

/**
 * gixy's reading of a sample: a sample not anchored at the start may follow an attacker's prefix,
 * one not ending at `/` or `$` may be followed by an attacker's suffix. The result is the Origin or
 * Referer an attacker could send that the pattern still accepts.
 */
export function attackerValue(s: Sample): string {
  let v = s.text;
  if (!s.anchoredStart) v = `http://evil.com/${v}`;
  if (!s.anchoredEnd && !v.endsWith('/')) v += '.evil.com';
  return v;
}

const TRUSTED_URL = /^(https?):\/\/(?:[^/.]*\.){0,10}([^/.]*\.[^/]{2,7}?)(?::\d*)?(?:\/|\?|$)/;

/** The host a value names when it looks like the site's own URL, else undefined (an attacker's or a broken one). */
export function siteHost(value: string): { scheme: string; domain: string } | undefined {
  const m = TRUSTED_URL.exec(value);
  if (!m || m[2] === 'evil.com' || /(^|\.)evil\.com$/.test(m[2]!)) return undefined;
  return { scheme: m[1]!, domain: m[2]! };
}

/** A PCRE pattern as a JavaScript RegExp, when the translation is simple; undefined otherwise. */
function toJsRegExp(pattern: string, caseInsensitive: boolean): RegExp | undefined {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), caseInsensitive ? 'i' : '');
  } catch {
    return undefined;
  }
}

/**
 * A realistic value an attacker could send that the pattern accepts, for the message: built from
 * the site the pattern means (a sample whose host is the site's own) and tried against the pattern.
 */
export function exampleAttack(pattern: string, caseInsensitive: boolean): string | undefined {
  const re = toJsRegExp(pattern, caseInsensitive);
  const samples = sampleMatches(pattern);
  const bad = samples.map(attackerValue).find((v) => siteHost(v) === undefined);
  if (bad === undefined) return undefined;
  const legit = [...sampleMatches(pattern, true), ...samples].map((s) => s.text).find((t) => siteHost(t) !== undefined);
  const site = legit !== undefined ? siteHost(legit) : undefined;
  if (re && site && legit) {
    const host = /^https?:\/\/([^/?#]*)/.exec(legit)?.[1] ?? site.domain;
    const scheme = site.scheme;
    const candidates = [
      `${scheme}://${host}.evil.com`,
      `${scheme}://${host}.evil.com/`,
      `${scheme}://${host.replace(/\./g, 'x')}/`,
      `${scheme}://${host.replace(/\./g, 'x')}`,
      `${scheme}://evil${host}/`,
      `${scheme}://evil.com/${legit}`,
      `${scheme}://evil.com/?${host}/`,
    ];
    const hit = candidates.find((c) => re.test(c) && !c.startsWith(`${scheme}://${host}/`));
    if (hit) return hit;
  }
  return bad;
}
