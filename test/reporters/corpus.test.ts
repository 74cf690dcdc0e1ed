import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, RunResult, Severity } from '../../src/core/finding.js';
import { createSourceFile, SourceSet, type SourceFile } from '../../src/core/source.js';
import { formatters, formatPlain, toLocated } from '../../src/reporters/index.js';
import { options } from './build-result.js';
import { validateSarif } from './sarif-schema.js';

const CORPUS = '/work/shared/corpus';
if (!existsSync(CORPUS)) console.warn(`[reporters] corpus not found at ${CORPUS}; corpus robustness tests skipped`);

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return name === 'PROVENANCE.txt' || name === 'README.md' ? [] : [path];
  });
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info'];

/**
 * Findings on real text (CRLF, tabs, templates, long lines): the whole file, the first word of
 * every 7th line, the line break itself and an insertion point at the very end.
 */
function findingsFor(file: SourceFile, other: SourceFile): Finding[] {
  const spans = [
    { start: 0, end: file.text.length },
    { start: file.text.length, end: file.text.length },
  ];
  for (let line = 0; line < file.lineStarts.length; line += 7) {
    const start = file.lineStarts[line]!;
    const word = /^\s*(\S+)/.exec(file.text.slice(start, start + 400));
    if (word) spans.push({ start: start + word[0].length - word[1]!.length, end: start + word[0].length });
    const lineEnd = file.text.indexOf('\n', start);
    if (lineEnd > 0) spans.push({ start: lineEnd - 1, end: lineEnd + 1 });
  }
  return spans.map((s, i) => ({
    ruleId: `corpus-${i % 4}`,
    severity: SEVERITIES[i % 3]!,
    message: `finding ${i} in ${file.path}`,
    span: { file: file.path, ...s },
    related: [{ span: { file: other.path, start: 0, end: Math.min(5, other.text.length) }, message: 'related' }],
    stack: 'docker-compose.yml',
    ...(i % 2 === 0 ? { hint: 'Fix it.' } : {}),
  }));
}

describe.skipIf(!existsSync(CORPUS))('reporters on the real-world corpus', () => {
  const sources = new SourceSet();
  const files = existsSync(CORPUS) ? corpusFiles(CORPUS).map((p) => sources.add(createSourceFile(relative(CORPUS, p), readFileSync(p, 'utf8')))) : [];
  const findings = files.flatMap((f, i) => findingsFor(f, files[(i + 1) % files.length]!));
  const result: RunResult = { root: CORPUS, stacks: [{ name: 'docker-compose.yml', files: files.map((f) => f.path).sort() }], findings, sources };

  it('reads enough of the corpus to mean something', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('places every start and end inside its file, the end never before the start', () => {
    for (const f of findings) {
      const at = toLocated(result, f);
      const source = sources.get(f.span.file)!;
      for (const [line, column] of [[at.line, at.column], [at.endLine, at.endColumn]] as const) {
        expect(line).toBeGreaterThanOrEqual(1);
        expect(line).toBeLessThanOrEqual(source.lineStarts.length);
        const lineLength = (source.lineStarts[line] ?? source.text.length + 1) - source.lineStarts[line - 1]! - 1;
        expect(column).toBeGreaterThanOrEqual(1);
        expect(column).toBeLessThanOrEqual(lineLength + 2);
      }
      expect(at.endLine > at.line || (at.endLine === at.line && at.endColumn >= at.column)).toBe(true);
    }
  });

  it('renders every format without throwing, and keeps one plain line per finding and related location', () => {
    for (const format of Object.values(formatters)) expect(format(result, options()).length).toBeGreaterThan(0);
    const lines = formatPlain(result).trimEnd().split('\n');
    expect(lines.length).toBe(findings.length * 2);
    expect(JSON.parse(formatters.json(result, options())).diagnostics.length).toBe(findings.length);
    const sarif = JSON.parse(formatters.sarif(result, options()));
    validateSarif(sarif);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(sarif.runs[0].results.length).toBe(findings.length);
  });
});
