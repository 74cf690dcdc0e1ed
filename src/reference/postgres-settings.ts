/**
 * PostgreSQL server settings the stack rules compare against pgbouncer and Django, with the
 * defaults of `postgresql.conf.sample` / the runtime-config docs
 * (https://www.postgresql.org/docs/current/runtime-config.html) and the major release that added
 * them. Time settings carry their base unit: a bare number is read in it.
 */

export type PostgresTimeUnit = 'us' | 'ms' | 's' | 'min' | 'h' | 'd';

export interface PostgresSetting {
  readonly name: string;
  readonly type: 'int' | 'string' | 'bool' | 'memory';
  readonly default: string;
  /** Base unit of a time setting. */
  readonly unit?: PostgresTimeUnit;
  /** First major version with the setting. */
  readonly since?: number;
}

export const POSTGRES_SETTINGS: readonly PostgresSetting[] = [
  { name: 'max_connections', type: 'int', default: '100' },
  { name: 'superuser_reserved_connections', type: 'int', default: '3' },
  { name: 'reserved_connections', type: 'int', default: '0', since: 16 },
  { name: 'statement_timeout', type: 'int', default: '0', unit: 'ms' },
  { name: 'lock_timeout', type: 'int', default: '0', unit: 'ms' },
  { name: 'idle_in_transaction_session_timeout', type: 'int', default: '0', unit: 'ms', since: 10 },
  { name: 'idle_session_timeout', type: 'int', default: '0', unit: 'ms', since: 14 },
  { name: 'transaction_timeout', type: 'int', default: '0', unit: 'ms', since: 17 },
  { name: 'client_connection_check_interval', type: 'int', default: '0', unit: 'ms', since: 14 },
  { name: 'authentication_timeout', type: 'int', default: '60', unit: 's' },
  { name: 'tcp_keepalives_idle', type: 'int', default: '0', unit: 's' },
  { name: 'tcp_keepalives_interval', type: 'int', default: '0', unit: 's' },
  { name: 'tcp_keepalives_count', type: 'int', default: '0' },
  { name: 'log_min_duration_statement', type: 'int', default: '-1', unit: 'ms' },
  { name: 'max_prepared_transactions', type: 'int', default: '0' },
  { name: 'port', type: 'int', default: '5432' },
  // The official docker image's sample config listens on '*'; plain PostgreSQL on localhost.
  { name: 'listen_addresses', type: 'string', default: 'localhost' },
  { name: 'shared_buffers', type: 'memory', default: '128MB' },
  { name: 'work_mem', type: 'memory', default: '4MB' },
];

const BY_NAME = new Map(POSTGRES_SETTINGS.map((s) => [s.name, s]));

/** GUC names are case-insensitive. */
export function postgresSetting(name: string): PostgresSetting | undefined {
  return BY_NAME.get(name.toLowerCase());
}

const UNIT_IN_US: Record<PostgresTimeUnit, number> = { us: 1, ms: 1e3, s: 1e6, min: 60e6, h: 3600e6, d: 86400e6 };

/**
 * A PostgreSQL time value in `defaultUnit`, the setting's base unit: `'30s'` -> 30000 for
 * statement_timeout (ms), `'1min'` -> 60 for tcp_keepalives_idle (s); a bare number is already in
 * the base unit. Units are case-sensitive and may follow the number after spaces, as PostgreSQL's
 * parse_int/parse_real allow; a fraction is kept (PostgreSQL rounds when it stores an integer).
 * Undefined when PostgreSQL would refuse the value.
 */
export function parsePostgresDuration(raw: string, defaultUnit: PostgresTimeUnit = 'ms'): number | undefined {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(raw);
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = (m[2] ?? defaultUnit) as PostgresTimeUnit;
  return (value * UNIT_IN_US[unit]) / UNIT_IN_US[defaultUnit];
}
