import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/engine/run.js';
import { RULES } from '../../../rules/index.js';
import { TmpStack } from '../../helpers/tmp-stack.js';

/**
 * The same database settings written literally and through dj_database_url give the same findings
 * (rule, message), only at other lines: the URL form is evaluated, not skipped. And config() reads
 * DATABASE_URL first, as dj_database_url does: the seed's config.env sets it to db:5432.
 */
const LITERAL_START = 'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",';

describe('dj_database_url in the seed stack', () => {
  const literal = new TmpStack('fixtures/arena-scaled');
  const viaUrl = new TmpStack('fixtures/arena-scaled');
  const viaConfig = new TmpStack('fixtures/arena-scaled');
  afterAll(() => {
    literal.remove();
    viaUrl.remove();
    viaConfig.remove();
  });
  const file = 'backend/arena_backend/settings.py';
  const summary = (dir: string) =>
    check({ dir, rules: RULES })
      .result.findings.filter((f) => !f.ruleId.startsWith('hardcoded-secret'))
      .map((f) => `${f.ruleId}: ${f.message.replace(/settings\.py:\d+/g, 'settings.py:N')}`)
      .sort();
  const rewrite = (stack: TmpStack, call: string) => {
    const text = stack.read(file);
    const start = text.indexOf(LITERAL_START);
    const end = text.indexOf('\n}\n', start) + 3;
    expect(start).toBeGreaterThan(0);
    const options = text.slice(text.indexOf('"OPTIONS": {', start), text.indexOf('        },\n    }\n}', start) + 9).replace('"OPTIONS": ', '');
    stack.write(file, `${text.slice(0, start)}import dj_database_url\nDATABASES = {"default": ${call}}\nDATABASES["default"]["OPTIONS"] = ${options.trim()}\n${text.slice(end)}`);
  };
  const url = '"postgres://arena:pw@" + os.getenv("DB_HOST", "pgbouncer") + ":" + os.getenv("DB_PORT", "6432") + "/arena"';

  it('parse() gives the findings of the literal DATABASES', () => {
    rewrite(viaUrl, `dj_database_url.parse(${url}, conn_max_age=300, conn_health_checks=True)`);
    const a = summary(literal.dir);
    expect(a.some((m) => m.startsWith('pgbouncer-server-side-cursors'))).toBe(true);
    expect(summary(viaUrl.dir)).toEqual(a);
  });

  it('config() takes DATABASE_URL from the container environment over its default: the bypass shows', () => {
    rewrite(viaConfig, `dj_database_url.config(default=${url}, conn_max_age=300, conn_health_checks=True)`);
    const run = check({ dir: viaConfig.dir, rules: RULES }).result;
    const bypass = run.findings.filter((f) => f.ruleId === 'django-db-bypasses-pgbouncer');
    expect(bypass.map((f) => f.message)).toEqual(['Database "default" of web-1, web-2 and 13 more connects straight to db:5432, bypassing pgbouncer: pool sizes and max_client_conn do not apply to it']);
    expect(summary(literal.dir).some((m) => m.startsWith('django-db-bypasses-pgbouncer'))).toBe(false);
  });
});
