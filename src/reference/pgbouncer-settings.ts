import { known, type Span, type Value } from '../core/value.js';
import { editDistance } from '../core/suggest.js';

/**
 * Every `[pgbouncer]` setting, from pgbouncer's own key table (src/main.c `bouncer_params`) and
 * https://www.pgbouncer.org/config.html, with the release that introduced it (NEWS.md) where that
 * is after 1.12. Types follow how libusual parses the value, because that decides what pgbouncer
 * refuses: `int` is C `strtol(…, 0)` (so `0x10` and `0777` are hex and octal, `5.0` is refused),
 * `float-seconds` is `strtod` (no units in any release up to 1.25: `30s` is refused), `enum` is a
 * case-insensitive lookup, `bool` is an int where anything non-zero means on, `string` and `list`
 * take anything.
 */

export type PgbouncerSettingType = 'int' | 'uint' | 'float-seconds' | 'string' | 'list' | 'enum' | 'bool';

export interface PgbouncerEnumValue {
  readonly value: string;
  readonly since?: string;
  /** Compiled in only on some builds (e.g. `pam` needs --with-pam; Debian's build has it). */
  readonly buildOption?: boolean;
}

export interface PgbouncerSetting {
  readonly name: string;
  readonly type: PgbouncerSettingType;
  /** Defaults over time, oldest first; `undefined` means "not set". */
  readonly defaults: ReadonlyArray<{ readonly since?: string; readonly value: string | undefined }>;
  readonly since?: string;
  readonly values?: readonly PgbouncerEnumValue[];
  /** Unit of a bare number, for the settings whose doc names one. */
  readonly unit?: 'seconds' | 'milliseconds' | 'bytes';
  /** Needs a restart: a RELOAD keeps the old value (CF_NO_RELOAD). */
  readonly restartOnly?: boolean;
}

const SSLMODES: readonly PgbouncerEnumValue[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].map((value) => ({ value }));

type Extra = Partial<Pick<PgbouncerSetting, 'since' | 'values' | 'unit' | 'restartOnly'>>;
function s(name: string, type: PgbouncerSettingType, def: string | undefined, extra: Extra = {}): PgbouncerSetting {
  return { name, type, defaults: [{ value: def }], ...extra };
}
function changing(name: string, type: PgbouncerSettingType, defaults: PgbouncerSetting['defaults'], extra: Extra = {}): PgbouncerSetting {
  return { name, type, defaults, ...extra };
}
const secs = (name: string, def: string, extra: Extra = {}) => s(name, 'float-seconds', def, { unit: 'seconds', ...extra });

