import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { RULES } from '../../rules/index.js';

/** ../shared/corpus beside the project: real repositories' deployment trees, read in place. */
export const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/**
 * A ledger of corpus findings read as each project's maintainer would: `accept` records why a
 * finding is right, keyed `repo rule file:line`; `run` fails on a finding of `covers` the ledger does
 * not hold (someone has to read it) and on an accepted one that is gone (the ledger is out of date).
 */
export class CorpusLedger {
  private readonly accepted = new Map<string, string>();

  constructor(private readonly title: string, private readonly covers: (ruleId: string) => boolean) {}

  accept(repo: string, rule: string, lines: readonly string[], why: string): void {
    for (const l of lines) this.accepted.set(`${repo} ${rule} ${l}`, why);
  }

  run(): void {
    const present = existsSync(CORPUS);
    if (!present) console.warn(`corpus not found at ${CORPUS}: skipping ${this.title}`);
    describe.skipIf(!present)(this.title, () => {
      const repos = present ? readdirSync(CORPUS).filter((d) => d.includes('__')).sort() : [];
      const seen = new Set<string>();
      for (const repo of repos) {
        it(repo, () => {
          const run = check({ dir: join(CORPUS, repo), rules: RULES });
          for (const f of run.result.findings) {
            if (!this.covers(f.ruleId)) continue;
            const file = run.result.sources.get(f.span.file)!;
            const line = file.lineStarts.filter((s) => s <= f.span.start).length;
            const key = `${repo} ${f.ruleId} ${f.span.file}:${line}`;
            seen.add(key);
            expect(this.accepted.get(key), `new finding, read it as the maintainer would: ${key}: ${f.message}`).toBeDefined();
          }
        });
      }
      it('every accepted finding is still found (or the ledger is out of date)', () => {
        expect([...this.accepted.keys()].filter((k) => !seen.has(k))).toEqual([]);
      });
    });
  }
}
