import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { docsUrl } from '../../src/core/rule-meta.js';
import { join } from 'node:path';
import { check } from '../../src/engine/run.js';
import { formatSarif, GITHUB_SARIF_LIMITS, ruleDescriptor, toSarifLog, withinChars } from '../../src/reporters/sarif.js';
import { RULES as REAL_RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
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
      // The related location the message cites is a link to it, which code scanning shows.
      message: { text: sampleResult().findings[1]!.message.replace('(pgbouncer/pgbouncer.ini:3)', '([pgbouncer/pgbouncer.ini:3](1))') },
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
    expect(Object.keys(before[0]!.partialFingerprints!)).toEqual(['primaryLocationLineHash']);
  });

  it('keys the fingerprint on what the finding is about, not on the text of its line', () => {
    const print = (text: string, message: string, occurrence = 1, key?: string) => {
      const b = new ResultBuilder().file('c.yml', text);
      for (let i = 1; i <= occurrence; i++) b.finding({ ruleId: 'r', severity: 'error', message, at: b.span('c.yml', 'workers', i), stack: 'c.yml', ...(key ? { key } : {}) });
      return results(toSarifLog(b.build(), options())).map((r) => r.partialFingerprints!.primaryLocationLineHash!);
    };
    const message = 'gunicorn on web-1 runs 4 workers on 2 CPUs (c.yml:2)';
    const [base] = print('a:\n  command: gunicorn --workers 4 --timeout 30\n', message);
    // Another flag on the same line, the line moving, and the numbers in the message: same finding.
    expect(print('a:\n  command: gunicorn --workers 4 --timeout 60\n', message)).toEqual([base]);
    expect(print('# x\na:\n  command: gunicorn --workers 4\n', 'gunicorn on web-1 runs 8 workers on 2 CPUs (c.yml:3)')).toEqual([base]);
    // Another service named: another finding.
    expect(print('a:\n  command: gunicorn --workers 4\n', 'gunicorn on web-2 runs 4 workers on 2 CPUs (c.yml:2)')).not.toEqual([base]);
    // A rule's own key wins over the message.
    const keyed = print('a:\n  command: workers\n', 'anything', 1, 'web-1');
    expect(print('a:\n  command: workers\n', 'something else', 1, 'web-1')).toEqual(keyed);
    expect(keyed).not.toEqual(print('a:\n  command: workers\n', 'anything', 1, 'web-2'));
    const twice = print('a:\n  command: workers 4\nb:\n  command: workers 4\n', message, 2);
    expect(twice[0]).toBe(base);
    expect(twice[1]).toBe(base!.replace(/:1$/, ':2'));
  });

  it('links every related location from the message, escaping literal brackets', () => {
    const b = new ResultBuilder().file('a.conf', 'x;\ny;\n').file('b.yml', 'z: 1\n');
    const r = b
      .finding({
        ruleId: 'r', severity: 'error', message: "DATABASES['default'] clashes with b.yml:1", at: b.span('a.conf', 'x'),
        related: [b.related('b.yml', 'z', 'z is set here'), b.related('a.conf', 'y', 'y [the other one]')],
      })
      .build();
    const text = results(toSarifLog(r, options({ cwdRelativeRoot: 'deploy' })))[0]!.message.text!;
    expect(text).toBe("DATABASES\\['default'\\] clashes with [b.yml:1](1) See [deploy/a.conf:2](2) y \\[the other one\\].");
  });

  it('stays within every limit GitHub code scanning documents for SARIF uploads', () => {
    // Every real rule, on a stack with findings from many of them.
    const all = check({ dir: join(FIXTURES, 'arena-current'), rules: REAL_RULES });
    expect(all.result.findings.length).toBeGreaterThan(5);
    const log = toSarifLog(all.result, options({ rules: REAL_RULES.map((x) => x.meta) }));
    expectValid(JSON.stringify(log));
    const L = GITHUB_SARIF_LIMITS;
    expect(log.runs.length).toBeLessThanOrEqual(L.runsPerFile);
    for (const run of log.runs) {
      expect(run.results!.length).toBeLessThanOrEqual(L.resultsPerRun);
      expect(run.tool.driver.rules!.length).toBeLessThanOrEqual(L.rulesPerRun);
      expect(run.tool.extensions?.length ?? 0).toBeLessThanOrEqual(L.toolExtensionsPerRun);
      for (const rule of run.tool.driver.rules!) {
        expect(rule.shortDescription!.text.length, rule.id).toBeLessThanOrEqual(L.descriptionChars);
        expect(rule.fullDescription!.text.length, rule.id).toBeLessThanOrEqual(L.descriptionChars);
        expect(rule.fullDescription!.text, rule.id).toMatch(/\S/);
        expect(rule.help!.text.length, rule.id).toBeGreaterThanOrEqual(rule.fullDescription!.text.length);
        expect(((rule.properties?.tags as string[] | undefined) ?? []).length, rule.id).toBeLessThanOrEqual(L.tagsPerRule);
      }
      for (const res of run.results!) {
        // GitHub documents no length for message.text, only that it is required; one location per
        // result, as GitHub advises unless the fix needs edits at every location.
        expect(res.message.text, res.ruleId).toMatch(/\S/);
        expect(res.locations).toHaveLength(1);
        expect(res.locations!.length + (res.relatedLocations?.length ?? 0)).toBeLessThanOrEqual(L.locationsPerResult);
        expect(res.codeFlows ?? []).toEqual([]);
        expect(res.partialFingerprints!.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:\d+$/);
        // Each related location is linked from the message, so code scanning shows it.
        for (const rel of res.relatedLocations ?? []) expect(res.message.text, res.ruleId).toContain(`](${rel.id})`);
      }
      const prints = run.results!.map((x) => x.partialFingerprints!.primaryLocationLineHash);
      expect(new Set(prints).size).toBe(prints.length);
    }
    // The rules whose docs are longest are cut at a sentence, with the whole text in help.
    const long = REAL_RULES.map((x) => x.meta).filter((m) => `${m.docs.what} ${m.docs.why}`.length > L.descriptionChars);
    for (const m of long) expect(ruleDescriptor(m).help!.text).toContain(m.docs.why);
  });

  it('cuts a long description after a whole sentence', () => {
    const text = `${'A short sentence. '.repeat(80)}`;
    const cut = withinChars(text, 1024);
    expect(cut.length).toBeLessThanOrEqual(1024);
    expect(cut).toMatch(/sentence\.…$/);
    expect(withinChars('short', 1024)).toBe('short');
  });

  it('percent-encodes paths that are not valid URIs as written', () => {
    const b = new ResultBuilder().file('conf d/nginx #1.conf', 'x;\n');
    const r = b.finding({ ruleId: 'r', severity: 'info', message: 'm', at: b.span('conf d/nginx #1.conf', 'x') }).build();
    const log = expectValid(formatSarif(r, options()));
    expect(results(log)[0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('conf%20d/nginx%20%231.conf');
  });
});