export const PGBOUNCER_SETTINGS: readonly PgbouncerSetting[] = [
  s('admin_users', 'list', ''),
  s('application_name_add_host', 'bool', '0'),
  s('auth_dbname', 'string', undefined, { since: '1.19' }),
  s('auth_file', 'string', undefined),
  s('auth_hba_file', 'string', ''),
  s('auth_ident_file', 'string', undefined, { since: '1.23' }),
  s('auth_ldap_options', 'string', undefined, { since: '1.25' }),
  // 1.24.1 (CVE-2025-2291) made the default query respect VALID UNTIL.
  changing('auth_query', 'string', [
    { value: 'SELECT usename, passwd FROM pg_shadow WHERE usename=$1' },
    { since: '1.24.1', value: 'SELECT rolname, CASE WHEN rolvaliduntil < now() THEN NULL ELSE rolpassword END FROM pg_authid WHERE rolname=$1 AND rolcanlogin' },
  ]),
  s('auth_type', 'enum', 'md5', {
    values: [
      { value: 'any' }, { value: 'trust' }, { value: 'plain' }, { value: 'md5' }, { value: 'cert' }, { value: 'hba' },
      { value: 'pam', buildOption: true }, { value: 'scram-sha-256', since: '1.11' }, { value: 'ldap', since: '1.25', buildOption: true },
    ],
  }),
  s('auth_user', 'string', undefined),
  secs('autodb_idle_timeout', '3600'),
  secs('cancel_wait_timeout', '10', { since: '1.19' }),
  secs('client_idle_timeout', '0'),
  secs('client_login_timeout', '60'),
  s('client_tls13_ciphers', 'string', undefined, { since: '1.25' }),
  s('client_tls_ca_file', 'string', ''),
  s('client_tls_cert_file', 'string', ''),
  // 1.21 switched the cipher defaults to the system OpenSSL defaults.
  changing('client_tls_ciphers', 'string', [{ value: 'fast' }, { since: '1.21', value: 'default' }]),
  s('client_tls_dheparams', 'string', 'auto'),
  s('client_tls_ecdhcurve', 'string', 'auto'),
  s('client_tls_key_file', 'string', ''),
  changing('client_tls_protocols', 'string', [{ value: 'all' }, { since: '1.13', value: 'secure' }]),
  s('client_tls_sslmode', 'enum', 'disable', { values: SSLMODES }),
  s('conffile', 'string', undefined),
  s('default_pool_size', 'int', '20'),
  s('disable_pqexec', 'bool', '0', { restartOnly: true }),
  secs('dns_max_ttl', '15'),
  secs('dns_nxdomain_ttl', '15'),
  secs('dns_zone_check_period', '0'),
  secs('idle_transaction_timeout', '0'),
  s('ignore_startup_parameters', 'list', ''),
  s('job_name', 'string', 'pgbouncer', { restartOnly: true }),
  s('listen_addr', 'list', '', { restartOnly: true }),
  s('listen_backlog', 'int', '128', { restartOnly: true }),
  s('listen_port', 'int', '6432', { restartOnly: true }),
  s('log_connections', 'bool', '1'),
  s('log_disconnections', 'bool', '1'),
  s('log_pooler_errors', 'bool', '1'),
  s('log_stats', 'bool', '1'),
  s('logfile', 'string', ''),
  s('max_client_conn', 'int', '100'),
  s('max_db_client_connections', 'int', '0', { since: '1.24' }),
  s('max_db_connections', 'int', '0'),
  s('max_packet_size', 'uint', '2147483647', { unit: 'bytes' }),
  // Prepared statement support was off by default until 1.24 turned it on with 200.
  changing('max_prepared_statements', 'int', [{ value: '0' }, { since: '1.24', value: '200' }], { since: '1.21' }),
  s('max_user_client_connections', 'int', '0', { since: '1.24' }),
  s('max_user_connections', 'int', '0'),
  s('min_pool_size', 'int', '0'),
  s('peer_id', 'int', '0', { since: '1.19' }),
  s('pidfile', 'string', '', { restartOnly: true }),
  s('pkt_buf', 'int', '4096', { unit: 'bytes', restartOnly: true }),
  s('pool_mode', 'enum', 'session', { values: [{ value: 'session' }, { value: 'transaction' }, { value: 'statement' }] }),
  secs('query_timeout', '0'),
  // An int, unlike the other times: fractions are refused.
  s('query_wait_notify', 'int', '5', { since: '1.25', unit: 'seconds' }),
  secs('query_wait_timeout', '120'),
  s('reserve_pool_size', 'int', '0'),
  secs('reserve_pool_timeout', '5'),
  s('resolv_conf', 'string', '', { restartOnly: true }),
  s('sbuf_loopcnt', 'int', '5'),
  s('scram_iterations', 'int', '4096', { since: '1.25' }),
  secs('server_check_delay', '30'),
  // 1.25 sends an empty query as the health check instead of `select 1`.
  changing('server_check_query', 'string', [{ value: 'select 1' }, { since: '1.25', value: '<empty>' }]),
  secs('server_connect_timeout', '15'),
  s('server_fast_close', 'bool', '0'),
  secs('server_idle_timeout', '600'),
  secs('server_lifetime', '3600'),
  secs('server_login_retry', '15'),
  s('server_reset_query', 'string', 'DISCARD ALL'),
  s('server_reset_query_always', 'bool', '0'),
  s('server_round_robin', 'bool', '0'),
  s('server_tls13_ciphers', 'string', undefined, { since: '1.25' }),
  s('server_tls_ca_file', 'string', ''),
  s('server_tls_cert_file', 'string', ''),
  changing('server_tls_ciphers', 'string', [{ value: 'fast' }, { since: '1.21', value: 'default' }]),
  s('server_tls_key_file', 'string', ''),
  changing('server_tls_protocols', 'string', [{ value: 'all' }, { since: '1.13', value: 'secure' }]),
  // 1.20 started asking servers for TLS by default.
  changing('server_tls_sslmode', 'enum', [{ value: 'disable' }, { since: '1.20', value: 'prefer' }], { values: SSLMODES }),
  s('so_reuseport', 'bool', '0', { restartOnly: true }),
  s('stats_period', 'int', '60', { unit: 'seconds' }),
  s('stats_users', 'list', ''),
  secs('suspend_timeout', '10'),
  s('syslog', 'bool', '0'),
  s('syslog_facility', 'string', 'daemon'),
  s('syslog_ident', 'string', 'pgbouncer'),
  // Enabled by default only where TCP_DEFER_ACCEPT exists, i.e. Linux (every container image).
  s('tcp_defer_accept', 'bool', '1'),
  s('tcp_keepalive', 'bool', '1'),
  s('tcp_keepcnt', 'int', '0'),
  s('tcp_keepidle', 'int', '0', { unit: 'seconds' }),
  s('tcp_keepintvl', 'int', '0', { unit: 'seconds' }),
  s('tcp_socket_buffer', 'int', '0', { unit: 'bytes' }),
  s('tcp_user_timeout', 'int', '0', { unit: 'milliseconds' }),
  s('track_extra_parameters', 'list', 'IntervalStyle', { since: '1.20', restartOnly: true }),
  secs('transaction_timeout', '0', { since: '1.25' }),
  s('unix_socket_dir', 'string', '/tmp', { restartOnly: true }),
  s('unix_socket_group', 'string', '', { restartOnly: true }),
  s('unix_socket_mode', 'int', '0777', { restartOnly: true }),
  s('user', 'string', undefined, { restartOnly: true }),
  s('verbose', 'int', '0'),
];

