import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { known, unknown, type Value } from '../../src/core/value.js';
import { effectivePostgresSetting, parsePostgresArgs, parsePostgresDuration, parsePostgresqlConf } from '../../src/parsers/postgres.js';
import { postgresSetting } from '../../src/reference/postgres-settings.js';

const FILE = 'docker-compose.yml';
/** Splits a command written in `line` into argv words whose spans point into it (quotes included). */
function argv(line: string): { text: string; words: Value<string>[] } {
  const words: Value<string>[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    words.push(known(m[1] ?? m[2]!, { file: FILE, start: m.index, end: m.index + m[0].length }));
  }
  return { text: line, words };
}
const at = (text: string, v: Value<string> | undefined) => (v ? text.slice(v.span.start, v.span.end) : undefined);

describe('parsePostgresArgs', () => {
  it('reads -c name=value, -cname=value, --name=value and -N with exact value spans', () => {
    const { text, words } = argv('postgres -c max_connections=200 -cStatement_Timeout=30s --idle-session-timeout=5min -N 300 -B 1GB -c "lock_timeout=1s"');
    const { settings, problems } = parsePostgresArgs(words);
    expect(problems).toEqual([]);
    expect(Object.fromEntries([...settings].map(([k, v]) => [k, v.kind === 'known' ? v.value : v.reason]))).toEqual({
      max_connections: '300', statement_timeout: '30s', idle_session_timeout: '5min', shared_buffers: '1GB', lock_timeout: '1s',
    });
    expect(at(text, settings.get('statement_timeout'))).toBe('30s');
    expect(at(text, settings.get('idle_session_timeout'))).toBe('5min');
    expect(at(text, settings.get('max_connections'))).toBe('300');
    expect(at(text, settings.get('lock_timeout'))).toBe('1s');
  });

  it('keeps an unknown argument unknown and reports -c without =', () => {
    const words: Value<string>[] = [
      known('-N', { file: FILE, start: 0, end: 2 }),
      unknown('MAX_CONN is not set', { file: FILE, start: 3, end: 14 }),
      known('-c', { file: FILE, start: 15, end: 17 }),
      known('max_connections', { file: FILE, start: 18, end: 33 }),
    ];
    const { settings, problems } = parsePostgresArgs(words);
    expect(settings.get('max_connections')).toMatchObject({ kind: 'unknown', reason: 'MAX_CONN is not set' });
    expect(problems.map((p) => [p.message, p.span.start, p.span.end])).toEqual([['postgres needs "name=value" here, got "max_connections"', 18, 33]]);
  });
});

describe('parsePostgresqlConf', () => {
  it('reads names, quoted and bare values, comments and includes', () => {
    const text = "# sample\nmax_connections = 200   # more clients\nStatement_Timeout '30s'\nsearch_path = '\"$user\", public'\nmessage = 'it''s'\ninclude_dir 'conf.d'\nmax_connections=250\n";
    const { doc, problems, comments } = parsePostgresqlConf(createSourceFile('postgresql.conf', text));
    expect(problems).toEqual([]);
    expect(Object.fromEntries([...doc!].map(([k, v]) => [k, v.value]))).toEqual({
      max_connections: '250', statement_timeout: '30s', search_path: '"$user", public', message: "it's",
    });
    expect(at(text, doc!.get('statement_timeout'))).toBe("'30s'");
    expect(doc!.includes).toEqual([{ directive: 'include_dir', path: 'conf.d', span: { file: 'postgresql.conf', start: text.indexOf("'conf.d'"), end: text.indexOf("'conf.d'") + 8 } }]);
    expect(comments.map((c) => c.text)).toEqual(['sample', 'more clients']);
  });

  it('reports what PostgreSQL refuses', () => {
    const text = "max_connections = 100 200\nshared_buffers = '128MB\n= 5\nwork_mem =\n";
    const { problems } = parsePostgresqlConf(createSourceFile('postgresql.conf', text));
    expect(problems.map((p) => [p.message, text.slice(p.span.start, p.span.end)])).toEqual([
      ['Unexpected text after the value of max_connections', '200'],
      ['Value of shared_buffers is missing its closing quote', "'128MB"],
      ['Expected a setting name', '= 5'],
      ['Missing value for work_mem', 'work_mem ='],
    ]);
  });
});

describe('parsePostgresDuration', () => {
  it('converts every unit into the base unit', () => {
    expect(parsePostgresDuration('30000')).toBe(30000);
    expect(parsePostgresDuration('30s')).toBe(30000);
    expect(parsePostgresDuration(' 30 s ')).toBe(30000);
    expect(parsePostgresDuration('1.5min')).toBe(90000);
    expect(parsePostgresDuration('2h')).toBe(7_200_000);
    expect(parsePostgresDuration('1d', 's')).toBe(86400);
    expect(parsePostgresDuration('500us')).toBe(0.5);
    expect(parsePostgresDuration('10', 's')).toBe(10);
  });
  it('refuses what PostgreSQL refuses', () => {
    for (const bad of ['30S', '30 sec', '', 'abc', '1m', '30ms5']) expect(parsePostgresDuration(bad), bad).toBeUndefined();
  });
});

describe('postgres catalog', () => {
  it('has the defaults the rules rely on, and picks command line over file over default', () => {
    expect(postgresSetting('MAX_CONNECTIONS')).toMatchObject({ default: '100' });
    expect(postgresSetting('superuser_reserved_connections')).toMatchObject({ default: '3' });
    expect(postgresSetting('reserved_connections')).toMatchObject({ default: '0', since: 16 });
    expect(postgresSetting('idle_session_timeout')).toMatchObject({ default: '0', unit: 'ms', since: 14 });
    const conf = parsePostgresqlConf(createSourceFile('postgresql.conf', 'max_connections = 150\n')).doc!;
    const here = { file: FILE, start: 0, end: 0 };
    const args = parsePostgresArgs(argv('postgres -c max_connections=300').words).settings;
    expect(effectivePostgresSetting('max_connections', args, conf, '100', here)).toMatchObject({ value: '300' });
    expect(effectivePostgresSetting('max_connections', new Map(), conf, '100', here)).toMatchObject({ value: '150' });
    expect(effectivePostgresSetting('max_connections', new Map(), undefined, '100', here)).toMatchObject({ value: '100', isDefault: true });
  });
});
