import { describe, expect, it } from 'vitest';
import { createSourceFile, positionAt } from '../../src/core/source.js';
import { interpolate, type VariableSource } from '../../src/parsers/interpolate.js';
import { literalText, rangeOf } from '../../src/parsers/mapped-text.js';
import { parseEnvFile } from '../../src/parsers/dotenv.js';
import { splitShellWords } from '../../src/parsers/shell-words.js';

const envSpan = { file: '.env', start: 100, end: 104 };
const vars: VariableSource = {
  lookup: (n) => ({ WORKERS: { value: '8', span: envSpan }, EMPTY: { value: '', span: envSpan } } as Record<string, { value: string; span: typeof envSpan }>)[n],
};

function run(text: string) {
  const out = interpolate(literalText('c.yml', text, 10), vars);
  return { text: out.text, whole: rangeOf(out, 0, out.text.length), out };
}

describe('compose interpolation', () => {
  it.each([
    ['--workers ${WORKERS}', '--workers 8'],
    ['--workers $WORKERS', '--workers 8'],
    ['${MISSING:-4}', '4'],
    ['${MISSING-4}', '4'],
    ['${EMPTY:-4}', '4'],
    ['${EMPTY-4}', ''],
    ['${WORKERS:+yes}', 'yes'],
    ['${MISSING:+yes}', ''],
    ['$$HOME', '$HOME'],
    ['${MISSING:-${WORKERS}}', '8'],
    ['plain', 'plain'],
  ])('%s -> %s', (input, expected) => {
    expect(run(input).text).toBe(expected);
  });

  it('points a substituted word at the expression and records the env line it came from', () => {
    const { out } = run('--workers ${WORKERS}');
    const r = rangeOf(out, 10, 11);
    expect(r.span).toEqual({ file: 'c.yml', start: 20, end: 30 });
    expect(r.via).toEqual([envSpan]);
    expect(r.unknownReason).toBeUndefined();
  });

  it('makes a word with an unset variable unknown, naming the variable', () => {
    const { whole } = run('--workers ${NOPE}');
    expect(whole.unknownReason).toContain('${NOPE} is not set in .env');
  });

  it('makes a required variable unknown with its message', () => {
    expect(run('${NOPE:?set the worker count}').whole.unknownReason).toContain('set the worker count');
  });

  it('maps literal text one to one', () => {
    const { out } = run('abc ${WORKERS} def');
    expect(rangeOf(out, 6, 9).span).toEqual({ file: 'c.yml', start: 25, end: 28 });
  });
});

describe('env files', () => {
  const file = createSourceFile('config.env', [
    '# database',
    'DB_HOST=pgbouncer',
    'export DB_PORT=6432 # inline comment',
    "QUOTED='a # b'",
    'DOUBLE="x\\ny"',
    'URL=postgres://${DB_HOST}:${DB_PORT}/app',
    'FROM_SHELL',
    'bad line',
    '',
  ].join('\n'));
  const r = parseEnvFile(file);
  const get = (k: string) => r.doc!.entries.find((e) => e.key === k)!.value;

  it('reads values with compose rules', () => {
    expect(get('DB_HOST')).toMatchObject({ kind: 'known', value: 'pgbouncer' });
    expect(get('DB_PORT')).toMatchObject({ kind: 'known', value: '6432' });
    expect(get('QUOTED')).toMatchObject({ kind: 'known', value: 'a # b' });
    expect(get('DOUBLE')).toMatchObject({ kind: 'known', value: 'x\ny' });
    expect(get('URL')).toMatchObject({ kind: 'known', value: 'postgres://pgbouncer:6432/app' });
    expect(get('FROM_SHELL').kind).toBe('unknown');
  });

  it('positions values at their line and keeps comments', () => {
    const v = get('DB_PORT');
    expect(positionAt(file, v.span.start)).toEqual({ line: 3, column: 16 });
    expect(r.comments.map((c) => c.text.trim())).toEqual(['database', 'inline comment']);
  });

  it('reports a malformed line without stopping', () => {
    expect(r.problems).toHaveLength(1);
    expect(positionAt(file, r.problems[0]!.span.start).line).toBe(8);
  });
});

describe('shell words', () => {
  it('splits like a POSIX shell without expanding anything', () => {
    const words = splitShellWords(literalText('f', `sh -c "exec gunicorn --bind 0.0.0.0:8000 'a b'" && echo $(rm -rf /)`, 0));
    expect(words.map((w) => (w.value.kind === 'known' ? w.value.value : '?'))).toEqual([
      'sh', '-c', "exec gunicorn --bind 0.0.0.0:8000 'a b'", '&&', 'echo', '$(rm', '-rf', '/)',
    ]);
    expect(words[3]!.operator).toBe(true);
  });

  it('keeps the source span of a quoted word', () => {
    const words = splitShellWords(literalText('f', `a "b c" d`, 5));
    expect(words[1]!.value.span).toEqual({ file: 'f', start: 8, end: 11 });
  });
});