const BY_NAME = new Map(PGBOUNCER_SETTINGS.map((setting) => [setting.name, setting]));

export function pgbouncerSetting(name: string): PgbouncerSetting | undefined {
  return BY_NAME.get(name);
}

/** Compares dotted versions numerically; a missing part counts as 0 (`1.21` = `1.21.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** True when `version` is unknown (assume current) or at least `since`. */
export function versionAtLeast(version: string | undefined, since: string | undefined): boolean {
  return version === undefined || since === undefined || compareVersions(version, since) >= 0;
}

/** The documented default of `name` in `version` (the newest release when the version is unknown). */
export function pgbouncerDefault(name: string, version?: string): string | undefined {
  const setting = BY_NAME.get(name);
  if (!setting) return undefined;
  let value: string | undefined;
  for (const d of setting.defaults) {
    if (versionAtLeast(version, d.since)) value = d.value;
  }
  return value;
}

// --- values, parsed the way libusual's cf_set_* functions do --------------------------------

// strtol(…, 0): optional sign, then hex (0x…), octal (0…) or decimal, nothing after.
const C_INT = /^[+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;
// strtod: decimal or hex floats, inf/infinity/nan.
const C_FLOAT = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)$/i;

/** C `strtol(s, NULL, 0)` for a string that C_INT accepted. */
function cInt(raw: string): number {
  const sign = raw.startsWith('-') ? -1 : 1;
  const body = raw.replace(/^[+-]/, '');
  if (/^0[xX]/.test(body)) return sign * Number.parseInt(body.slice(2), 16);
  if (body.length > 1 && body.startsWith('0')) return sign * Number.parseInt(body.slice(1), 8);
  return sign * Number(body);
}

function cFloat(raw: string): number {
  const body = raw.replace(/^[+-]/, '');
  const sign = raw.startsWith('-') ? -1 : 1;
  if (/^inf/i.test(body)) return sign * Infinity;
  if (/^nan/i.test(body)) return Number.NaN;
  if (/^0x/i.test(body)) {
    const [mant = '', exp = '0'] = body.slice(2).split(/[pP]/);
    const [intPart = '', frac = ''] = mant.split('.');
    const digits = Number.parseInt(intPart || '0', 16) + (frac ? Number.parseInt(frac, 16) / 16 ** frac.length : 0);
    return sign * digits * 2 ** Number(exp);
  }
  return Number(raw);
}

const INT32_MAX = 2 ** 31 - 1;

export type PgbouncerValue = number | string | readonly string[];

export type PgbouncerValidation =
  | { ok: true; value: PgbouncerValue; setting: PgbouncerSetting; warning?: string }
  | { ok: false; kind: 'unknown-key' | 'bad-value'; message: string; suggestion?: string };

