import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { formatters } from '../../src/reporters/index.js';
import { RULES } from '../../rules/index.js';
import { RULE_FIXTURES } from '../helpers/fixtures.js';
import { REPO, removeTempDirs, tempDir } from '../integration/helpers.js';
import { runAction } from '../integration/runner.js';

// A stack full of secrets, in every place hardcoded-secret reads (and a .env it only redacts). Every
// output arena-lint can produce over it, in every format, must contain none of the secret values.
const FIXTURE = join(RULE_FIXTURES, 'hardcoded-secret', 'invalid-secrets-everywhere');

/** Every secret the fixture writes down, as written (the test knows them; arena-lint must not print them). */
const SECRETS = [
  'Url-Pw-7c1e9a',
  'sk_live_Stripe4f0b2d9e',
  'Default-Pw-2b8d',
  'Redis-Cmd-5e3f71',
  'Redis-Health-88aa',
  'changeme',
  'Dotenv-Secret-3141',
  'Userlist-Pw-9d2c',
  'django-insecure-Settings-Key-6f1a',
  'Settings-Db-Pw-42e7',
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

function expectNoSecret(output: string, what: string): void {
  for (const s of SECRETS) expect(output.includes(s), `${what} prints the secret ${s}`).toBe(false);
}

afterAll(removeTempDirs);

describe('a secret is never printed', () => {
  it('the fixture really holds every secret (so the greps below can fail)', () => {
    const text = filesUnder(FIXTURE).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const s of SECRETS) expect(text).toContain(s);
  });

  it('hardcoded-secret reports each hardcoded one by name, file and line, redacted', () => {
    const run = check({ dir: FIXTURE, rules: RULES });
    const mine = run.result.findings.filter((f) => f.ruleId === 'hardcoded-secret');
    expect(mine.map((f) => `${f.span.file} ${f.message.split(':')[0]}`)).toEqual([
      'backend/mysite/settings.py SECRET_KEY of web is written in the settings module',
      'backend/mysite/settings.py DATABASES["default"]["PASSWORD"] of web is written in the settings module',
      'docker-compose.yml the password in DATABASE_URL of web is written in the compose environment',
      'docker-compose.yml STRIPE_API_KEY of web is written in the compose environment',
      'docker-compose.yml EMAIL_HOST_PASSWORD of web is written in the default of a compose variable',
      'docker-compose.yml --requirepass of redis is written on the command line',
      'docker-compose.yml redis-cli -a of redis is written in the healthcheck',
      'docker-compose.yml POSTGRES_PASSWORD of db is written in the compose environment',
      'pgbouncer/userlist.txt userlist user "app" of pgbouncer is written in the pgbouncer userlist',
    ]);
    for (const f of mine) expect(f.message).toMatch(/\*{8} \(\d+ characters\)/);
  });

  const result = check({ dir: FIXTURE, rules: RULES }).result;
  for (const name of Object.keys(formatters) as Array<keyof typeof formatters>) {
    it(`--format ${name} (in-process, code frames included)`, () => {
      const out = formatters[name](result, { color: false, rules: RULES.map((r) => r.meta), version: '0.0.0-test' });
      expect(out.length).toBeGreaterThan(0);
      expect(out).toContain('hardcoded-secret');
      expectNoSecret(out, name);
    });
  }

  it('every format of the CLI, colour on and off, and --verbose', () => {
    const cli = join(REPO, 'dist', 'arena-lint.js');
    for (const name of Object.keys(formatters)) {
      for (const extra of [[], ['--color'], ['--verbose']]) {
        const r = spawnSync(process.execPath, [cli, 'check', FIXTURE, '--format', name, ...extra], { encoding: 'utf8' });
        expect([0, 1], `${name} ${extra.join(' ')}: ${r.stderr}`).toContain(r.status);
        expect(r.stdout).toContain('hardcoded-secret');
        expectNoSecret(r.stdout + r.stderr, `arena-lint check --format ${name} ${extra.join(' ')}`);
      }
    }
  });

  it('the GitHub Action: annotations, job summary, outputs and the SARIF file', () => {
    const workspace = tempDir('secrets');
    cpSync(FIXTURE, workspace, { recursive: true });
    const r = runAction(workspace, { 'fail-on': 'none', 'sarif-file': 'arena-lint.sarif' });
    expect(r.commands.some((c) => c.properties.title?.includes('hardcoded-secret'))).toBe(true);
    expectNoSecret(r.stdout + r.stderr, 'the action log (annotations)');
    expectNoSecret(r.summary ?? '', 'the job summary');
    expectNoSecret(JSON.stringify(r.outputs), 'the step outputs');
    const sarif = readFileSync(join(workspace, 'arena-lint.sarif'), 'utf8');
    expect(sarif).toContain('hardcoded-secret');
    expectNoSecret(sarif, 'the SARIF file');
  });
});
