import type { Span } from '../src/core/value.js';
import { closest } from '../src/core/suggest.js';
import { defineRule } from '../src/engine/rule.js';
import { isPyDict, type PyValue } from '../src/python/value.js';
import { dataTier, groupBy, spanKey } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';

interface SettingTable {
  readonly setting: 'DATABASES' | 'CACHES' | 'CHANNEL_LAYERS';
  /** The key naming the backend, and the backends whose keys this table knows. */
  readonly backendKey: string;
  readonly backends: RegExp;
  readonly keys: readonly string[];
  readonly docs: string;
  /** Keys that belong one level down, and where. */
  readonly misplaced: Readonly<Record<string, string>>;
}

/** The keys Django (5.x) and Channels read in each entry; every other key is ignored without a word. */
export const TABLES: readonly SettingTable[] = [
  {
    setting: 'DATABASES',
    backendKey: 'ENGINE',
    // Django's own backends read exactly these keys; third-party engines may read more.
    backends: /^django\.(db|contrib\.gis\.db)\.backends\.[a-z0-9_]+$/,
    keys: ['ENGINE', 'NAME', 'USER', 'PASSWORD', 'HOST', 'PORT', 'ATOMIC_REQUESTS', 'AUTOCOMMIT', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS', 'TIME_ZONE', 'TEST'],
    docs: 'https://docs.djangoproject.com/en/stable/ref/settings/#databases',
    misplaced: {
      TIMEOUT: 'a connection timeout is a driver option: "OPTIONS": {"connect_timeout": N} for PostgreSQL and MySQL, {"timeout": N} for SQLite',
      CONNECT_TIMEOUT: 'it is a driver option: "OPTIONS": {"connect_timeout": N}',
      SSLMODE: 'it is a driver option: "OPTIONS": {"sslmode": "..."}',
      POOL: 'Django 5.1+ reads it from "OPTIONS": {"pool": ...}',
      ISOLATION_LEVEL: 'it is read from "OPTIONS": {"isolation_level": ...}',
    },
  },
  {
    setting: 'CACHES',
    backendKey: 'BACKEND',
    backends: /^(django\.core\.cache\.backends\.[a-z0-9_.]+|django_redis\.cache\.RedisCache)$/i,
    keys: ['BACKEND', 'LOCATION', 'TIMEOUT', 'OPTIONS', 'KEY_PREFIX', 'VERSION', 'KEY_FUNCTION'],
    docs: 'https://docs.djangoproject.com/en/stable/ref/settings/#caches',
    misplaced: {
      MAX_ENTRIES: 'it is read from "OPTIONS": {"MAX_ENTRIES": N}',
      CULL_FREQUENCY: 'it is read from "OPTIONS": {"CULL_FREQUENCY": N}',
      CLIENT_CLASS: 'django-redis reads it from "OPTIONS": {"CLIENT_CLASS": ...}',
      PASSWORD: 'the password goes in LOCATION (redis://:password@host) or "OPTIONS"',
    },
  },
  {
    setting: 'CHANNEL_LAYERS',
    backendKey: 'BACKEND',
    backends: /^channels(_redis)?\.[a-z_.]+Layer$/i,
    keys: ['BACKEND', 'CONFIG', 'TEST_CONFIG'],
    docs: 'https://channels.readthedocs.io/en/stable/topics/channel_layers.html#configuration',
    misplaced: {
      HOSTS: 'channels_redis reads it from "CONFIG": {"hosts": [...]}',
      CAPACITY: 'channels_redis reads it from "CONFIG": {"capacity": N}',
      EXPIRY: 'channels_redis reads it from "CONFIG": {"expiry": N}',
    },
  },
];

interface Stray {
  readonly table: SettingTable;
  readonly alias: string;
  readonly key: string;
  readonly span: Span;
  readonly service: string;
}

export default defineRule({
  meta: {
    id: 'django-settings-unknown-key',
    description: 'Reports a key Django does not read in a DATABASES, CACHES or CHANNEL_LAYERS entry, which it ignores without a word',
    defaultSeverity: 'warning',
    category: 'data',
    docs: {
      what: 'Each entry of `DATABASES`, `CACHES` and `CHANNEL_LAYERS` is a dict of keys Django (or Channels) reads by name; a key it does not know is ignored. The rule reports such keys in the settings each app container loads, with the key that was probably meant or the place the setting belongs (`"TIMEOUT"` in a database dict is a driver option in `OPTIONS`; `"MAX_ENTRIES"` in a cache dict belongs in its `OPTIONS`). Only entries whose backend is Django\'s own (`django.db.backends.*`, `django.core.cache.backends.*`, django-redis, Channels\' layers) are judged: a third-party backend may read keys of its own.',
      why: 'Nothing fails: the setting simply has no effect, so the timeout, limit or pool the line promises never applies, and the first sign is an outage it was meant to prevent (https://docs.djangoproject.com/en/stable/ref/settings/#databases, https://docs.djangoproject.com/en/stable/ref/settings/#caches).',
      notes: 'Keys of `TEST` and `OPTIONS` are passed to test setup and the driver and are not judged. Values computed at run time (`dj_database_url.config()`) are unknown and keep the rule silent.',
    },
  },
  check({ stack, report }) {
    const strays: Stray[] = [];
    for (const app of stack.data.apps) {
      const names = app.settings?.names;
      if (!names) continue;
      for (const table of TABLES) {
        for (const { alias, value } of entries(names.get(table.setting))) {
          if (value.kind !== 'known' || !isPyDict(value.value)) continue;
          const backend = value.value.entries.find((e) => e.key.kind === 'known' && e.key.value === table.backendKey)?.value;
          if (backend?.kind !== 'known' || typeof backend.value !== 'string' || !table.backends.test(backend.value)) continue;
          for (const e of value.value.entries) {
            if (e.key.kind !== 'known' || typeof e.key.value !== 'string') continue;
            if (table.keys.includes(e.key.value)) continue;
            strays.push({ table, alias, key: e.key.value, span: e.key.span, service: app.service.name });
          }
        }
      }
    }
    for (const group of groupBy(strays, (s) => spanKey(s.span))) {
      const { table, alias, key, span } = group[0]!;
      const services = [...new Set(group.map((g) => g.service))];
      const upper = key.toUpperCase();
      const placed = table.misplaced[upper];
      const near = upper !== key && table.keys.includes(upper) ? upper : closest(key, table.keys);
      const advice = placed ?? (near ? `did you mean "${near}"?` : `${table.setting} entries read only ${table.keys.join(', ')}`);
      report({
        span,
        message: `"${key}" in ${table.setting}["${alias}"] is not a key ${table.setting === 'CHANNEL_LAYERS' ? 'Channels' : 'Django'} reads, so it has no effect in ${listNames(services, 3)}: ${advice}`,
        hint: placed ? `move it where it is read; see ${table.docs}` : near ? `rename it to "${near}"` : `remove it; see ${table.docs}`,
      });
    }
  },
});

function entries(v: PyValue | undefined): Array<{ alias: string; value: PyValue }> {
  if (v?.kind !== 'known' || !isPyDict(v.value)) return [];
  return v.value.entries.flatMap((e) => (e.key.kind === 'known' && typeof e.key.value === 'string' ? [{ alias: e.key.value, value: e.value }] : []));
}
