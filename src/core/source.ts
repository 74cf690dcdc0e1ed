/**
 * A file as arena-lint read it. Positions everywhere else are byte offsets into `text`
 * (ruff's approach); line and column are only computed when something is printed.
 */
export interface SourceFile {
  /** Path relative to the checked root, always with `/` separators. */
  readonly path: string;
  readonly text: string;
  readonly lineStarts: readonly number[];
  /** The file began with a UTF-8 byte order mark, removed from `text` (nginx, for one, does not skip it). */
  readonly bom?: true;
}

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, counted in UTF-16 code units like every editor and GitHub. */
  column: number;
}

export function createSourceFile(path: string, text: string): SourceFile {
  const lineStarts = [0];
  // indexOf, not a loop over characters: a check reads whole files before any code is optimised.
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { path, text, lineStarts };
}

export function positionAt(file: SourceFile, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, file.text.length));
  let lo = 0;
  let hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid]! <= clamped) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: clamped - file.lineStarts[lo]! + 1 };
}

/** Offset of a 1-based line and column; the inverse of positionAt. */
export function offsetAt(file: SourceFile, line: number, column: number): number {
  const start = file.lineStarts[Math.max(0, Math.min(line - 1, file.lineStarts.length - 1))] ?? 0;
  return Math.min(file.text.length, start + Math.max(0, column - 1));
}

export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1];
  if (start === undefined) return '';
  const next = file.lineStarts[line];
  const end = next === undefined ? file.text.length : next - 1;
  return file.text.slice(start, end).replace(/\r$/, '');
}

/** Every file read during one run, shared by all stacks so a file shared by two stacks is read once. */
export class SourceSet {
  private readonly files = new Map<string, SourceFile>();

  add(file: SourceFile): SourceFile {
    const existing = this.files.get(file.path);
    if (existing) return existing;
    this.files.set(file.path, file);
    return file;
  }

  get(path: string): SourceFile | undefined {
    return this.files.get(path);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  all(): SourceFile[] {
    return [...this.files.values()];
  }
}
