import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway copy of a fixture that a test may edit. */
export class TmpStack {
  readonly dir: string;

  constructor(fixture: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'arena-lint-'));
    cpSync(fixture, this.dir, { recursive: true });
  }

  read(rel: string): string {
    return readFileSync(join(this.dir, rel), 'utf8');
  }

  /** Replaces exactly one occurrence of `from` (fails loudly if the fixture changed). */
  edit(rel: string, from: string, to: string): void {
    const text = this.read(rel);
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one "${from}" in ${rel}`);
    writeFileSync(join(this.dir, rel), text.slice(0, at) + to + text.slice(at + from.length));
  }

  write(rel: string, text: string): void {
    mkdirSync(dirname(join(this.dir, rel)), { recursive: true });
    writeFileSync(join(this.dir, rel), text);
  }

  /** 1-based line of the first line containing `needle`. */
  lineOf(rel: string, needle: string): number {
    const i = this.read(rel).split('\n').findIndex((l) => l.includes(needle));
    if (i < 0) throw new Error(`"${needle}" not in ${rel}`);
    return i + 1;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
