import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { formatJunit } from '../../src/reporters/junit.js';
import { RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { options, ResultBuilder, sampleResult } from './build-result.js';
import { parseXml, validateXml, type ElementSchema } from './xml.js';

/**
 * The JUnit XML schema the CI servers read (Apache Ant's junit.xsd as Jenkins publishes it, with the
 * `file`/`line` attributes GitLab and CircleCI read), as element content models.
 */
const JUNIT: Record<string, ElementSchema> = {
  testsuites: { required: [], optional: ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time'], integers: ['tests', 'failures', 'errors', 'skipped', 'disabled'], decimals: ['time'], children: { testsuite: Infinity }, text: false },
  testsuite: {
    required: ['name', 'tests', 'failures', 'errors'],
    optional: ['skipped', 'disabled', 'time', 'timestamp', 'hostname', 'id', 'package', 'file'],
    integers: ['tests', 'failures', 'errors', 'skipped', 'disabled'],
    decimals: ['time'],
    children: { properties: 1, testcase: Infinity, 'system-out': 1, 'system-err': 1 },
    text: false,
  },
  properties: { required: [], optional: [], children: { property: Infinity }, text: false },
  property: { required: ['name', 'value'], optional: [], children: {}, text: false },
  testcase: { required: ['name', 'classname'], optional: ['time', 'file', 'line', 'assertions', 'status'], integers: ['line', 'assertions'], decimals: ['time'], children: { failure: Infinity, error: Infinity, skipped: 1, 'system-out': 1, 'system-err': 1 }, text: false },
  failure: { required: [], optional: ['message', 'type'], children: {}, text: true },
  error: { required: [], optional: ['message', 'type'], children: {}, text: true },
  skipped: { required: [], optional: ['message'], children: {}, text: true },
  'system-out': { required: [], optional: [], children: {}, text: true },
  'system-err': { required: [], optional: [], children: {}, text: true },
};

function valid(text: string) {
  const root = parseXml(text);
  expect(root.name).toBe('testsuites');
  expect(validateXml(root, JUNIT)).toEqual([]);
  return root;
}

describe('formatJunit', () => {
  it('is valid JUnit XML: one suite per stack, a failing case per finding, counts that add up', () => {
    const root = valid(formatJunit(sampleResult(), options({ cwdRelativeRoot: 'deploy' })));
    const suites = root.children;
    expect(suites.map((s) => s.attributes.name)).toEqual(['deploy/docker-compose.yml']);
    const cases = suites[0]!.children;
    expect(Number(suites[0]!.attributes.tests)).toBe(cases.length);
    expect(Number(suites[0]!.attributes.failures)).toBe(cases.filter((c) => c.children.some((x) => x.name === 'failure')).length);
    expect(Number(root.attributes.tests)).toBe(cases.length);
    const capacity = cases.find((c) => c.attributes.classname === 'arena-lint.pgbouncer-client-capacity')!;
    expect(capacity.attributes).toMatchObject({ file: 'deploy/docker-compose.yml', line: '6' });
    const failure = capacity.children[0]!;
    expect(failure.attributes.type).toBe('error');
    expect(failure.attributes.message).toContain('480 client connections > max_client_conn 300');
    expect(failure.text).toContain('related deploy/pgbouncer/pgbouncer.ini:3:19 max_client_conn is set here');
    expect(failure.text).toContain('hint: Raise max_client_conn to at least 480.');
  });

  it('escapes what XML needs escaped and drops control characters XML 1.0 forbids', () => {
    const b = new ResultBuilder().file('a & b.conf', 'x;\n').stack('a & b.conf', ['a & b.conf']);
    const r = b.finding({ ruleId: 'r', severity: 'warning', message: 'quote " apostrophe \' <tag> & \u0007bell', at: b.span('a & b.conf', 'x'), stack: 'a & b.conf' }).build();
    const root = valid(formatJunit(r, options()));
    const failure = root.children[0]!.children[0]!.children[0]!;
    expect(failure.attributes.message).toBe('quote " apostrophe \' <tag> & bell');
    expect(failure.attributes.type).toBe('warning');
  });

  it('gives a clean stack a passing case, so the report shows what was checked', () => {
    const r = new ResultBuilder().file('docker-compose.yml', 'services: {}\n').stack('docker-compose.yml', ['docker-compose.yml']).build();
    const root = valid(formatJunit(r, options()));
    expect(root.attributes).toMatchObject({ tests: '1', failures: '0' });
    expect(root.children[0]!.children[0]!.children).toEqual([]);
  });

  it('validates on a real stack with many findings', () => {
    const run = check({ dir: join(FIXTURES, 'arena-current'), rules: RULES });
    const root = valid(formatJunit(run.result, options({ rules: RULES.map((x) => x.meta) })));
    expect(Number(root.attributes.failures)).toBe(run.result.findings.length);
  });

  it('is checked by a reader that rejects XML that is not well formed or not JUnit', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/mismatched/);
    expect(() => parseXml('<a x=1/>')).toThrow(/bad attribute/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(validateXml(parseXml('<testsuites><testsuite name="x" tests="one" failures="0" errors="0"/></testsuites>'), JUNIT)).toEqual(['testsuites/testsuite: tests="one" is not an integer']);
    expect(validateXml(parseXml('<testsuites><testcase name="x" classname="y"/></testsuites>'), JUNIT)).toEqual(['testsuites: <testcase> is not allowed here']);
  });
});