/**
 * Whether pgbouncer (`version`, or the newest release) accepts `raw` for `key` in `[pgbouncer]`,
 * and the value it would use. `ok: false` is exactly what makes pgbouncer refuse to start;
 * `warning` marks values it takes silently although they are surely not meant
 * (`so_reuseport = 2`, `listen_port = 99999`, `max_client_conn = -5`).
 */
export function validatePgbouncerSetting(key: string, raw: string, version?: string): PgbouncerValidation {
  const setting = BY_NAME.get(key);
  if (!setting || !versionAtLeast(version, setting.since)) {
    const suggestion = suggestPgbouncerSetting(key, version);
    const tooNew = setting ? ` (it appeared in pgbouncer ${setting.since}; this is ${version})` : '';
    return {
      ok: false,
      kind: 'unknown-key',
      message: `pgbouncer does not know the setting "${key}"${tooNew}`,
      ...(suggestion && suggestion !== key ? { suggestion } : {}),
    };
  }
  const bad = (why: string): PgbouncerValidation => ({ ok: false, kind: 'bad-value', message: `Invalid value ${JSON.stringify(raw)} for ${key}: ${why}` });
  switch (setting.type) {
    case 'string':
      return { ok: true, value: raw, setting };
    case 'list':
      return { ok: true, value: splitPgbouncerList(raw), setting };
    case 'enum': {
      const match = setting.values?.find((v) => v.value.toLowerCase() === raw.toLowerCase());
      const allowed = (setting.values ?? []).filter((v) => versionAtLeast(version, v.since)).map((v) => v.value);
      if (!match) return bad(`expected one of ${allowed.join(', ')}`);
      if (!versionAtLeast(version, match.since)) return bad(`"${match.value}" needs pgbouncer ${match.since}; expected one of ${allowed.join(', ')}`);
      return { ok: true, value: match.value, setting };
    }
    case 'float-seconds': {
      if (!C_FLOAT.test(raw)) {
        const hint = /^[0-9.]+\s*[a-z]+$/i.test(raw) ? ' (pgbouncer takes plain seconds, without a unit)' : '';
        return bad(`expected a number of seconds${hint}`);
      }
      const value = cFloat(raw);
      if (value < 0) return bad('a time cannot be negative');
      const warning = Number.isFinite(value) ? undefined : `${raw} is accepted but not a usable time`;
      return { ok: true, value, setting, ...(warning ? { warning } : {}) };
    }
    case 'int':
    case 'uint':
    case 'bool': {
      if (!C_INT.test(raw)) return bad(setting.type === 'bool' ? 'expected 0 or 1' : 'expected an integer');
      const value = cInt(raw);
      return { ok: true, value, setting, ...intWarning(setting, value) };
    }
  }
}

function intWarning(setting: PgbouncerSetting, value: number): { warning?: string } {
  if (setting.type === 'bool' && value !== 0 && value !== 1) return { warning: `${setting.name} is a boolean (0 or 1); ${value} counts as 1` };
  if (setting.type === 'int' && (value > INT32_MAX || value < -INT32_MAX - 1)) return { warning: `${value} does not fit pgbouncer's int and wraps around` };
  if (setting.name === 'listen_port' && (value < 0 || value > 65535)) return { warning: `${value} is not a TCP port (0-65535)` };
  if (setting.type === 'int' && value < 0 && setting.name !== 'verbose') return { warning: `${setting.name} = ${value} is negative` };
  return {};
}

