import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../src/core/finding.js';
import { check } from '../../src/engine/run.js';
import { formatPlain } from '../../src/reporters/plain.js';
import { RULES } from '../../rules/index.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
export const RULE_FIXTURES = join(FIXTURES, 'rules');

/** Set UPDATE_EXPECTED=1 to rewrite expected.txt files from the current output (then review the diff). */
export const UPDATE = process.env.UPDATE_EXPECTED === '1';

/** A fixture's tree of fixed files (ESLint's `output`), beside expected.txt; never part of the stack checked. */
export const FIXED_TREE = 'expected.fixed';
export const FIXTURE_IGNORE = [`${FIXED_TREE}/`];

export function runFixture(dir: string, onlyRule?: string): RunResult {
  const run = check({ dir, rules: RULES, ignore: FIXTURE_IGNORE });
  const findings = onlyRule ? run.result.findings.filter((f) => f.ruleId === onlyRule) : run.result.findings;
  return { ...run.result, findings };
}

/** The fixture's findings in the plain one-line format, compared with (or written to) its expected.txt. */
export function plainAndExpected(dir: string, onlyRule?: string): { actual: string; expected: string } {
  const actual = formatPlain(runFixture(dir, onlyRule));
  const file = join(dir, 'expected.txt');
  if (UPDATE) writeFileSync(file, actual);
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : '<missing expected.txt>';
  return { actual, expected };
}

export function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory()).sort();
}
