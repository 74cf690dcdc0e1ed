import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';

// Real repositories' configs (../shared/corpus, present in CI): every stack is checked without a crash and
// every finding lies inside its file.
const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus not found at ${CORPUS}: skipping the real-world corpus test`);

describe.skipIf(!present)('real-world corpus', () => {
  const dirs = present ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  it('has repositories to check', () => expect(dirs.length).toBeGreaterThan(5));
  for (const name of dirs) {
    it(name, () => {
      const run = check({ dir: join(CORPUS, name), rules: RULES });
      for (const f of run.result.findings) {
        const file = run.result.sources.get(f.span.file);
        expect(file, `${f.ruleId} names a file that was never read: ${f.span.file}`).toBeDefined();
        expect(f.span.start).toBeGreaterThanOrEqual(0);
        expect(f.span.end).toBeGreaterThanOrEqual(f.span.start);
        expect(f.span.end).toBeLessThanOrEqual(file!.text.length);
        for (const r of f.related) expect(r.span.end).toBeLessThanOrEqual(run.result.sources.get(r.span.file)!.text.length);
        expect(f.message.length).toBeGreaterThan(0);
      }
      for (const s of run.result.stacks) for (const file of s.files) expect(existsSync(join(CORPUS, name, file))).toBe(true);
    });
  }
});