/** Comma-separated lists (`admin_users`, `listen_addr`, ...): items trimmed, empty items dropped. */
export function splitPgbouncerList(raw: string): string[] {
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** The closest setting name available in `version`: a case-only difference, a typo, or a missing/extra word part. */
export function suggestPgbouncerSetting(key: string, version?: string): string | undefined {
  const candidates = PGBOUNCER_SETTINGS.filter((setting) => versionAtLeast(version, setting.since)).map((setting) => setting.name);
  const lower = key.toLowerCase();
  const exact = candidates.find((name) => name === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of candidates) {
    const d = editDistance(lower, name);
    if (d < bestDistance) { best = name; bestDistance = d; }
  }
  const limit = Math.max(2, Math.floor(lower.length / 4));
  return bestDistance <= limit ? best : undefined;
}

// --- startup parameters -------------------------------------------------------------------

/** Parameters pgbouncer keeps per client in every release (it sets them on each server link). */
const ALWAYS_TRACKED = ['client_encoding', 'datestyle', 'timezone', 'standard_conforming_strings', 'application_name'];
/** Parameters of the protocol itself, not settings. */
const PROTOCOL_PARAMETERS = ['user', 'database', 'replication'];

/**
 * Settings PostgreSQL reports to clients (GUC_REPORT): the only ones `track_extra_parameters` can
 * track. https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-ASYNC
 */
export const POSTGRES_REPORTED_PARAMETERS: readonly string[] = [
  'application_name', 'client_encoding', 'datestyle', 'default_transaction_read_only', 'in_hot_standby',
  'integer_datetimes', 'intervalstyle', 'is_superuser', 'scram_iterations', 'search_path', 'server_encoding',
  'server_version', 'session_authorization', 'standard_conforming_strings', 'timezone',
];

export type StartupParameterHandling = 'tracked' | 'ignored' | 'rejected' | 'parsed' | 'protocol';

export interface StartupParameterVerdict {
  /**
   * `tracked`: kept per client and restored on every server connection (works with any pool mode).
   * `ignored`: accepted and dropped, so the setting silently never reaches PostgreSQL.
   * `rejected`: the client's connection fails ("unsupported startup parameter").
   * `parsed`: `options` since 1.20: each `-c name=value` inside is judged on its own.
   * `protocol`: `user`, `database`, `replication`.
   */
  readonly handling: StartupParameterHandling;
  readonly reason: string;
}

export interface StartupParameterSettings {
  /** The effective `track_extra_parameters` (default `IntervalStyle` since 1.20). */
  readonly trackExtraParameters?: string;
  /** The effective `ignore_startup_parameters` (default empty). */
  readonly ignoreStartupParameters?: string;
}

/**
 * What pgbouncer `version` does with a startup parameter a client sends, either directly in the
 * startup packet or (`inOptions`) as `-c name=value` inside the `options` parameter, e.g. Django's
 * `OPTIONS: {"options": "-c statement_timeout=30000"}`.
 */
export function startupParameterSupport(
  param: string,
  version?: string,
  settings: StartupParameterSettings = {},
  inOptions = false,
): StartupParameterVerdict {
  const name = param.toLowerCase();
  const ignored = splitPgbouncerList(settings.ignoreStartupParameters ?? '').map((p) => p.toLowerCase());
  const extraSupported = versionAtLeast(version, '1.20');
  const tracked = [
    ...ALWAYS_TRACKED,
    ...(extraSupported ? splitPgbouncerList(settings.trackExtraParameters ?? pgbouncerDefault('track_extra_parameters', version) ?? '').map((p) => p.toLowerCase()) : []),
  ];

  if (!inOptions && PROTOCOL_PARAMETERS.includes(name)) return { handling: 'protocol', reason: `${param} is part of the connection itself` };
  if (tracked.includes(name)) {
    return { handling: 'tracked', reason: ALWAYS_TRACKED.includes(name) ? `pgbouncer always tracks ${param}` : `${param} is listed in track_extra_parameters` };
  }
  if (!inOptions && name === 'options') {
    if (extraSupported) return { handling: 'parsed', reason: 'since pgbouncer 1.20 each -c setting inside options is handled like a startup parameter' };
    if (ignored.includes('options')) return { handling: 'ignored', reason: `pgbouncer ${version} drops the whole options parameter because ignore_startup_parameters lists it` };
    return { handling: 'rejected', reason: `pgbouncer ${version} only accepts options when ignore_startup_parameters lists it` };
  }
  if (ignored.includes(name)) return { handling: 'ignored', reason: `${param} is listed in ignore_startup_parameters, so pgbouncer drops it` };
  // 1.20.1: with `options` itself ignored, unknown settings inside options are dropped as well.
  if (inOptions && ignored.includes('options') && versionAtLeast(version, '1.20.1')) {
    return { handling: 'ignored', reason: 'ignore_startup_parameters lists options, so unknown settings inside it are dropped' };
  }
  const trackable = extraSupported && POSTGRES_REPORTED_PARAMETERS.includes(name)
    ? ` (PostgreSQL reports ${param}, so track_extra_parameters could track it)`
    : '';
  return { handling: 'rejected', reason: `pgbouncer neither tracks nor ignores ${param}${trackable}` };
}

/** The `-c name=value` / `--name=value` settings in a libpq `options` string (backslash escapes a space). */
export function parseStartupOptions(options: string): Array<{ name: string; value: string }> {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) { word += options[++i]; inWord = true; continue; }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);

  const out: Array<{ name: string; value: string }> = [];
  const add = (assignment: string): void => {
    const eq = assignment.indexOf('=');
    if (eq > 0) out.push({ name: assignment.slice(0, eq).replace(/-/g, '_'), value: assignment.slice(eq + 1) });
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-c') add(words[++i] ?? '');
    else if (w.startsWith('-c')) add(w.slice(2));
    else if (w.startsWith('--')) add(w.slice(2));
  }
  return out;
}

