import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../src/cli.js';
import { applyBaseline, baselineOf, parseBaseline, type Baseline } from '../src/engine/baseline.js';
import { check } from '../src/engine/run.js';
import { toSarifLog } from '../src/reporters/sarif.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

const REPO = join(FIXTURES, 'config', 'repo');

function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  const code = main(args, io);
  return { code, stdout, stderr };
}

/** The plain-format lines of the findings that are left, without related lines. */
const lines = (stdout: string) => stdout.split('\n').filter((l) => l && !l.startsWith('  '));

describe('--write-baseline and --baseline', () => {
  let t: TmpStack;
  afterEach(() => t.remove());

  it('writes every current finding without line numbers and exits 0 although there are errors', () => {
    t = new TmpStack(REPO);
    expect(cli(t.dir, ['check', '.']).code).toBe(1);
    const r = cli(t.dir, ['check', '.', '--write-baseline', 'arena-baseline.json', '-f', 'plain']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^baseline with \d+ findings written to arena-baseline\.json$/m);
    const b = JSON.parse(t.read('arena-baseline.json')) as Baseline;
    expect(b.version).toBe(2);
    expect(b.findings).toHaveLength(lines(r.stdout).length);
    expect(b.findings).toContainEqual(expect.objectContaining({ rule: 'upstream-missing-replica', file: 'app/nginx/default.conf', fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) }));
    for (const e of b.findings) expect(Object.keys(e).sort()).toEqual(['file', 'fingerprint', 'message', 'rule']);
    // Rewriting an unchanged repository gives the same file.
    const first = t.read('arena-baseline.json');
    cli(t.dir, ['check', '.', '--write-baseline', 'arena-baseline.json']);
    expect(t.read('arena-baseline.json')).toBe(first);
  });

  it('passes on the baselined repository, also after lines move', () => {
    t = new TmpStack(REPO);
    cli(t.dir, ['check', '.', '--write-baseline', 'b.json']);
    const r = cli(t.dir, ['check', '.', '--baseline', 'b.json', '-f', 'plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^\d+ findings in the baseline b\.json$/m);
    // Lines inserted above a finding, and re-indentation, do not make it new.
    t.write('app/nginx/default.conf', `# the app's proxy\n\n${t.read('app/nginx/default.conf').replace('    server web-2:8000;', '  server   web-2:8000;')}`);
    t.edit('vendor/docker-compose.yml', 'services:\n', '# vendored\nservices:\n');
    const moved = cli(t.dir, ['check', '.', '--baseline', 'b.json', '-f', 'plain']);
    expect(moved.stdout).toBe('');
    expect(moved.code).toBe(0);
  });

  it('fails on a new finding only, and says which baseline entries are gone', () => {
    t = new TmpStack(REPO);
    cli(t.dir, ['check', '.', '--write-baseline', 'b.json']);
    // A new broken upstream in a baselined file, and the vendor stack fixed.
    t.edit('app/nginx/default.conf', 'server {', 'upstream extra {\n    server web-1:8000;\n    server web-3:8000;\n}\n\nserver {');
    t.edit('vendor/docker-compose.yml', '    image: postgres:15\n', '');
    const r = cli(t.dir, ['check', '.', '--baseline', 'b.json', '-f', 'plain']);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).filter((l) => !/\[(resource-limits-missing|depends-on-missing-replica)\]$/.test(l))).toEqual([
      'app/nginx/default.conf:8:5 error upstream extra lists 2 of 3 web replicas; web-2 is missing (app/docker-compose.yml:8) [upstream-missing-replica]',
    ]);
    // Gone: the vendor stack's parse error, and nginx's depends_on finding, which now names web-3 too
    // (a finding about more replicas is another finding; its new form is among the new ones).
    expect(lines(r.stdout)).toContain('app/docker-compose.yml:10:3 warning nginx\'s depends_on lacks web-1, web-2 and web-3 (nginx proxies to them; app/docker-compose.yml:7) [depends-on-missing-replica]');
    expect(r.stderr).toMatch(/2 baseline entries no longer found \(rewrite it with --write-baseline\)/);
  });

  it('counts identical findings: one baselined, a second identical one is new', () => {
    t = new TmpStack(REPO);
    const base = check({ dir: t.dir, rules: RULES }).result;
    const baseline = baselineOf(base);
    // The same upstream twice: both findings point at identical lines of the same file.
    t.edit('app/nginx/default.conf', 'server {', 'upstream django_backend_2 {\n    server web-1:8000;\n    server web-2:8000;\n}\n\nserver {');
    const after = check({ dir: t.dir, rules: RULES }).result;
    const missing = (fs: readonly { ruleId: string; span: { file: string } }[]) => fs.filter((f) => f.ruleId === 'upstream-missing-replica' && f.span.file === 'app/nginx/default.conf');
    expect(missing(after.findings)).toHaveLength(2);
    const m = applyBaseline(after, baseline);
    expect(missing(m.findings)).toHaveLength(1);
    expect(m.findings[0]!.message).toContain('django_backend_2');
    expect(m.gone).toBe(0);
  });

  it('rejects a missing or malformed baseline with exit 2', () => {
    t = new TmpStack(REPO);
    expect(cli(t.dir, ['check', '.', '--baseline', 'nope.json'])).toMatchObject({ code: 2, stderr: 'arena-lint: baseline file not found: nope.json\n' });
    t.write('bad.json', '{"findings": []}');
    const r = cli(t.dir, ['check', '.', '--baseline', 'bad.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^arena-lint: invalid baseline bad\.json: not an arena-lint baseline/);
    expect(parseBaseline('{').error).toMatch(/^not JSON/);
    expect(parseBaseline('{"version":2,"findings":[{"rule":"x"}]}').error).toBe('findings[0] needs string "rule", "file" and "fingerprint"');
  });
});

describe('the fingerprint is the one SARIF gives code scanning', () => {
  it('agrees with partialFingerprints', () => {
    const result = check({ dir: REPO, rules: RULES }).result;
    const sarif = toSarifLog(result, { color: false, rules: RULES.map((r) => r.meta), version: 'test' });
    const fromSarif = sarif.runs[0]!.results!.map((r) => Object.values(r.partialFingerprints!)[0]!.replace(/:\d+$/, ''));
    const b = baselineOf(result);
    expect(new Set(b.findings.map((e) => e.fingerprint))).toEqual(new Set(fromSarif));
  });

  it('leaves the baseline file of the fixture untouched (tests work on copies)', () => {
    expect(() => readFileSync(join(REPO, 'b.json'))).toThrow();
  });
});
