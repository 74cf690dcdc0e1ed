import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { formatSarif } from '../../src/reporters/sarif.js';
import { RULES } from '../../rules/index.js';
import { FIXTURE_IGNORE, RULE_FIXTURES } from '../helpers/fixtures.js';
import { validateSarif } from '../reporters/sarif-schema.js';

describe('SARIF fixes', () => {
  const run = check({ dir: join(RULE_FIXTURES, 'upstream-missing-replica', 'invalid-web-3-missing'), rules: RULES, ignore: FIXTURE_IGNORE });
  const log = JSON.parse(formatSarif(run.result, { color: false, rules: RULES.map((r) => r.meta), version: '0.0.0' }));

  const conf = readFileSync(join(RULE_FIXTURES, 'upstream-missing-replica', 'invalid-web-3-missing', 'nginx', 'default.conf'), 'utf8');
  const closing = conf.indexOf('}', conf.indexOf('upstream django_streaming'));

  it('a fixable finding carries its edits as SARIF fixes, valid against the 2.1.0 schema', () => {
    expect(conf.split('\n')[9]).toBe('}');
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const result = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'upstream-missing-replica');
    expect(result.fixes).toEqual([
      {
        description: { text: 'add web-3 to upstream django_streaming' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'nginx/default.conf', uriBaseId: '%SRCROOT%' },
            // An insertion before the `}` that closes upstream django_streaming (line 10 of the file).
            replacements: [{ deletedRegion: { startLine: 10, startColumn: 1, endLine: 10, endColumn: 1, charOffset: closing, charLength: 0 }, insertedContent: { text: '    server web-3:8000;\n' } }],
          },
        ],
      },
    ]);
  });

  it('a finding without a fix has none', () => {
    const result = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'resource-limits-missing');
    expect(result.fixes).toBeUndefined();
  });
});