// --- container images ---------------------------------------------------------------------

interface ImageRef { name: string; tag: string | undefined }

function parseImage(image: string): ImageRef {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon).toLowerCase(), tag: withoutDigest.slice(colon + 1) };
  return { name: withoutDigest.toLowerCase(), tag: undefined };
}

/** Which image family generates pgbouncer.ini from environment variables. */
function imageFamily(name: string): 'edoburu' | 'bitnami' | undefined {
  const repo = name.replace(/^(docker\.io\/|index\.docker\.io\/|registry-1\.docker\.io\/)/, '');
  if (/(^|\/)edoburu\/pgbouncer$/.test(repo)) return 'edoburu';
  if (/(^|\/)bitnami(legacy)?\/pgbouncer$/.test(repo)) return 'bitnami';
  return undefined;
}

/**
 * The pgbouncer release of a pgbouncer image tag: `edoburu/pgbouncer:v1.23.1-p2` -> `1.23.1`,
 * `bitnami/pgbouncer:1.22.0-debian-12-r3` -> `1.22.0`. Undefined for `latest`, a bare major (`1`),
 * a digest-only reference, or an image that is not pgbouncer.
 */
export function pgbouncerVersionFromImage(image: string): string | undefined {
  const { name, tag } = parseImage(image.trim());
  if (!/pgbouncer/.test(name) || tag === undefined) return undefined;
  const m = /^v?(1\.\d+)(\.\d+)?(?![\d.])/.exec(tag);
  return m ? `${m[1]}${m[2] ?? ''}` : undefined;
}

export interface PgbouncerEnvConfig {
  /** `[pgbouncer]` settings the image writes; only keys the image sets are present. */
  readonly settings: Map<string, Value<string>>;
  /** The single `[databases]` entry the image writes, as connection parameters. */
  readonly database: Map<string, Value<string>>;
}

/** Environment variable -> setting, for variables the image copies straight into the file. */
const EDOBURU_VARS = [
  'listen_addr', 'listen_port', 'auth_file', 'auth_hba_file', 'auth_type', 'auth_user', 'auth_query', 'pool_mode',
  'max_client_conn', 'default_pool_size', 'min_pool_size', 'reserve_pool_size', 'reserve_pool_timeout',
  'max_db_connections', 'max_user_connections', 'server_round_robin', 'ignore_startup_parameters', 'disable_pqexec',
  'application_name_add_host', 'log_connections', 'log_disconnections', 'log_pooler_errors', 'log_stats', 'stats_period',
  'verbose', 'admin_users', 'stats_users', 'server_reset_query', 'server_reset_query_always', 'server_check_delay',
  'server_check_query', 'server_lifetime', 'server_idle_timeout', 'server_connect_timeout', 'server_login_retry',
  'client_login_timeout', 'autodb_idle_timeout', 'dns_max_ttl', 'dns_nxdomain_ttl', 'client_tls_sslmode',
  'client_tls_key_file', 'client_tls_cert_file', 'client_tls_ca_file', 'client_tls_protocols', 'client_tls_ciphers',
  'client_tls_ecdhcurve', 'client_tls_dheparams', 'server_tls_sslmode', 'server_tls_ca_file', 'server_tls_key_file',
  'server_tls_cert_file', 'server_tls_protocols', 'server_tls_ciphers', 'query_timeout', 'query_wait_timeout',
  'client_idle_timeout', 'idle_transaction_timeout', 'pkt_buf', 'max_packet_size', 'listen_backlog', 'sbuf_loopcnt',
  'suspend_timeout', 'tcp_defer_accept', 'tcp_keepalive', 'tcp_keepcnt', 'tcp_keepidle', 'tcp_keepintvl', 'tcp_user_timeout',
].map((setting) => [setting.toUpperCase(), setting] as const);

