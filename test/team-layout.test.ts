import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCapacityReport } from '../src/capacity/build.js';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';

// Issue 9's last "Done when": a repository written the way many teams write it (docker-compose.yml
// plus docker-compose.override.yml, gunicorn.conf.py, GUNICORN_CMD_ARGS, dj_database_url,
// deploy.replicas: 4, an entrypoint script that execs gunicorn, a pgbouncer.ini rendered by envsubst)
// gives the same findings, numbers and capacity report as the same stack written literally in one
// compose file. Only where each value is written differs, so file:line references are left out of
// the comparison; rule ids, the numbers in every message and every number of the report must agree.

const WRITTEN = join(FIXTURES, 'team-layout', 'written');
const LITERAL = join(FIXTURES, 'team-layout', 'literal');

/** A finding without the places its values are written: rule id and message with `file:line` removed. */
function shape(dir: string): string[] {
  const run = check({ dir, rules: RULES });
  return run.result.findings
    .map((f) => `${f.ruleId} ${f.severity} ${f.message.replace(/\s*\([^()]*:\d+[^()]*\)/g, '').replace(/\s*\(edoburu\/pgbouncer:[^)]*\)/g, '')}`)
    .sort();
}

/** Every number of the capacity report, without its source. */
function numbers(dir: string): unknown {
  const run = check({ dir, rules: [] });
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'source' && k !== 'name' && k !== 'root' && k !== 'note').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return strip(buildCapacityReport(run.stacks, run.config, '.'));
}

describe('a repository written the way teams write it checks like the literal stack', () => {
  it('finds the project, the process, the app server and the settings in both', () => {
    const written = check({ dir: WRITTEN, rules: [] }).stacks;
    expect(written.map((s) => s.project.spec.files)).toEqual([['docker-compose.yml', 'docker-compose.override.yml']]);
    const stack = written[0]!;
    const web = stack.service('web')!;
    expect(web.replicas).toMatchObject({ value: 4 });
    const view = stack.view(web)!;
    expect(view.process?.steps.map((s) => s.span.file)).toContain('backend/entrypoint.sh');
    expect(view.appServer).toMatchObject({ kind: 'gunicorn', processes: { value: 8 }, threads: { value: 4 }, workerClass: { value: 'gthread' } });
    expect(view.django?.settingsFile).toBe('backend/mysite/settings.py');
  });

  it('gives the same findings, with the same numbers', () => {
    const literal = shape(LITERAL);
    expect(literal.length).toBeGreaterThan(0);
    expect(shape(WRITTEN)).toEqual(literal);
  });

  it('gives the same capacity report', () => {
    expect(numbers(WRITTEN)).toEqual(numbers(LITERAL));
  });
});
