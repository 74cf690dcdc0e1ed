import { describe, expect, it } from 'vitest';
import { known, unknown, type Value } from '../../src/core/value.js';
import {
  parseStartupOptions,
  pgbouncerDefault,
  pgbouncerSettingsFromEnv,
  pgbouncerVersionFromImage,
  startupParameterSupport,
  validateDatabaseParam,
  validatePgbouncerSetting,
} from '../../src/reference/pgbouncer-settings.js';

const at = { file: 'docker-compose.yml', start: 10, end: 20 };

describe('validatePgbouncerSetting', () => {
  it('suggests the setting a typo or a case slip meant', () => {
    expect(validatePgbouncerSetting('max_client_conns', '100')).toMatchObject({ ok: false, kind: 'unknown-key', suggestion: 'max_client_conn' });
    expect(validatePgbouncerSetting('POOL_MODE', 'session')).toMatchObject({ ok: false, kind: 'unknown-key', suggestion: 'pool_mode' });
    expect(validatePgbouncerSetting('completely_unrelated', '1')).toMatchObject({ ok: false, kind: 'unknown-key' });
    expect(validatePgbouncerSetting('completely_unrelated', '1')).not.toHaveProperty('suggestion');
  });

  it('gates settings and enum values by version', () => {
    expect(validatePgbouncerSetting('max_prepared_statements', '100', '1.18.0')).toMatchObject({ ok: false, kind: 'unknown-key' });
    expect(validatePgbouncerSetting('max_prepared_statements', '100', '1.21')).toMatchObject({ ok: true, value: 100 });
    expect(validatePgbouncerSetting('auth_type', 'ldap', '1.24.1')).toMatchObject({ ok: false, kind: 'bad-value' });
    expect(validatePgbouncerSetting('auth_type', 'SCRAM-SHA-256', '1.18')).toMatchObject({ ok: true, value: 'scram-sha-256' });
  });

  it('parses numbers the way libusual does', () => {
    expect(validatePgbouncerSetting('query_timeout', '30s')).toMatchObject({ ok: false, kind: 'bad-value' });
    expect(validatePgbouncerSetting('query_timeout', '1.5')).toMatchObject({ ok: true, value: 1.5 });
    expect(validatePgbouncerSetting('query_timeout', '-1')).toMatchObject({ ok: false, kind: 'bad-value' });
    expect(validatePgbouncerSetting('max_client_conn', '0x10')).toMatchObject({ ok: true, value: 16 });
    expect(validatePgbouncerSetting('unix_socket_mode', '0777')).toMatchObject({ ok: true, value: 0o777 });
    expect(validatePgbouncerSetting('max_client_conn', '08')).toMatchObject({ ok: false, kind: 'bad-value' });
    expect(validatePgbouncerSetting('pool_mode', 'session ; x')).toMatchObject({ ok: false, kind: 'bad-value' });
  });

  it('warns about values pgbouncer takes silently', () => {
    expect(validatePgbouncerSetting('so_reuseport', '2')).toMatchObject({ ok: true, warning: expect.stringContaining('boolean') });
    expect(validatePgbouncerSetting('listen_port', '99999')).toMatchObject({ ok: true, warning: expect.stringContaining('port') });
    expect(validatePgbouncerSetting('max_client_conn', '-5')).toMatchObject({ ok: true, warning: expect.stringContaining('negative') });
    expect(validatePgbouncerSetting('max_client_conn', '300')).not.toHaveProperty('warning');
  });

  it('knows defaults that changed between releases', () => {
    expect(pgbouncerDefault('server_tls_sslmode', '1.18')).toBe('disable');
    expect(pgbouncerDefault('server_tls_sslmode', '1.20')).toBe('prefer');
    expect(pgbouncerDefault('max_prepared_statements', '1.23.1')).toBe('0');
    expect(pgbouncerDefault('max_prepared_statements')).toBe('200');
  });
});

describe('validateDatabaseParam', () => {
  it('refuses unknown parameters, non-numeric ports and bad pool modes', () => {
    expect(validateDatabaseParam('pool_sizes', '5')).toMatchObject({ ok: false, kind: 'unknown-key', suggestion: 'pool_size' });
    expect(validateDatabaseParam('port', '${DB_PORT}')).toMatchObject({ ok: false, kind: 'bad-value' });
    expect(validateDatabaseParam('host', '${DB_HOST}')).toEqual({ ok: true });
    expect(validateDatabaseParam('server_lifetime', '3', '1.18')).toMatchObject({ ok: false, kind: 'unknown-key' });
  });
});

