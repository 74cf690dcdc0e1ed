import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { effectivePgbouncerSettings, parseDatabaseEntry, parsePgbouncerIni } from '../../src/parsers/pgbouncer.js';
import {
  PGBOUNCER_SETTINGS,
  pgbouncerDefault,
  validateDatabaseParam,
  validatePgbouncerSetting,
  versionAtLeast,
} from '../../src/reference/pgbouncer-settings.js';
import { findPgbouncer, type PgbouncerOracle } from './pgbouncer-oracle.js';

const found = findPgbouncer();
const oracle: PgbouncerOracle | undefined = 'oracle' in found ? found.oracle : undefined;
if (!oracle) console.warn(`[pgbouncer oracle] skipped: ${'missing' in found ? found.missing : ''}`);
afterAll(() => oracle?.dispose());

type Refusal = 'unknown-key' | 'bad-value' | 'syntax' | 'section';

/** What our parser and validators say pgbouncer `version` will refuse in this file. */
function ourRefusals(text: string, version: string): Array<{ kind: Refusal; detail: string }> {
  const out: Array<{ kind: Refusal; detail: string }> = [];
  const { doc, problems } = parsePgbouncerIni(createSourceFile('pgbouncer.ini', text));
  for (const p of problems) out.push({ kind: 'syntax', detail: p.message });
  const sections = ['pgbouncer', 'databases', 'users', ...(versionAtLeast(version, '1.19') ? ['peers'] : [])];
  for (const section of doc?.sections ?? []) {
    if (!sections.includes(section.name)) out.push({ kind: 'section', detail: section.name });
    for (const entry of section.entries) {
      if (section.name === 'pgbouncer') {
        // Every assignment is checked when read, even one a later header resets.
        const v = validatePgbouncerSetting(entry.key, entry.value, version);
        if (!v.ok) out.push({ kind: v.kind, detail: v.message });
      } else if (section.name === 'databases') {
        const { params, problems: dbProblems } = parseDatabaseEntry(entry);
        for (const p of dbProblems) out.push({ kind: 'bad-value', detail: p.message });
        for (const [key, value] of params) {
          const v = validateDatabaseParam(key, value.value, version);
          if (!v.ok) out.push({ kind: v.kind, detail: v.message });
        }
      }
    }
  }
  return out;
}

/** Settings the oracle needs to start privately; table cases add their lines after these. */
function base(dir: string): string {
  return `listen_addr = 127.0.0.1\nlisten_port = 16432\nunix_socket_dir = ${dir}\nauth_type = trust\nauth_file = ${dir}/userlist.txt\n`;
}

interface Case { name: string; ini: (dir: string) => string }
const pgb = (lines: string) => (dir: string) => `[databases]\napp = host=127.0.0.1 dbname=app\n[pgbouncer]\n${base(dir)}${lines}\n`;
const CASES: Case[] = [
  { name: 'valid transaction pooling', ini: pgb('pool_mode = transaction\nmax_client_conn = 2000\ndefault_pool_size = 50\nquery_timeout = 60') },
  { name: 'unknown key (typo)', ini: pgb('max_client_conns = 100') },
  { name: 'unknown key (upper case)', ini: pgb('POOL_MODE = session') },
  { name: 'bad enum value', ini: pgb('pool_mode = transactions') },
  { name: 'enum is case-insensitive', ini: pgb('pool_mode = Transaction') },
  { name: 'inline ; is part of the value', ini: pgb('pool_mode = session ; comment') },
  { name: 'inline # after a number', ini: pgb('max_client_conn = 500 # comment') },
  { name: 'comment lines with ; and #', ini: pgb('; pool_mode = nonsense\n  # max_client_conn = x') },
  { name: 'time with a unit', ini: pgb('query_timeout = 30s') },
  { name: 'fractional and exponent times', ini: pgb('reserve_pool_timeout = 3.5\nserver_lifetime = 1e3') },
  { name: 'negative time', ini: pgb('query_timeout = -1') },
  { name: 'fractional int', ini: pgb('max_client_conn = 5.0') },
  { name: 'hex and octal ints', ini: pgb('max_client_conn = 0x100\nunix_socket_mode = 0700') },
  { name: 'accepted oddities (negative, bool 2, port out of range)', ini: pgb('max_client_conn = -5\nso_reuseport = 0\nlog_stats = 2') },
  { name: 'empty int', ini: pgb('default_pool_size =') },
  { name: 'bool as word', ini: pgb('log_connections = yes') },
  { name: 'second [pgbouncer] header resets the first', ini: (dir) => `[pgbouncer]\nlisten_port = 1\n[databases]\n[pgbouncer]\n${base(dir)}` },
  { name: 'bad value before a second header still refuses', ini: (dir) => `[pgbouncer]\npool_mode = bogus\n[pgbouncer]\n${base(dir)}` },
  { name: '${VAR} in a string setting loads literally', ini: pgb('admin_users = ${POSTGRES_USER:-postgres}') },
  { name: '${VAR} in an int setting', ini: pgb('max_client_conn = ${MAX_CONN}') },
  { name: '${VAR} as database host', ini: (dir) => `[databases]\napp = host=\${DB_HOST} dbname=app\n[pgbouncer]\n${base(dir)}` },
  { name: '${VAR} as database port', ini: (dir) => `[databases]\napp = host=db port=\${DB_PORT}\n[pgbouncer]\n${base(dir)}` },
  { name: 'unknown database parameter', ini: (dir) => `[databases]\napp = host=db pool_sizes=5\n[pgbouncer]\n${base(dir)}` },
  { name: 'quoted database parameter', ini: (dir) => `[databases]\napp = host=db dbname='my ''app''' pool_size = 5\n[pgbouncer]\n${base(dir)}` },
  { name: 'unknown section', ini: (dir) => `[pgbouncer]\n${base(dir)}[pgbouncr]\n` },
  { name: 'key without =', ini: pgb('pool_mode transaction') },
  { name: 'comment after a section header', ini: (dir) => `[pgbouncer] ; note\n${base(dir)}` },
  { name: 'text after a section header', ini: (dir) => `[pgbouncer] junk\n${base(dir)}` },
  { name: 'key after a section header on the same line', ini: (dir) => `[databases][pgbouncer] pool_mode = statement\n${base(dir)}` },
  { name: 'newer setting (max_prepared_statements)', ini: pgb('max_prepared_statements = 100') },
  { name: 'newer setting (track_extra_parameters)', ini: pgb('track_extra_parameters = search_path') },
];

