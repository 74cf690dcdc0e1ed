import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { effectivePgbouncerSettings, parseDatabaseEntry, parsePgbouncerIni, type IniEntry } from '../../src/parsers/pgbouncer.js';
import { PGBOUNCER_SETTINGS } from '../../src/reference/pgbouncer-settings.js';

const parse = (text: string) => {
  const file = createSourceFile('pgbouncer/pgbouncer.ini', text);
  return { file, ...parseIni(file) };
};
const parseIni = (file: ReturnType<typeof createSourceFile>) => {
  const r = parsePgbouncerIni(file);
  return { doc: r.doc!, problems: r.problems, comments: r.comments };
};
const slice = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

describe('parsePgbouncerIni', () => {
  it('reads sections, keys and values with exact spans', () => {
    const text = '[databases]\napp = host=db port=5432\n\n[pgbouncer]\n  pool_mode   =  transaction  \nmax_client_conn=300\n';
    const { doc, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(doc.sections.map((s) => s.name)).toEqual(['databases', 'pgbouncer']);
    const [dbs, pgb] = doc.sections;
    expect(slice(text, dbs!.nameSpan)).toBe('databases');
    expect(slice(text, dbs!.span)).toBe('[databases]\napp = host=db port=5432');
    const mode = pgb!.entries[0]!;
    expect(mode).toMatchObject({ key: 'pool_mode', value: 'transaction' });
    expect(mode.keySpan).toEqual({ file: 'pgbouncer/pgbouncer.ini', start: 51, end: 60 });
    expect(mode.valueSpan).toEqual({ file: 'pgbouncer/pgbouncer.ini', start: 66, end: 77 });
    expect(slice(text, mode.span)).toBe('pool_mode   =  transaction');
    expect(slice(text, pgb!.entries[1]!.valueSpan)).toBe('300');
  });

  it('treats ; and # as comments only at the start of a line, as pgbouncer does', () => {
    const text = '[pgbouncer]\n; full line\n   # indented\npool_mode = session ; x\nadmin_users = a # b\n';
    const { doc, comments } = parse(text);
    expect(doc.sections[0]!.entries.map((e) => e.value)).toEqual(['session ; x', 'a # b']);
    expect(comments.map((c) => c.text)).toEqual(['full line', 'indented']);
    expect(slice(text, comments[1]!.span)).toBe('# indented');
  });

  it('keeps duplicate keys and repeated sections in order', () => {
    const text = '[pgbouncer]\nlisten_port = 1\nlisten_port = 2\n[pgbouncer]\npool_mode = statement\n';
    const { doc } = parse(text);
    expect(doc.sections).toHaveLength(2);
    expect(doc.sections[0]!.entries.map((e) => e.value)).toEqual(['1', '2']);
  });

  it('keeps %include directives and ${VAR} placeholders literally', () => {
    const text = '[pgbouncer]\n%include /etc/pgbouncer/extra.ini\nadmin_users = ${POSTGRES_USER:-postgres}\n';
    const { doc, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(doc.includes).toEqual([{ path: '/etc/pgbouncer/extra.ini', span: { file: 'pgbouncer/pgbouncer.ini', start: 21, end: 45 } }]);
    expect(doc.sections[0]!.entries[0]!.value).toBe('${POSTGRES_USER:-postgres}');
  });

  it('reports lines pgbouncer would stop at, with the failing position, and keeps going', () => {
    const text = '[pgbouncer]\nmax client conn = 5\n[databases] junk\n[broken\n= 5\nstray\npool_mode = session\n';
    const { doc, problems } = parse(text);
    expect(problems.map((p) => [p.message, slice(text, p.span)])).toEqual([
      ['Expected "=" after "max"', 'client conn = 5'],
      ['Expected "=" after "junk"', 'junk'],
      ['Section header is missing its closing "]"', '[broken'],
      ['Missing key before "="', '='],
      ['Expected "=" after "stray"', 'stray'],
    ]);
    expect(doc.sections.at(-1)!.entries.map((e) => e.key)).toEqual(['pool_mode']);
  });

  it('reads what follows "]" on the same line as pgbouncer does', () => {
    const text = '[pgbouncer] ; note\n[databases][pgbouncer] pool_mode = transaction\n';
    const { doc, problems, comments } = parse(text);
    expect(problems).toEqual([]);
    expect(comments.map((c) => c.text)).toEqual(['note']);
    expect(doc.sections.map((s) => s.name)).toEqual(['pgbouncer', 'databases', 'pgbouncer']);
    expect(slice(text, doc.sections[2]!.entries[0]!.valueSpan)).toBe('transaction');
  });

  it('reports a setting outside any section and handles CRLF and a missing final newline', () => {
    const text = 'pool_mode = session\r\n[pgbouncer]\r\nlisten_port = 6432';
    const { doc, problems } = parse(text);
    expect(problems.map((p) => p.message)).toEqual(['"pool_mode" is set outside any section']);
    expect(doc.sections[0]!.entries[0]!.value).toBe('6432');
  });

  it('reads a quoted database name', () => {
    const { doc, problems } = parse('[databases]\n"my ""db""" = host=a\n');
    expect(problems).toEqual([]);
    expect(doc.sections[0]!.entries[0]!.key).toBe('my "db"');
  });
});

describe('parseDatabaseEntry', () => {
  const entryOf = (text: string): { entry: IniEntry; text: string } => {
    const full = `[databases]\n${text}\n`;
    return { entry: parse(full).doc.sections[0]!.entries[0]!, text: full };
  };

  it('reads libpq-style pairs with spans, quotes and spaces around =', () => {
    const { entry, text } = entryOf("app = host=db port = 6432 dbname='my ''app''' pool_size=40");
    const { params, problems } = parseDatabaseEntry(entry);
    expect(problems).toEqual([]);
    expect([...params].map(([k, v]) => [k, v.value])).toEqual([['host', 'db'], ['port', '6432'], ['dbname', "my 'app'"], ['pool_size', '40']]);
    expect(slice(text, params.get('port')!.span)).toBe('6432');
    expect(slice(text, params.get('dbname')!.span)).toBe("'my ''app'''");
  });

  it('reports an unterminated quote and a word without =', () => {
    const { entry, text } = entryOf("app = host=db oops dbname='x");
    const { params, problems } = parseDatabaseEntry(entry);
    expect(params.get('host')!.value).toBe('db');
    expect(problems.map((p) => [p.message, slice(text, p.span)])).toEqual([
      ['Expected "=" after "oops"', 'oops'],
      ['Value of "dbname" is missing its closing quote', "'x"],
    ]);
  });
});

describe('effectivePgbouncerSettings', () => {
  it('applies last-wins and the reset of a second [pgbouncer] header, with defaults at the header', () => {
    const text = '[pgbouncer]\nmax_client_conn = 50\npool_mode = transaction\n[databases]\n[pgbouncer]\nmax_client_conn = 10\nmax_client_conn = 20\n';
    const { doc } = parse(text);
    const eff = effectivePgbouncerSettings(doc);
    expect(eff.get('max_client_conn')).toMatchObject({ kind: 'known', value: '20' });
    const mode = eff.get('pool_mode')!;
    expect(mode).toMatchObject({ kind: 'known', value: 'session', isDefault: true });
    expect(slice(text, mode.span)).toBe('[pgbouncer]');
    expect(mode.span.start).toBe(text.lastIndexOf('[pgbouncer]'));
    for (const setting of PGBOUNCER_SETTINGS) expect(eff.has(setting.name)).toBe(true);
  });

  it('uses the defaults of the given version', () => {
    const { doc } = parse('[pgbouncer]\n');
    expect(effectivePgbouncerSettings(doc, '1.21.0').get('max_prepared_statements')).toMatchObject({ value: '0' });
    expect(effectivePgbouncerSettings(doc).get('max_prepared_statements')).toMatchObject({ value: '200' });
  });

  it('makes placeholders and settings an include may override unknown', () => {
    const text = '[pgbouncer]\nadmin_users = ${PGUSER}\nlisten_port = 6432\n%include extra.ini\npool_mode = transaction\n';
    const eff = effectivePgbouncerSettings(parse(text).doc);
    expect(eff.get('admin_users')).toMatchObject({ kind: 'unknown' });
    expect(eff.get('listen_port')).toMatchObject({ kind: 'unknown', reason: 'may be overridden by %include extra.ini' });
    expect(eff.get('pool_mode')).toMatchObject({ kind: 'known', value: 'transaction' });
    expect(eff.get('max_client_conn')).toMatchObject({ kind: 'unknown' });
  });
});

const CORPUS = '/work/shared/corpus';
function corpusFiles(match: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (match(name)) out.push(path);
    }
  };
  walk(CORPUS);
  return out.sort();
}

