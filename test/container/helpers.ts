import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { known, type Span, type Value } from '../../src/core/value.js';
import { positionAt } from '../../src/core/source.js';
import { literalText } from '../../src/parsers/mapped-text.js';
import { splitShellWords } from '../../src/parsers/shell-words.js';
import { Workspace } from '../../src/workspace/workspace.js';
import type { CommandLine, ContainerSpec, MountSpec } from '../../src/container/types.js';

/** A throwaway repository written from a map of files, with helpers to point at its text. */
export class Repo {
  readonly dir: string;
  readonly ws: Workspace;

  constructor(readonly files: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), 'arena-container-'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, rel)), { recursive: true });
      writeFileSync(join(this.dir, rel), text);
    }
    this.ws = new Workspace(this.dir);
  }

  /** The span of the `n`th occurrence of `needle` in `file`. */
  span(file: string, needle: string, n = 0): Span {
    const text = this.files[file]!;
    let at = -1;
    for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" not in ${file}`);
    return { file, start: at, end: at + needle.length };
  }

  /** 1-based line of a span. */
  line(s: Span): number {
    return positionAt(this.ws.read(s.file)!, s.start).line;
  }

  value(file: string, needle: string): Value<string> {
    return known(needle, this.span(file, needle));
  }

  /** A compose-style command: the string at `needle` split into words (compose splits strings itself). */
  command(file: string, needle: string, form: 'string' | 'list' = 'string'): CommandLine {
    const s = this.span(file, needle);
    return { words: splitShellWords(literalText(file, needle, s.start)), span: s, form };
  }

  mount(file: string, needle: string, m: Omit<MountSpec, 'span' | 'readOnly'> & { readOnly?: boolean }): MountSpec {
    return { readOnly: false, ...m, span: this.span(file, needle) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A spec with defaults filled in; `name` is also the compose service key searched for its span. */
export function spec(repo: Repo, file: string, name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, span: repo.span(file, `${name}:`), environment: new Map(), mounts: [], ...extra };
}

export function build(repo: Repo, file: string, needle: string, context: string, dockerfile: string, extra: { target?: Value<string>; args?: Map<string, Value<string>> } = {}): ContainerSpec['build'] {
  const s = repo.span(file, needle);
  return { context: known(context, s), dockerfile: known(dockerfile, s), args: extra.args ?? new Map(), span: s, ...(extra.target ? { target: extra.target } : {}) };
}