describe.skipIf(!oracle)('pgbouncer accepts and refuses what our validator says', () => {
  const version = oracle?.version ?? '';

  it.each(CASES)('$name', async ({ ini }) => {
    const text = ini(oracle!.dir);
    const run = await oracle!.run(text);
    const ours = ourRefusals(text, version);
    const context = `pgbouncer ${version} ${run.loaded ? 'loaded' : `refused (${run.refusal})`}:\n${run.log}\nours: ${JSON.stringify(ours)}`;
    expect(ours.length > 0, context).toBe(!run.loaded);
    if (!run.loaded && run.refusal !== 'other') expect(ours.map((r) => r.kind), context).toContain(run.refusal);
  });

  it('loads every setting our catalog has for this version, set to its default', async () => {
    const lines = PGBOUNCER_SETTINGS
      .filter((s) => versionAtLeast(version, s.since) && !['listen_addr', 'listen_port', 'unix_socket_dir', 'auth_type', 'auth_file', 'user', 'conffile'].includes(s.name))
      .map((s) => `${s.name} = ${pgbouncerDefault(s.name, version) ?? ''}`);
    for (const line of lines) {
      const [key = '', value = ''] = line.split(' = ');
      expect(validatePgbouncerSetting(key, value, version).ok, line).toBe(true);
    }
    const run = await oracle!.run(`[pgbouncer]\n${base(oracle!.dir)}${lines.join('\n')}\n`);
    expect(run.loaded, run.log).toBe(true);
  });

  it('refuses, as unknown, every catalog setting newer than this version', async () => {
    const newer = PGBOUNCER_SETTINGS.filter((s) => !versionAtLeast(version, s.since));
    for (const setting of newer) {
      const run = await oracle!.run(`[pgbouncer]\n${base(oracle!.dir)}${setting.name} = 1\n`);
      expect(run.refusal, `${setting.name} (since ${setting.since}) on ${version}: ${run.log}`).toBe('unknown-key');
      expect(validatePgbouncerSetting(setting.name, '1', version)).toMatchObject({ ok: false, kind: 'unknown-key' });
    }
  });

  it('agrees with effectivePgbouncerSettings on the second-header reset', async () => {
    const text = `[pgbouncer]\nlisten_port = 1\n[pgbouncer]\nlisten_addr = 127.0.0.1\nunix_socket_dir =\nauth_type = trust\n`;
    const run = await oracle!.run(text);
    const port = effectivePgbouncerSettings(parsePgbouncerIni(createSourceFile('p.ini', text)).doc!, version).get('listen_port');
    // Port 1 cannot be bound without root, so starting at all proves the reset to the default 6432.
    expect(run.loaded, run.log).toBe(true);
    expect(port).toMatchObject({ kind: 'known', value: '6432', isDefault: true });
  });
});

const CORPUS = '/work/shared/corpus';
const corpusInis = existsSync(CORPUS)
  ? readdirSync(join(CORPUS, 'pgbouncer-misc')).filter((f) => f.endsWith('.ini')).map((f) => join(CORPUS, 'pgbouncer-misc', f))
  : [];
if (!existsSync(CORPUS)) console.warn(`[pgbouncer oracle] corpus not found at ${CORPUS}; corpus cases skipped`);

/** Points every file and socket setting at the oracle's directory and the listener at a private port. */
function privatize(text: string, dir: string): string {
  const rewritten = text.replace(
    /^([ \t]*)(auth_file|auth_hba_file|auth_ident_file|logfile|pidfile|unix_socket_dir|listen_addr|listen_port|user|client_tls_\w+_file|server_tls_\w+_file)([ \t]*=).*$/gm,
    (_all, indent: string, key: string, eq: string) => {
      const value = key === 'listen_addr' ? '127.0.0.1' : key === 'listen_port' ? '16432' : key === 'user' ? 'postgres' : key === 'unix_socket_dir' ? dir : `${dir}/${key}`;
      return `${indent}${key}${eq} ${value}`;
    },
  );
  return rewritten;
}

describe.skipIf(!oracle || corpusInis.length === 0)('corpus pgbouncer.ini files under the real pgbouncer', () => {
  it.each(corpusInis)('%s', async (path) => {
    const text = privatize(readFileSync(path, 'utf8'), oracle!.dir);
    const run = await oracle!.run(text);
    const ours = ourRefusals(text, oracle!.version);
    const context = `${run.loaded ? 'loaded' : `refused (${run.refusal})`}:\n${run.log}\nours: ${JSON.stringify(ours)}`;
    if (run.loaded) expect(ours.filter((r) => r.kind === 'unknown-key'), context).toEqual([]);
    else if (run.refusal === 'unknown-key' || run.refusal === 'bad-value') expect(ours.map((r) => r.kind), context).toContain(run.refusal);
  });
});