describe.skipIf(!existsSync(CORPUS))('pgbouncer.ini files of the corpus', () => {
  it('parse without throwing, with every span inside the file', () => {
    const files = corpusFiles((name) => name.endsWith('.ini') && name.toLowerCase().includes('pgbouncer'));
    expect(files.length).toBeGreaterThan(0);
    for (const path of files) {
      const file = createSourceFile(relative(CORPUS, path), readFileSync(path, 'utf8'));
      const { doc } = parseIni(file);
      const spans = doc.sections.flatMap((s) => [s.span, s.nameSpan, ...s.entries.flatMap((e) => [e.span, e.keySpan, e.valueSpan])]);
      for (const span of spans) {
        expect(span.file).toBe(file.path);
        expect(span.start).toBeGreaterThanOrEqual(0);
        expect(span.end).toBeLessThanOrEqual(file.text.length);
      }
      for (const section of doc.sections.filter((s) => s.name === 'databases')) {
        for (const entry of section.entries) expect(() => parseDatabaseEntry(entry)).not.toThrow();
      }
      expect(() => effectivePgbouncerSettings(doc)).not.toThrow();
    }
  });
});
if (!existsSync(CORPUS)) console.warn(`[pgbouncer parser] corpus not found at ${CORPUS}; corpus tests skipped`);
