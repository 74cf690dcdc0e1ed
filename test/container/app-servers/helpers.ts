import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { positionAt } from '../../../src/core/source.js';
import { known, type Span, type Value } from '../../../src/core/value.js';
import { ContainerFs, type ContainerPathSource } from '../../../src/container/filesystem.js';
import type { ContainerProcess } from '../../../src/container/types.js';
import { literalText } from '../../../src/parsers/mapped-text.js';
import { splitShellWords } from '../../../src/parsers/shell-words.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A repository on disk (the workspace reads real files), removed after the test file. */
export function repo(files: Record<string, string>): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'arena-appserver-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return new Workspace(dir);
}

/** The container sees `hostDir` (repository folder) at `containerDir`, as `COPY hostDir containerDir` would put it. */
export function fsOf(ws: Workspace, copies: Array<[containerDir: string, hostDir: string]>): ContainerFs {
  const via: Span = { file: 'Dockerfile', start: 0, end: 4 };
  const sources: ContainerPathSource[] = copies.map(([containerPath, hostPath]) => ({ containerPath, hostPath, isDir: ws.isDir(hostPath), via }));
  return new ContainerFs(ws, sources);
}

/**
 * A process whose argv is the command line written at `file` in the repository (so spans point into
 * it), with environment variables set on lines of `app.env` (each value's span covers exactly the value).
 */
export function processOf(ws: Workspace, file: string, opts: { workdir?: string; env?: Record<string, string> } = {}): ContainerProcess {
  const src = ws.read(file)!;
  const argv = splitShellWords(literalText(file, src.text.replace(/\n$/, ''), 0));
  const environment = new Map<string, Value<string>>();
  const envSrc = ws.read('app.env');
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    const at = envSrc?.text.indexOf(`${k}=${v}\n`) ?? -1;
    const span: Span = at >= 0 ? { file: 'app.env', start: at + k.length + 1, end: at + k.length + 1 + v.length } : { file: 'app.env', start: 0, end: 0 };
    environment.set(k, known(v, span));
  }
  return {
    argv,
    argvSpan: { file, start: 0, end: src.text.length },
    workingDir: known(opts.workdir ?? '/app', { file: 'Dockerfile', start: 0, end: 0 }),
    environment,
    steps: [],
  };
}

/** The env file text for `processOf`'s environment. */
export function envFile(env: Record<string, string>): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('');
}

/** "file:line:col text" of a span, for asserting positions readably. */
export function where(ws: Workspace, span: Span): string {
  const src = ws.read(span.file);
  if (!src) return `${span.file}:?`;
  const p = positionAt(src, span.start);
  return `${span.file}:${p.line}:${p.column} ${src.text.slice(span.start, span.end)}`;
}

/** A value as `{ value, isDefault, at }` or `{ unknown }`, for one-line assertions. */
export function show(ws: Workspace, v: Value<unknown> | undefined): unknown {
  if (!v) return undefined;
  if (v.kind === 'unknown') return { unknown: v.reason };
  return { value: v.value, ...(v.isDefault ? { isDefault: true } : {}), at: where(ws, v.span) };
}