/** What edoburu's entrypoint.sh writes when the variable is unset. */
const EDOBURU_IMAGE_DEFAULTS: Record<string, string> = {
  listen_addr: '0.0.0.0', listen_port: '5432', unix_socket_dir: '', user: 'postgres',
  auth_file: '/etc/pgbouncer/userlist.txt', auth_type: 'md5', ignore_startup_parameters: 'extra_float_digits', admin_users: 'postgres',
};

const BITNAMI_VARS: ReadonlyArray<readonly [string, string]> = [
  ['PGBOUNCER_PORT', 'listen_port'], ['PGBOUNCER_LISTEN_ADDRESS', 'listen_addr'], ['PGBOUNCER_LOG_FILE', 'logfile'],
  ['PGBOUNCER_SOCKET_DIR', 'unix_socket_dir'], ['PGBOUNCER_SOCKET_MODE', 'unix_socket_mode'], ['PGBOUNCER_SOCKET_GROUP', 'unix_socket_group'],
  ...[
    'auth_user', 'auth_query', 'auth_type', 'auth_hba_file', 'auth_ident_file', 'stats_users', 'pool_mode', 'server_fast_close',
    'query_wait_timeout', 'max_client_conn', 'max_db_connections', 'idle_transaction_timeout', 'server_idle_timeout',
    'server_reset_query', 'default_pool_size', 'min_pool_size', 'reserve_pool_size', 'reserve_pool_timeout',
    'ignore_startup_parameters', 'stats_period', 'max_prepared_statements', 'server_round_robin', 'application_name_add_host',
    'client_tls_sslmode', 'client_tls_ca_file', 'client_tls_cert_file', 'client_tls_key_file', 'client_tls_ciphers',
    'server_tls_sslmode', 'server_tls_ca_file', 'server_tls_cert_file', 'server_tls_key_file', 'server_tls_protocols',
    'server_tls_ciphers', 'log_connections', 'log_disconnections', 'log_pooler_errors', 'log_stats', 'server_lifetime',
    'server_connect_timeout', 'server_login_retry', 'client_login_timeout', 'autodb_idle_timeout', 'query_timeout', 'client_idle_timeout',
  ].map((setting) => [`PGBOUNCER_${setting.toUpperCase()}`, setting] as const),
];

/** What bitnami's pgbouncer-env.sh defaults to (empty defaults leave pgbouncer's own). */
const BITNAMI_IMAGE_DEFAULTS: Record<string, string> = {
  listen_port: '6432', listen_addr: '0.0.0.0', auth_type: 'scram-sha-256', ignore_startup_parameters: 'extra_float_digits',
  stats_period: '60', server_fast_close: '0', server_round_robin: '0', client_tls_sslmode: 'disable', client_tls_ciphers: 'fast',
  server_tls_sslmode: 'disable', server_tls_protocols: 'secure', server_tls_ciphers: 'fast', unix_socket_dir: '/tmp/', unix_socket_mode: '0777',
};

/**
 * The pgbouncer.ini an image's entrypoint generates from the service environment: edoburu/pgbouncer
 * (`DEFAULT_POOL_SIZE`, `POOL_MODE`, `DB_HOST`…; only when no pgbouncer.ini is mounted) and
 * bitnami/pgbouncer (`PGBOUNCER_DEFAULT_POOL_SIZE`, `PGBOUNCER_PORT`, `POSTGRESQL_HOST`…).
 * Undefined for other images. Settings the image fills in by itself are included, placed at
 * `imageSpan` (the service's `image:` value), when that is given. An empty variable counts as unset,
 * as the scripts' `${VAR:-default}` / `${VAR:+…}` do.
 */
