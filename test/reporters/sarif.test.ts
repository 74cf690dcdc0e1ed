import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { docsUrl } from '../../src/core/rule-meta.js';
import { formatSarif, toSarifLog } from '../../src/reporters/sarif.js';
import { validateSarif as validate } from './sarif-schema.js';
import { COMPOSE, NGINX, options, PGBOUNCER, ResultBuilder, RULES, sampleResult } from './build-result.js';

function expectValid(sarifText: string): Log {
  const log = JSON.parse(sarifText) as Log;
  const ok = validate(log);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  return log;
}

function results(log: Log): Result[] {
  return log.runs[0]!.results!;
}

/** The sample stack with `prefix` inserted at the top of every file. */
function shifted(prefix: string) {
  const b = new ResultBuilder()
    .file('docker-compose.yml', prefix + COMPOSE)
    .file('pgbouncer/pgbouncer.ini', prefix + PGBOUNCER)
    .file('nginx/nginx.conf', prefix + NGINX)
    .stack('docker-compose.yml', ['docker-compose.yml', 'pgbouncer/pgbouncer.ini', 'nginx/nginx.conf']);
  return b
    .finding({ ruleId: 'gunicorn-threads', severity: 'warning', message: 'm', at: b.span('docker-compose.yml', '--threads 4') })
    .finding({
      ruleId: 'pgbouncer-client-capacity',
      severity: 'error',
      message: 'm',
      at: b.span('docker-compose.yml', '15'),
      related: [b.related('pgbouncer/pgbouncer.ini', '300', 'max_client_conn is set here')],
    })
    .build();
}

describe('formatSarif', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    expectValid(formatSarif(sampleResult(), options({ cwdRelativeRoot: 'deploy' })));
    expectValid(formatSarif(new ResultBuilder().build(), options({ rules: [] })));
  });

  it('is checked by a validator that rejects broken logs', () => {
    const log = toSarifLog(sampleResult(), options());
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
    const unencoded = structuredClone(log) as typeof broken;
    unencoded.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = 'conf d/x.conf';
    expect(validate(unencoded)).toBe(false);
  });

  it('describes every rule in the driver, with docs link, help and default level', () => {
    const driver = toSarifLog(sampleResult(), options()).runs[0]!.tool.driver;
    expect(driver).toMatchObject({ name: 'arena-lint', version: '0.1.0', informationUri: 'https://github.com/arena-lint/arena-lint' });
    expect(driver.rules![0]).toEqual({
      id: 'pgbouncer-client-capacity',
      shortDescription: { text: RULES[0]!.description },
      fullDescription: { text: `${RULES[0]!.docs.what} ${RULES[0]!.docs.why}` },
      help: {
        text: `${RULES[0]!.docs.what}\n\nWhy: ${RULES[0]!.docs.why}\n\nDocumentation: ${docsUrl('pgbouncer-client-capacity')}`,
        markdown: `**What it checks.** ${RULES[0]!.docs.what}\n\n**Why it breaks the stack.** ${RULES[0]!.docs.why}\n\n[Documentation for pgbouncer-client-capacity](${docsUrl('pgbouncer-client-capacity')})`,
      },
      helpUri: docsUrl('pgbouncer-client-capacity'),
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['data'] },
    });
    expect(driver.rules![1]!.help!.markdown).toContain(`**Notes.** ${RULES[1]!.docs.notes!}`);
    expect(driver.rules![1]!.defaultConfiguration).toEqual({ level: 'note' });
    // gunicorn-threads fired but was not among the rules passed in: it still gets a descriptor.
    expect(driver.rules!.map((r) => r.id)).toEqual(['pgbouncer-client-capacity', 'nginx-upstream-keepalive', 'gunicorn-threads']);
  });

  it('writes each result with rule index, level, repository-relative region and related locations', () => {
    const log = toSarifLog(sampleResult(), options({ cwdRelativeRoot: './deploy' }));
    const [warning, error, info] = results(log);
    expect(log.runs[0]!.originalUriBaseIds!['%SRCROOT%']).toBeDefined();
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    expect(error).toMatchObject({
      ruleId: 'pgbouncer-client-capacity',
      ruleIndex: 0,
      level: 'error',
      message: { text: sampleResult().findings[1]!.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'deploy/docker-compose.yml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 6, startColumn: 17, endLine: 6, endColumn: 19 },
          },
        },
      ],
      relatedLocations: [
        {
          id: 1,
          physicalLocation: {
            artifactLocation: { uri: 'deploy/pgbouncer/pgbouncer.ini', uriBaseId: '%SRCROOT%' },
            region: { startLine: 3, startColumn: 19, endLine: 3, endColumn: 22 },
          },
          message: { text: 'max_client_conn is set here' },
        },
      ],
      properties: { stack: 'docker-compose.yml', hint: 'Raise max_client_conn to at least 480.' },
    });
    expect(warning).toMatchObject({ ruleIndex: 2, level: 'warning' });
    expect(warning!.relatedLocations).toBeUndefined();
    expect(info).toMatchObject({ ruleIndex: 1, level: 'note' });
    const driverRules = log.runs[0]!.tool.driver.rules!;
    for (const r of results(log)) expect(driverRules[r.ruleIndex!]!.id).toBe(r.ruleId);
  });

  it('keeps fingerprints when lines are inserted above the findings, while the lines move', () => {
    const before = results(toSarifLog(shifted(''), options()));
    const after = results(toSarifLog(shifted('# a comment\n\n'), options()));
    expect(after.map((r) => r.locations![0]!.physicalLocation!.region!.startLine)).toEqual(
      before.map((r) => r.locations![0]!.physicalLocation!.region!.startLine! + 2),
    );
    expect(after.map((r) => r.partialFingerprints)).toEqual(before.map((r) => r.partialFingerprints));
    const prints = before.map((r) => Object.values(r.partialFingerprints!)[0]!);
    expect(new Set(prints).size).toBe(prints.length);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{32}:1$/);
  });

  it('changes the fingerprint when the offending line changes, and counts identical findings apart', () => {
    const print = (text: string, occurrence = 1) => {
      const b = new ResultBuilder().file('c.yml', text);
      for (let i = 1; i <= occurrence; i++) b.finding({ ruleId: 'r', severity: 'error', message: 'm', at: b.span('c.yml', 'workers', i) });
      return results(toSarifLog(b.build(), options())).map((r) => Object.values(r.partialFingerprints!)[0]!);
    };
    const [base] = print('a:\n  command: workers 4\n');
    expect(print('a:\n  command:   workers 4 \n')).toEqual([base]);
    expect(print('a:\n  command: workers 8\n')).not.toEqual([base]);
    const twice = print('a:\n  command: workers 4\nb:\n  command: workers 4\n', 2);
    expect(twice[0]).toBe(base);
    expect(twice[1]).toBe(base!.replace(/:1$/, ':2'));
  });

  it('percent-encodes paths that are not valid URIs as written', () => {
    const b = new ResultBuilder().file('conf d/nginx #1.conf', 'x;\n');
    const r = b.finding({ ruleId: 'r', severity: 'info', message: 'm', at: b.span('conf d/nginx #1.conf', 'x') }).build();
    const log = expectValid(formatSarif(r, options()));
    expect(results(log)[0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('conf%20d/nginx%20%231.conf');
  });
});
