import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import stored from './counterexamples.json' with { type: 'json' };

// Every counterexample `npm run fuzz` found is replayed by its property before the fixed-seed runs
// (test/helpers/property.ts); one kept under a name no property has would silently never run.
const TEST_DIR = join(import.meta.dirname, '..');
function declared(): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.name.endsWith('.test.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/assertProperty\(\s*'([^']+)'/g)) out.push(m[1]!);
    }
  };
  visit(TEST_DIR);
  return out;
}

describe('stored counterexamples', () => {
  const properties = declared();
  it('belong to properties that exist, each named once', () => {
    expect(properties.length).toBeGreaterThanOrEqual(9);
    expect(new Set(properties).size).toBe(properties.length);
    for (const name of Object.keys(stored)) expect(properties, name).toContain(name);
  });

  it('keep the case the issue found: a merge key inside broken flow collections', () => {
    expect((stored as Record<string, unknown[][]>)['robustness/compose-text']).toContainEqual(['{*\nJ\n[\n    <<: *x']);
  });
});