describe('startupParameterSupport', () => {
  it('follows what each release does with options and -c settings', () => {
    expect(startupParameterSupport('TimeZone', '1.18')).toMatchObject({ handling: 'tracked' });
    expect(startupParameterSupport('options', '1.18')).toMatchObject({ handling: 'rejected' });
    expect(startupParameterSupport('options', '1.18', { ignoreStartupParameters: 'extra_float_digits, options' })).toMatchObject({ handling: 'ignored' });
    expect(startupParameterSupport('options', '1.21')).toMatchObject({ handling: 'parsed' });
    expect(startupParameterSupport('statement_timeout', '1.21', {}, true)).toMatchObject({ handling: 'rejected' });
    expect(startupParameterSupport('statement_timeout', '1.21', { ignoreStartupParameters: 'options' }, true)).toMatchObject({ handling: 'ignored' });
    expect(startupParameterSupport('IntervalStyle', '1.21', {}, true)).toMatchObject({ handling: 'tracked' });
    expect(startupParameterSupport('IntervalStyle', '1.19', {}, true)).toMatchObject({ handling: 'rejected' });
    expect(startupParameterSupport('search_path', '1.21', { trackExtraParameters: 'search_path' }, true)).toMatchObject({ handling: 'tracked' });
    expect(startupParameterSupport('extra_float_digits', '1.18', { ignoreStartupParameters: 'extra_float_digits' })).toMatchObject({ handling: 'ignored' });
    expect(startupParameterSupport('user', '1.18')).toMatchObject({ handling: 'protocol' });
  });

  it('reads -c settings out of a libpq options string', () => {
    expect(parseStartupOptions('-c statement_timeout=30000 -csearch_path=app\\ x --lock-timeout=5s')).toEqual([
      { name: 'statement_timeout', value: '30000' },
      { name: 'search_path', value: 'app x' },
      { name: 'lock_timeout', value: '5s' },
    ]);
  });
});

describe('images', () => {
  it('reads the pgbouncer release from image tags', () => {
    expect(pgbouncerVersionFromImage('edoburu/pgbouncer:v1.23.1-p2')).toBe('1.23.1');
    expect(pgbouncerVersionFromImage('edoburu/pgbouncer:1.18.0')).toBe('1.18.0');
    expect(pgbouncerVersionFromImage('docker.io/bitnami/pgbouncer:1.22.0-debian-12-r3')).toBe('1.22.0');
    expect(pgbouncerVersionFromImage('registry:5000/pgbouncer/pgbouncer:1.15')).toBe('1.15');
    for (const image of ['edoburu/pgbouncer', 'edoburu/pgbouncer:latest', 'bitnami/pgbouncer:1', 'postgres:16', 'edoburu/pgbouncer@sha256:abc']) {
      expect(pgbouncerVersionFromImage(image), image).toBeUndefined();
    }
  });

  it('maps edoburu environment variables, with the image defaults at the image line', () => {
    const env = new Map<string, Value<string>>([
      ['POOL_MODE', known('transaction', at)],
      ['DEFAULT_POOL_SIZE', known('', at)],
      ['MAX_CLIENT_CONN', unknown('MAX_CLIENT_CONN is not set in .env', at)],
      ['DB_HOST', known('db', at)],
    ]);
    const image = { file: 'docker-compose.yml', start: 0, end: 5 };
    const cfg = pgbouncerSettingsFromEnv('edoburu/pgbouncer:latest', env, image)!;
    expect(cfg.settings.get('pool_mode')).toMatchObject({ value: 'transaction', span: at });
    expect(cfg.settings.has('default_pool_size')).toBe(false);
    expect(cfg.settings.get('max_client_conn')).toMatchObject({ kind: 'unknown' });
    expect(cfg.settings.get('listen_port')).toMatchObject({ value: '5432', isDefault: true, span: image });
    expect(cfg.database.get('host')).toMatchObject({ value: 'db' });
    expect(cfg.database.get('name')).toMatchObject({ value: '*', isDefault: true });
  });

  it('maps bitnami environment variables and ignores other images', () => {
    const env = new Map<string, Value<string>>([['PGBOUNCER_DEFAULT_POOL_SIZE', known('40', at)], ['PGBOUNCER_PORT', known('6433', at)]]);
    const cfg = pgbouncerSettingsFromEnv('bitnami/pgbouncer:1.22.0', env)!;
    expect(cfg.settings.get('default_pool_size')).toMatchObject({ value: '40' });
    expect(cfg.settings.get('listen_port')).toMatchObject({ value: '6433' });
    expect(cfg.settings.has('auth_type')).toBe(false);
    expect(pgbouncerSettingsFromEnv('pgbouncer/pgbouncer:1.15.0', env)).toBeUndefined();
  });
});
