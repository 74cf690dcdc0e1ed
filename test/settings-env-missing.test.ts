import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { RULE_FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

// An env_file the repository does not ship cannot be a fixture (docker-compose config, the compose
// oracle, refuses it), so the silence it causes is checked here on a copy of the firing fixture.
const FIRING = join(RULE_FIXTURES, 'settings-env-missing', 'invalid-broker-localhost');

describe('settings-env-missing with an env_file that is not in the repository', () => {
  let tmp: TmpStack | undefined;
  afterEach(() => tmp?.remove());

  it('fires on the fixture as it is', () => {
    const run = check({ dir: FIRING, rules: RULES });
    expect(run.result.findings.filter((f) => f.ruleId === 'settings-env-missing')).toHaveLength(2);
  });

  it('is silent for a service whose env_file is missing (created at deploy time, it may set anything), and says why', () => {
    tmp = new TmpStack(FIRING);
    const compose = tmp.read('docker-compose.yml').replace('    command: celery -A mysite worker -c 2\n', '    command: celery -A mysite worker -c 2\n    env_file: .env.deploy\n').replace('    env_file: .env.web\n', '    env_file: .env.deploy\n');
    tmp.write('docker-compose.yml', compose);
    const run = check({ dir: tmp.dir, rules: RULES });
    expect(run.result.findings.filter((f) => f.ruleId === 'settings-env-missing')).toEqual([]);
    // The evaluator never sees these variables as unset: each read is unknown, naming the env_file.
    const stack = run.stacks[0]!;
    for (const p of [...stack.data.apps, ...stack.data.workers]) {
      expect(p.settings?.envUnset).toEqual([]);
      const broker = p.settings?.names.get('CELERY_BROKER_URL');
      expect(broker?.kind === 'unknown' && broker.reason).toContain('.env.deploy is not in the repository');
    }
  });
});
