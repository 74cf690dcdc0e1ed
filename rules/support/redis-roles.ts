import { known, type Span, type Value } from '../../src/core/value.js';
import type { ComposeService } from '../../src/inputs/compose.js';
import { pyText, type DjangoProcess } from '../../src/inputs/django.js';
import type { RedisService } from '../../src/inputs/redis.js';
import { isPyDict, isPyList, pyGet, type PyValue } from '../../src/python/value.js';
import type { Stack } from '../../src/stack/stack.js';

/**
 * What Django, Celery and Channels keep in a Redis, read from the settings every app and worker
 * service loads: CACHES entries, the sessions stored in one of them, Celery's broker and result
 * backend, and channels_redis layers, each with the database number it selects.
 */
export type RedisRoleKind = 'cache' | 'sessions' | 'celery-broker' | 'celery-results' | 'channels';

export interface RedisRole {
  readonly kind: RedisRoleKind;
  /** `CACHES["default"]`, `CELERY_BROKER_URL`, `CHANNEL_LAYERS["default"]`, `SESSION_ENGINE`. */
  readonly label: string;
  readonly redis: RedisService;
  readonly port: number;
  readonly db: number;
  /** The settings expression that names the server (or the SESSION_ENGINE line). */
  readonly span: Span;
  /** Where a user changes it: the env line that fed the URL, else the settings line. */
  readonly editAt: Span;
  readonly services: ComposeService[];
}

const URL = /^(rediss?|valkeys?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]*)(?::(\d+))?(?:\/(\d*))?(?:\?(.*))?$/i;

/** Host, port and database of a redis:// URL (6379 and 0 when absent; `?db=N` counts too). */
export function redisUrl(text: string): { host: string; port: number; db: number } | undefined {
  const m = URL.exec(text.trim());
  if (!m) return undefined;
  const query = new URLSearchParams(m[5] ?? '');
  const db = m[4] ? Number(m[4]) : query.has('db') ? Number(query.get('db')) : 0;
  if (!Number.isInteger(db)) return undefined;
  return { host: m[2]!, port: m[3] ? Number(m[3]) : 6379, db };
}

function entries(v: PyValue | undefined): Array<{ key: string; value: PyValue }> {
  if (v?.kind !== 'known' || !isPyDict(v.value)) return [];
  return v.value.entries.flatMap((e) => (e.key.kind === 'known' && typeof e.key.value === 'string' ? [{ key: e.key.value, value: e.value }] : []));
}

function urlsOf(v: PyValue | undefined): PyValue[] {
  if (!v) return [];
  return v.kind === 'known' && isPyList(v.value) ? [...v.value.items] : [v];
}

export interface RedisSettingUrl {
  readonly kind: RedisRoleKind;
  readonly label: string;
  readonly url: Value<string>;
  readonly span: Span;
}

/** The Redis roles of one settings module; a URL that cannot be read is left out. */
export function redisSettingUrls(names: ReadonlyMap<string, PyValue>): RedisSettingUrl[] {
  const out: RedisSettingUrl[] = [];
  const add = (kind: RedisRoleKind, label: string, v: PyValue | undefined, span?: Span) => {
    const text = pyText(v);
    if (text && v) out.push({ kind, label, url: text, span: span ?? v.span });
  };
  const caches = entries(names.get('CACHES'));
  for (const { key, value } of caches) {
    const backend = pyText(pyGet(value, 'BACKEND'));
    if (backend?.kind !== 'known' || !/redis/i.test(backend.value)) continue;
    for (const url of urlsOf(pyGet(value, 'LOCATION')).slice(0, 1)) add('cache', `CACHES["${key}"]`, url);
  }
  const engine = pyText(names.get('SESSION_ENGINE'));
  if (engine?.kind === 'known' && engine.value === 'django.contrib.sessions.backends.cache') {
    // cached_db writes through to the database and survives eviction; only the cache backend loses sessions.
    const alias = pyText(names.get('SESSION_CACHE_ALIAS'));
    const name = alias === undefined ? 'default' : alias.kind === 'known' ? alias.value : undefined;
    const cache = caches.find((c) => c.key === name);
    const backend = cache && pyText(pyGet(cache.value, 'BACKEND'));
    if (cache && backend?.kind === 'known' && /redis/i.test(backend.value)) {
      for (const url of urlsOf(pyGet(cache.value, 'LOCATION')).slice(0, 1)) add('sessions', `SESSION_ENGINE cache (CACHES["${name}"])`, url, engine.span);
    }
  }
  const broker = names.get('CELERY_BROKER_URL') ? 'CELERY_BROKER_URL' : names.get('BROKER_URL') ? 'BROKER_URL' : undefined;
  if (broker) add('celery-broker', broker, names.get(broker));
  if (names.get('CELERY_RESULT_BACKEND')) add('celery-results', 'CELERY_RESULT_BACKEND', names.get('CELERY_RESULT_BACKEND'));
  for (const { key, value } of entries(names.get('CHANNEL_LAYERS'))) {
    const backend = pyText(pyGet(value, 'BACKEND'));
    if (backend?.kind !== 'known' || !/channels_redis/.test(backend.value)) continue;
    const hosts = pyGet(value, 'CONFIG', 'hosts');
    const first = hosts?.kind === 'known' && isPyList(hosts.value) ? hosts.value.items[0] : undefined;
    if (!first) continue;
    if (first.kind === 'known' && isPyList(first.value)) {
      // A (host, port) pair selects database 0.
      const host = pyText(first.value.items[0]);
      const port = pyText(first.value.items[1]);
      if (host?.kind === 'known' && port?.kind === 'known') out.push({ kind: 'channels', label: `CHANNEL_LAYERS["${key}"]`, url: known(`redis://${host.value}:${port.value}/0`, first.span), span: first.span });
      continue;
    }
    add('channels', `CHANNEL_LAYERS["${key}"]`, first.kind === 'known' && isPyDict(first.value) ? pyGet(first, 'address') : first);
  }
  return out;
}

/** Every Redis role of every app and worker service that reaches a Redis service of the stack, one per settings line. */
export function redisRoles(stack: Stack): RedisRole[] {
  const out: RedisRole[] = [];
  const processes: DjangoProcess[] = [...stack.data.apps, ...stack.data.workers];
  for (const p of processes) {
    if (!p.settings) continue;
    for (const f of redisSettingUrls(p.settings.names)) {
      if (f.url.kind !== 'known') continue;
      const target = redisUrl(f.url.value);
      if (!target) continue;
      const svc = stack.resolveHost(target.host);
      const redis = svc ? stack.data.redis.find((r) => r.service === svc) : undefined;
      if (!redis) continue;
      const same = out.find((r) => r.kind === f.kind && r.span.file === f.span.file && r.span.start === f.span.start && r.redis === redis && r.db === target.db);
      if (same) {
        if (!same.services.includes(p.service)) same.services.push(p.service);
        continue;
      }
      const editAt = f.url.via?.[0] ?? f.span;
      out.push({ kind: f.kind, label: f.label, redis, port: target.port, db: target.db, span: f.span, editAt, services: [p.service] });
    }
  }
  return out;
}

export function roleText(kind: RedisRoleKind): string {
  return {
    cache: 'the cache',
    sessions: 'sessions',
    'celery-broker': 'the Celery broker',
    'celery-results': 'Celery results',
    channels: 'the Channels layer',
  }[kind];
}
