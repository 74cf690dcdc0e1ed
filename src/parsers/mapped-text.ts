import type { Span } from '../core/value.js';

/**
 * A string whose every character knows the source range it came from. Compose values pass through
 * YAML decoding and `${VAR}` interpolation before a command line is split into words; this keeps each
 * word pointing at the exact characters a user would edit, and remembers which words came from an
 * env file (`via`) or from a variable nobody set (`unknownReason`).
 */
export interface MappedText {
  readonly file: string;
  readonly text: string;
  /** Source start offset of each character of `text` (typed arrays: a large stack maps millions of
   * characters); may be longer than `text`, and only indices below `text.length` mean anything. */
  readonly srcStart: ArrayLike<number>;
  /** Source end offset (exclusive) of each character of `text`. */
  readonly srcEnd: ArrayLike<number>;
  readonly substitutions: readonly Substitution[];
  /** Where the whole value is written, for an empty range. */
  readonly whole: Span;
}

/** A run of `text` that came from a variable rather than from the file itself. */
export interface Substitution {
  readonly start: number;
  readonly end: number;
  /** The expression as written, e.g. `${WORKERS:-4}`. */
  readonly source: Span;
  readonly via: readonly Span[];
  readonly unknownReason?: string;
}

export interface MappedRange {
  readonly span: Span;
  readonly via: readonly Span[];
  readonly unknownReason?: string;
}

/** Buffers hold 16 offsets, doubled as often as needed: a builder's buffers depend only on its length. */
const FIRST_CAPACITY = 16;
const NO_OFFSETS = new Int32Array(0);

export class MappedTextBuilder {
  private text = '';
  // Allocated at the first push, at the capacity the length needs (not 16 then doubled step by step).
  private srcStart: Int32Array = NO_OFFSETS;
  private srcEnd: Int32Array = NO_OFFSETS;
  private size = 0;
  private readonly subs: Substitution[] = [];

  constructor(private readonly file: string, private readonly whole: Span) {}

  get length(): number {
    return this.text.length;
  }

  private reserve(more: number): void {
    const need = this.size + more;
    if (need <= this.srcStart.length && this.srcStart.length > 0) return;
    let cap = Math.max(FIRST_CAPACITY, this.srcStart.length);
    while (cap < need) cap *= 2;
    if (cap === this.srcStart.length) return;
    const starts = new Int32Array(cap);
    const ends = new Int32Array(cap);
    if (this.size > 0) {
      starts.set(this.srcStart.subarray(0, this.size));
      ends.set(this.srcEnd.subarray(0, this.size));
    }
    this.srcStart = starts;
    this.srcEnd = ends;
  }

  /** Appends characters written literally; `starts[i]`/`ends[i]` locate character i in the source. */
  pushChar(ch: string, start: number, end: number): void {
    this.text += ch;
    this.reserve(ch.length);
    for (let i = 0; i < ch.length; i++) {
      this.srcStart[this.size] = start;
      this.srcEnd[this.size] = end;
      this.size++;
    }
  }

  /** Appends `text`, whose characters map one to one onto the source from `offset` on. */
  pushLiteral(text: string, offset: number): void {
    this.text += text;
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) {
      this.srcStart[this.size + i] = offset + i;
      this.srcEnd[this.size + i] = offset + i + 1;
    }
    this.size += text.length;
  }

  pushMapped(m: MappedText, from = 0, to = m.text.length): void {
    const offset = this.text.length;
    this.text += m.text.slice(from, to);
    this.reserve(to - from);
    for (let i = from; i < to; i++) {
      this.srcStart[this.size] = m.srcStart[i]!;
      this.srcEnd[this.size] = m.srcEnd[i]!;
      this.size++;
    }
    for (const s of m.substitutions) {
      const a = Math.max(s.start, from);
      const b = Math.min(s.end, to);
      if (a < b) this.subs.push({ ...s, start: a - from + offset, end: b - from + offset });
    }
  }

  /** Appends text that replaced the source range [start, end) (a `${VAR}` expression). */
  pushSubstitution(value: string, start: number, end: number, via: readonly Span[], unknownReason?: string): void {
    const at = this.text.length;
    this.pushChar(value, start, end);
    const source = { file: this.file, start, end };
    // An unset variable may expand to nothing; the word it sits in still becomes unknown.
    this.subs.push(unknownReason === undefined
      ? { start: at, end: at + value.length, source, via }
      : { start: at, end: at + value.length, source, via, unknownReason });
  }

  build(): MappedText {
    this.reserve(0);
    // The buffers as they are (no views): only indices below text.length are ever read, and later
    // pushes write past them or into new buffers.
    return { file: this.file, text: this.text, srcStart: this.srcStart, srcEnd: this.srcEnd, substitutions: this.subs, whole: this.whole };
  }
}

/** A MappedText whose characters map one to one onto `text` starting at `offset` in `file`. */
export function literalText(file: string, text: string, offset: number): MappedText {
  const b = new MappedTextBuilder(file, { file, start: offset, end: offset + text.length });
  b.pushLiteral(text, offset);
  return b.build();
}

/** The source span, env-file origins and unknown-ness of `text[start, end)`. */
export function rangeOf(m: MappedText, start: number, end: number): MappedRange {
  let s = Infinity;
  let e = -Infinity;
  for (let i = start; i < end; i++) {
    s = Math.min(s, m.srcStart[i]!);
    e = Math.max(e, m.srcEnd[i]!);
  }
  const via: Span[] = [];
  let unknownReason: string | undefined;
  for (const sub of m.substitutions) {
    // A zero-length substitution (unset variable) taints the word it sits in or touches.
    const touches = sub.start === sub.end ? sub.start >= start && sub.start <= end : sub.start < end && sub.end > start;
    if (!touches) continue;
    s = Math.min(s, sub.source.start);
    e = Math.max(e, sub.source.end);
    via.push(...sub.via);
    if (unknownReason === undefined && sub.unknownReason !== undefined) unknownReason = sub.unknownReason;
  }
  const span = s === Infinity ? m.whole : { file: m.file, start: s, end: Math.max(e, s) };
  return unknownReason === undefined ? { span, via } : { span, via, unknownReason };
}

/** The characters `from`..`to` of a mapped text, each still pointing at its source. */
export function sliceMapped(m: MappedText, from: number, to: number): MappedText {
  const starts = new Int32Array(Math.max(0, to - from));
  const ends = new Int32Array(starts.length);
  for (let i = from; i < to; i++) {
    starts[i - from] = m.srcStart[i]!;
    ends[i - from] = m.srcEnd[i]!;
  }
  return {
    file: m.file,
    text: m.text.slice(from, to),
    srcStart: starts,
    srcEnd: ends,
    substitutions: m.substitutions.filter((s) => s.end > from && s.start < to).map((s) => ({ ...s, start: Math.max(0, s.start - from), end: Math.min(to, s.end) - from })),
    whole: m.whole,
  };
}
