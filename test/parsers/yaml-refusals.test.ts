import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceFile, positionAt } from '../../src/core/source.js';
import { check } from '../../src/engine/run.js';
import { parseYaml } from '../../src/parsers/yaml.js';
import { RULES } from '../../rules/index.js';
import { RULE_FIXTURES } from '../helpers/fixtures.js';
import { runToExit } from '../helpers/oracle.js';
import { TmpStack } from '../helpers/tmp-stack.js';

// YAML that is well formed but that compose refuses to load: each is a parse-error at the node
// compose names, in compose's words (PyYAML's, as docker-compose 1.29 prints them).
const CASES: ReadonlyArray<{ name: string; text: string; message: string; line: number; column: number }> = [
  {
    name: 'an undefined alias',
    text: 'services:\n  web:\n    image: a\n    labels: *nowhere\n',
    message: "found undefined alias 'nowhere'", line: 4, column: 13,
  },
  {
    name: 'an alias used before its anchor',
    text: 'services:\n  web:\n    image: a\n    labels: *later\nx-labels: &later {a: b}\n',
    message: "found undefined alias 'later'", line: 4, column: 13,
  },
  {
    name: 'a merge of a scalar',
    text: 'services:\n  web:\n    image: a\n    <<: 3\n',
    message: 'expected a mapping or list of mappings for merging, but found scalar', line: 4, column: 9,
  },
  {
    name: 'a merge of a sequence of scalars',
    text: 'services:\n  web:\n    image: a\n    <<: [1, 2]\n',
    message: 'expected a mapping for merging, but found scalar', line: 4, column: 10,
  },
  {
    name: 'a merge of an alias to a sequence (the issue\'s `<<: *x`)',
    text: 'x-a: &x [1, 2]\nservices:\n  web:\n    image: a\n    <<: *x\n',
    message: 'expected a mapping for merging, but found scalar (merged at line 5)', line: 1, column: 10,
  },
  {
    name: 'a merge of a list holding an alias to a sequence',
    text: 'x-a: &x [1]\nservices:\n  web:\n    image: a\n    <<: [*x]\n',
    message: 'expected a mapping for merging, but found sequence (merged at line 5)', line: 1, column: 6,
  },
  {
    name: 'a sequence as a mapping key',
    text: 'services:\n  web:\n    image: a\n    ? [a]\n    : b\n',
    message: 'found unhashable key', line: 4, column: 7,
  },
];

/** compose v2 refuses a duplicate key (go-yaml); docker-compose 1.29 (PyYAML) silently takes the last. */
const DUPLICATE = { text: 'services:\n  web:\n    image: a\n    image: b\n', message: 'mapping key "image" already defined at line 3', line: 4, column: 5 };

const first = (text: string) => {
  const file = createSourceFile('docker-compose.yml', text);
  const p = parseYaml(file).problems[0];
  return p && { message: p.message, ...positionAt(file, p.span.start) };
};

describe('YAML that compose refuses', () => {
  it.each(CASES)('$name is a parse error at the node compose names', (c) => {
    expect(first(c.text)).toEqual({ message: c.message, line: c.line, column: c.column });
  });

  it('a duplicate key is a parse error at the second key, saying where the first is', () => {
    expect(first(DUPLICATE.text)).toEqual({ message: DUPLICATE.message, line: DUPLICATE.line, column: DUPLICATE.column });
  });

  it('accepts what compose accepts: merges of maps, of lists of maps, through aliases, and a key merged over', () => {
    for (const text of [
      'x-a: &x {image: a}\nservices:\n  web:\n    <<: *x\n',
      'x-a: &x {image: a}\nx-b: &y {command: b}\nservices:\n  web:\n    <<: [*x, *y, {user: c}]\n',
      'x-a: &x {image: a}\nservices:\n  web:\n    <<: *x\n    image: b\n',
      'x-a: &x {image: a}\nx-l: &l [*x]\nservices:\n  web: *x\n',
    ]) expect(first(text), text).toBeUndefined();
  });

  it('reports only the first refusal: an undefined alias stops reading before any merge is built', () => {
    expect(first('services:\n  web:\n    <<: [1]\n    labels: *gone\n')).toEqual({ message: "found undefined alias 'gone'", line: 4, column: 13 });
  });
});

describe('a stack whose compose file compose refuses', () => {
  const stack = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
  afterAll(() => stack.remove());

  const original = stack.read('docker-compose.yml');
  const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
  // Each refused construct inside an extension field of a valid stack, and the shrunk fuzz case as written.
  it.each([...CASES.map((c) => `\nx-case:\n${indent(c.text)}`), `\nx-case:\n${indent(DUPLICATE.text)}`, '\n{*\nJ\n[\n    <<: *x'])('is a parse-error, and the other files are still checked: %j', (tail) => {
    stack.write('docker-compose.yml', `${original}${tail}`);
    stack.write('nginx/default.conf', 'server {\n    listen 80\n}\n');
    const run = check({ dir: stack.dir, rules: RULES });
    expect(run.result.findings.filter((f) => f.ruleId === 'parse-error').map((f) => f.span.file)).toEqual(['docker-compose.yml', 'nginx/default.conf']);
    expect(run.stacks[0]?.name).toBe('docker-compose.yml');
  });
});

// docker-compose 1.29 itself: the same verdict, at the same line and column.
const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!dockerCompose) console.warn('[oracle] docker-compose not installed: skipping the compose refusal oracle');

describe.skipIf(!dockerCompose)('docker-compose config agrees', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compose = (text: string) => {
    writeFileSync(join(dir, 'docker-compose.yml'), text);
    const r = runToExit('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config'], { cwd: dir });
    const at = [...r.stderr.matchAll(/line (\d+), column (\d+)/g)].at(-1);
    return { status: r.status, stderr: r.stderr, line: at ? Number(at[1]) : undefined, column: at ? Number(at[2]) : undefined };
  };

  it.each(CASES)('$name', (c) => {
    const r = compose(c.text);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toContain(c.message.replace(/ \(merged at line \d+\)$/, ''));
    expect({ line: r.line, column: r.column }).toEqual({ line: c.line, column: c.column });
  });

  it('accepts a duplicate key (v2 refuses it; we follow v2) and a merge of maps', () => {
    expect(compose(DUPLICATE.text).status).toBe(0);
    expect(compose('x-a: &x {image: a}\nservices:\n  web:\n    <<: *x\n').status).toBe(0);
  });
});