export function pgbouncerSettingsFromEnv(image: string, env: Map<string, Value<string>>, imageSpan?: Span): PgbouncerEnvConfig | undefined {
  const family = imageFamily(parseImage(image.trim()).name);
  if (!family) return undefined;
  const settings = new Map<string, Value<string>>();
  const database = new Map<string, Value<string>>();
  const set = (v: Value<string> | undefined): v is Value<string> => v !== undefined && !(v.kind === 'known' && v.value === '');
  const defaults = family === 'edoburu' ? EDOBURU_IMAGE_DEFAULTS : BITNAMI_IMAGE_DEFAULTS;
  if (imageSpan) {
    for (const [key, value] of Object.entries(defaults)) settings.set(key, known(value, imageSpan, { isDefault: true }));
  }
  const table = family === 'edoburu' ? EDOBURU_VARS : BITNAMI_VARS;
  for (const [variable, key] of table) {
    const v = env.get(variable);
    if (set(v)) settings.set(key, v);
  }
  const dbVars = family === 'edoburu'
    ? { name: 'DB_NAME', host: 'DB_HOST', port: 'DB_PORT', user: 'DB_USER', nameDefault: '*', portDefault: '5432', userDefault: 'postgres', hostDefault: undefined }
    : { name: 'PGBOUNCER_DATABASE', host: 'POSTGRESQL_HOST', port: 'POSTGRESQL_PORT', user: 'POSTGRESQL_USERNAME', nameDefault: 'postgres', portDefault: '5432', userDefault: undefined, hostDefault: 'postgresql' };
  const dbParam = (param: string, variable: string, fallback: string | undefined): void => {
    const v = env.get(variable);
    if (set(v)) database.set(param, v);
    else if (fallback !== undefined && imageSpan) database.set(param, known(fallback, imageSpan, { isDefault: true }));
  };
  dbParam('name', dbVars.name, dbVars.nameDefault);
  dbParam('host', dbVars.host, dbVars.hostDefault);
  dbParam('port', dbVars.port, dbVars.portDefault);
  dbParam('user', dbVars.user, dbVars.userDefault);
  return { settings, database };
}

// --- [databases] connection parameters ----------------------------------------------------

/** Parameters a `[databases]` entry accepts, with the release that added them where after 1.12. */
const DATABASE_PARAMS: ReadonlyArray<readonly [string, string | undefined]> = [
  ['dbname', undefined], ['host', undefined], ['port', undefined], ['user', undefined], ['password', undefined],
  ['auth_user', undefined], ['pool_size', undefined], ['reserve_pool', undefined], ['connect_query', undefined],
  ['pool_mode', undefined], ['max_db_connections', undefined], ['client_encoding', undefined], ['datestyle', undefined],
  ['timezone', undefined], ['application_name', undefined], ['min_pool_size', '1.16'], ['auth_dbname', '1.19'],
  ['auth_query', '1.22'], ['server_lifetime', '1.23'], ['reserve_pool_size', '1.24'], ['load_balance_hosts', '1.24'],
  ['max_db_client_connections', '1.24'],
];

/**
 * Whether pgbouncer `version` accepts one parameter of a `[databases]` connection string. An unknown
 * parameter, a non-numeric port or an unknown pool mode make pgbouncer refuse the whole file
 * (`port=${DB_PORT}` included, since pgbouncer never expands variables).
 */
export function validateDatabaseParam(key: string, value: string, version?: string): { ok: true } | { ok: false; kind: 'unknown-key' | 'bad-value'; message: string; suggestion?: string } {
  const param = DATABASE_PARAMS.find(([name]) => name === key);
  if (!param || !versionAtLeast(version, param[1])) {
    const names = DATABASE_PARAMS.filter(([, since]) => versionAtLeast(version, since)).map(([name]) => name);
    const suggestion = names.find((name) => editDistance(key.toLowerCase(), name) <= 2);
    const tooNew = param ? ` (it appeared in pgbouncer ${param[1]}; this is ${version})` : '';
    return { ok: false, kind: 'unknown-key', message: `pgbouncer does not know the connection parameter "${key}"${tooNew}`, ...(suggestion ? { suggestion } : {}) };
  }
  if (key === 'port' && !/^[0-9]+$/.test(value)) return { ok: false, kind: 'bad-value', message: `Invalid port ${JSON.stringify(value)}: expected digits` };
  if (key === 'pool_mode') {
    const modes = pgbouncerSetting('pool_mode')?.values?.map((v) => v.value) ?? [];
    if (!modes.includes(value.toLowerCase())) return { ok: false, kind: 'bad-value', message: `Invalid pool_mode ${JSON.stringify(value)}: expected one of ${modes.join(', ')}` };
  }
  return { ok: true };
}
