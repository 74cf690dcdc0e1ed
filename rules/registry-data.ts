import type { Rule } from '../src/engine/rule.js';
import djangoDbBypassesPgbouncer from './django-db-bypasses-pgbouncer.js';
import pgbouncerClientCapacity from './pgbouncer-client-capacity.js';
import pgbouncerPoolOverDbLimit from './pgbouncer-pool-over-db-limit.js';
import pgbouncerServerSideCursors from './pgbouncer-server-side-cursors.js';
import pgbouncerStartupParameter from './pgbouncer-startup-parameter.js';
import pgbouncerUnknownSetting from './pgbouncer-unknown-setting.js';
import redisClientCapacity from './redis-client-capacity.js';
import redisMaxmemoryHeadroom from './redis-maxmemory-headroom.js';
import pgbouncerQueryTimeout from './pgbouncer-query-timeout.js';
import connMaxAgeIdleTimeout from './conn-max-age-idle-timeout.js';
import djangoSettingsUnknownKey from './django-settings-unknown-key.js';
import connMaxAgeAsgi from './conn-max-age-asgi.js';
import channelLayerInMemory from './channel-layer-in-memory.js';
import postgresConnectionCapacity from './postgres-connection-capacity.js';
import redisEvictionLosesData from './redis-eviction-loses-data.js';
import redisDbShared from './redis-db-shared.js';
import settingsEnvMissing from './settings-env-missing.js';

/** The data-tier rules (pgbouncer, Postgres, Redis, Django settings, timeouts). */
export const DATA_RULES: readonly Rule[] = [
  pgbouncerPoolOverDbLimit,
  pgbouncerClientCapacity,
  pgbouncerStartupParameter,
  pgbouncerServerSideCursors,
  djangoDbBypassesPgbouncer,
  redisClientCapacity,
  redisMaxmemoryHeadroom,
  pgbouncerQueryTimeout,
  connMaxAgeIdleTimeout,
  djangoSettingsUnknownKey,
  connMaxAgeAsgi,
  channelLayerInMemory,
  pgbouncerUnknownSetting,
  postgresConnectionCapacity,
  redisEvictionLosesData,
  redisDbShared,
  settingsEnvMissing,
];
