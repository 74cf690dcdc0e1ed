import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { RULE_FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

// Words read from files and command lines are looked up in tables; `constructor` or `__proto__` must
// be a key like any other, never a member of Object.prototype (a corpus script once crashed the scanner).
const FIXTURE = join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed');

describe('keys named like Object.prototype members', () => {
  const stack = new TmpStack(FIXTURE);
  afterAll(() => stack.remove());

  it('an unknown command "constructor" is a usage error', () => {
    let stderr = '';
    const code = main(['constructor'], { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: FIXTURE });
    expect(code).toBe(2);
    expect(stderr).toBe('arena-lint: unknown command "constructor"; see `arena-lint --help`\n');
  });

  it('compose keys and gunicorn options named __proto__ / constructor are read as data', () => {
    const logging = (v: string) => `    logging:\n      driver: json-file\n      options:\n        __proto__: ${v}\n        constructor: ${v}\n`;
    for (const n of [1, 2, 3]) stack.edit('docker-compose.yml', `      - CONTAINER_NAME=web-${n}\n`, `      - CONTAINER_NAME=web-${n}\n${logging(n === 2 ? 'b' : 'a')}`);
    stack.edit('docker-compose.yml', 'container_name: arena-web-1\n    command: gunicorn --bind', 'container_name: arena-web-1\n    command: gunicorn --constructor -_ --bind');
    const drift = check({ dir: stack.dir, rules: RULES }).result.findings.filter((f) => f.ruleId === 'replica-drift').map((f) => f.message);
    // Before, `__proto__` set the object's prototype and vanished, so the replicas looked alike.
    expect(drift).toEqual([
      'web-1 differs from 2 other web replicas (web-2 and web-3) in command: --constructor -_ (others: none) (docker-compose.yml:24)',
      'web-2 differs from 2 other web replicas (web-1 and web-3) in logging.options.__proto__: b (others: a) (docker-compose.yml:10)',
    ]);
  });
});
