import { createSourceFile, positionAt, type SourceFile } from '../../src/core/source.js';
import { known, type Span } from '../../src/core/value.js';
import { evaluateSettings, type SettingsModule } from '../../src/python/evaluate.js';
import { envFromRecord, type EnvLookup, type PyValue } from '../../src/python/value.js';

/** An in-memory repository: root-relative path -> text. */
export function memoryRepo(files: Record<string, string>): { readFile(path: string): SourceFile | undefined; exists(path: string): boolean; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile(path) {
      const text = files[path];
      if (text === undefined) return undefined;
      reads.push(path);
      return createSourceFile(path, text);
    },
    exists: (path) => files[path] !== undefined,
  };
}

/** Environment variables as compose would hand them over, each "set" at a line of a pretend env file. */
export function envOf(vars: Record<string, string>): EnvLookup {
  const entries = Object.entries(vars).map(([k, v], i) => [k, known(v, { file: '.env', start: i, end: i + 1 })] as const);
  return envFromRecord(Object.fromEntries(entries));
}

export function evaluate(source: string, env: Record<string, string> = {}, extra: Record<string, string> = {}): SettingsModule & { file: SourceFile } {
  const repo = memoryRepo({ 'settings.py': source, ...extra });
  const result = evaluateSettings({ entry: 'settings.py', searchRoots: [''], readFile: repo.readFile, exists: repo.exists, env: envOf(env) });
  return { ...result, file: createSourceFile('settings.py', source) };
}

/** The value of a known name, as plain data (tuples and lists both as arrays). */
export function plain(v: PyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.kind === 'unknown') return { unknown: v.reason };
  const d = v.value;
  if (d === null || typeof d !== 'object') return d;
  if (d.type === 'dict') return Object.fromEntries(d.entries.map((e) => [e.key.kind === 'known' ? String(e.key.value) : '?', plain(e.value)]));
  return d.items.map(plain);
}

/** "line:col-line:col" of a span, 1-based, for asserting positions readably. */
export function at(file: SourceFile, span: Span): string {
  const a = positionAt(file, span.start);
  const b = positionAt(file, span.end);
  return `${a.line}:${a.column}-${b.line}:${b.column}`;
}
