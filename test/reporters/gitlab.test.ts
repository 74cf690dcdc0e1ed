import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { formatGitlab, type GitlabIssue } from '../../src/reporters/gitlab.js';
import { toSarifLog } from '../../src/reporters/sarif.js';
import { RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { options, sampleResult } from './build-result.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'gitlab-codequality.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

function valid(text: string): GitlabIssue[] {
  const issues = JSON.parse(text) as GitlabIssue[];
  expect(validate(issues), JSON.stringify(validate.errors)).toBe(true);
  return issues;
}

describe('formatGitlab', () => {
  it('writes a GitLab code quality report that validates against its documented format', () => {
    const issues = valid(formatGitlab(sampleResult(), options({ cwdRelativeRoot: 'deploy' })));
    const capacity = issues.find((i) => i.check_name === 'pgbouncer-client-capacity')!;
    expect(capacity).toMatchObject({ severity: 'major', location: { path: 'deploy/docker-compose.yml', lines: { begin: 6, end: 6 } } });
    expect(capacity.description).toContain('480 client connections > max_client_conn 300');
    expect(capacity.description).toContain('(related: deploy/pgbouncer/pgbouncer.ini:3 max_client_conn is set here)');
    expect(capacity.description).toContain('Hint: Raise max_client_conn to at least 480.');
    expect(issues.map((i) => i.severity).sort()).toEqual(['info', 'major', 'minor']);
  });

  it('gives every issue a unique fingerprint, the one SARIF gives code scanning', () => {
    const run = check({ dir: join(FIXTURES, 'arena-current'), rules: RULES });
    const opts = options({ rules: RULES.map((r) => r.meta) });
    const issues = valid(formatGitlab(run.result, opts));
    expect(issues.length).toBe(run.result.findings.length);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    const sarif = toSarifLog(run.result, opts).runs[0]!.results!.map((r) => r.partialFingerprints!.primaryLocationLineHash!.replace(':', '-'));
    expect(issues.map((i) => i.fingerprint)).toEqual(sarif);
  });

  it('is an empty array when there is nothing to report', () => {
    expect(valid(formatGitlab({ ...sampleResult(), findings: [] }, options()))).toEqual([]);
  });

  it('is checked by a schema that rejects what GitLab would', () => {
    expect(validate([{ description: 'd', check_name: 'c', fingerprint: 'f', severity: 'error', location: { path: 'a', lines: { begin: 1 } } }])).toBe(false);
    expect(validate([{ description: 'd', check_name: 'c', fingerprint: 'f', severity: 'minor', location: { path: 'a' } }])).toBe(false);
    expect(validate([{ description: 'd', check_name: 'c', fingerprint: 'f', severity: 'minor', location: { path: 'a', lines: { begin: '1' } } }])).toBe(false);
  });
});
