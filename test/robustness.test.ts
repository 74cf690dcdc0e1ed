import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { RULE_FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';
import { assertProperty } from './helpers/property.js';

// Bad input never crashes: whatever a file holds, check() returns findings with spans inside the files.
const base = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
afterAll(() => base.remove());

function checkInside(dir: string) {
  const run = check({ dir, rules: RULES });
  for (const f of run.result.findings) {
    const file = run.result.sources.get(f.span.file);
    expect(file).toBeDefined();
    expect(f.span.end).toBeLessThanOrEqual(file!.text.length);
  }
  return run;
}

// The separator is drawn with the parts, so the seed alone decides the text (fc.sample would not).
const composeish = fc.tuple(
  fc.array(
    fc.oneof(
      fc.constantFrom('services:', '  web-1:', '  nginx:', '    command: gunicorn --workers ${W:-', '    <<: *x', '    x: &x', '    - ', '  ', '\t', ':', '{', '}', '[', ']', '"', "'", '#', '${', '$$', '---', '!!str', '? ', '|', '>'),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 40 },
  ),
  fc.constantFrom('\n', ' ', ''),
).map(([parts, sep]) => parts.join(sep));

const nginxish = fc.array(
  fc.oneof(
    fc.constantFrom('upstream', 'server', 'location', 'proxy_pass', 'include', 'http://web-1:8000', '{', '}', ';', '"', "'", '\\', '#', '${X}', '$host', '~*', '\n'),
    fc.string({ maxLength: 10 }),
  ),
  { maxLength: 60 },
).map((parts) => parts.join(' '));

describe('robustness', () => {
  it('property: survives random compose text', () => {
    assertProperty('robustness/compose-text', fc.property(composeish, (text) => {
      base.write('docker-compose.yml', text);
      checkInside(base.dir);
    }), { numRuns: 150 });
  });

  it('property: survives random nginx text behind a valid compose file', () => {
    const t = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
    try {
      assertProperty('robustness/nginx-text', fc.property(nginxish, (text) => {
        t.write('nginx/default.conf', text);
        checkInside(t.dir);
      }), { numRuns: 150 });
    } finally {
      t.remove();
    }
  });

  it('survives hostile files', () => {
    const t = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
    try {
      const cases: Array<[string, string | Buffer]> = [
        ['docker-compose.yml', ''],
        ['docker-compose.yml', Buffer.from([0, 1, 2, 255, 254])],
        ['docker-compose.yml', `a: &a [${'x,'.repeat(10)}]\n${Array.from({ length: 12 }, (_, i) => `b${i}: &b${i} [${`*${i === 0 ? 'a' : `b${i - 1}`},`.repeat(10)}]`).join('\n')}\nservices: {}\n`],
        ['docker-compose.yml', `${'['.repeat(5000)}${']'.repeat(5000)}`],
        ['docker-compose.yml', `services:\n  web:\n    command: ${'x '.repeat(100000)}\n`],
        ['nginx/default.conf', `${'server { '.repeat(3000)}`],
        ['nginx/default.conf', 'include /etc/nginx/conf.d/*.conf;\n'],
        ['.env', 'A=${A}\nB=${B:-${B:-${B}}}\n$(rm -rf /)\n'],
      ];
      for (const [file, text] of cases) {
        const restore = t.read(file === '.env' ? 'docker-compose.yml' : file);
        mkdirSync(t.dir, { recursive: true });
        writeFileSync(join(t.dir, file), text);
        expect(() => checkInside(t.dir), `${file}: ${String(text).slice(0, 40)}`).not.toThrow();
        if (file !== '.env') t.write(file, restore);
      }
    } finally {
      t.remove();
    }
  });
});
