import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createSourceFile, positionAt, type SourceFile } from '../../src/core/source.js';
import type { Span } from '../../src/core/value.js';
import type { SysctlSetting } from '../../src/parsers/sysctl.js';

export const FIXTURES = new URL('../../fixtures/sysctl/', import.meta.url).pathname;
export const CORPUS = '/work/shared/corpus';

export function fixture(rel: string): SourceFile {
  return createSourceFile(`fixtures/sysctl/${rel}`, readFileSync(join(FIXTURES, rel), 'utf8'));
}

/** The span of the first `needle` on the only line of `file` that contains `line`: where a user sees it. */
export function spanIn(file: SourceFile, line: string, needle: string): Span {
  const lineAt = file.text.indexOf(line);
  expect(lineAt, `line ${JSON.stringify(line)} in ${file.path}`).toBeGreaterThanOrEqual(0);
  expect(file.text.indexOf(line, lineAt + 1), `line ${JSON.stringify(line)} is unique`).toBe(-1);
  const lineStart = file.text.lastIndexOf('\n', lineAt) + 1;
  const lineEnd = file.text.indexOf('\n', lineAt) < 0 ? file.text.length : file.text.indexOf('\n', lineAt);
  const start = file.text.indexOf(needle, lineStart);
  expect(start, `${JSON.stringify(needle)} on that line`).toBeGreaterThanOrEqual(0);
  expect(start + needle.length).toBeLessThanOrEqual(lineEnd);
  return { file: file.path, start, end: start + needle.length };
}

export function slice(file: SourceFile, span: Span): string {
  return file.text.slice(span.start, span.end);
}

/** key, value, the value's source text and its 1-based line: what a reader checks by eye. */
export function describeSettings(file: SourceFile, settings: readonly SysctlSetting[]): [string, string, string, number][] {
  return settings.map((s) => [s.key, s.value.value, slice(file, s.value.span), positionAt(file, s.value.span.start).line]);
}

/** Every span a parse result hands out stays inside its file. */
export function expectSpansInside(file: SourceFile, spans: readonly Span[]): void {
  for (const s of spans) {
    expect(s.file).toBe(file.path);
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
    expect(s.end).toBeLessThanOrEqual(file.text.length);
  }
}

export function settingSpans(settings: readonly SysctlSetting[]): Span[] {
  return settings.flatMap((s) => [s.span, s.keySpan, s.value.span]);
}

/** Files of the real-world corpus, recursively, that match `accept`; empty when the corpus is absent. */
export function corpusFiles(accept: (path: string, text: string) => boolean): { path: string; text: string }[] {
  if (!existsSync(CORPUS)) return [];
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const text = readFileSync(full, 'utf8');
        if (accept(full.slice(CORPUS.length + 1), text)) out.push({ path: full.slice(CORPUS.length + 1), text });
      }
    }
  };
  walk(CORPUS);
  return out;
}
