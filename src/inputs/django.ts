import { posix } from 'node:path';
import { known, unknown, type Span, type Unknown, type Value } from '../core/value.js';
import { evaluateSettings, resolveModule, settingsModuleFromEntrypoint, type SettingsModule } from '../python/evaluate.js';
import { isPyDict, isPyList, pyGet, type EnvLookup, type PyValue } from '../python/value.js';
import { instructionWords } from '../parsers/dockerfile.js';
import type { ComposeService } from './compose.js';
import { repoPath } from '../container/filesystem.js';
import type { AppService, StackReader } from '../stack/core.js';

/**
 * The Django side of the data tier: which settings module each app service runs, evaluated statically
 * (never executed) with the environment that service's container sees.
 */

export interface DjangoApp {
  readonly service: ComposeService;
  readonly app: AppService;
  readonly settingsModule: Value<string>;
  /** Undefined when the module cannot be found; `reason` says why. */
  readonly settings?: SettingsModule;
  readonly reason?: string;
}

export interface DjangoDatabase {
  readonly app: DjangoApp;
  readonly alias: string;
  /** The alias key in DATABASES: where a missing key is added. */
  readonly aliasSpan: Span;
  readonly engine?: PyValue;
  readonly name?: PyValue;
  readonly user?: PyValue;
  readonly host?: PyValue;
  readonly port?: PyValue;
  readonly connMaxAge?: PyValue;
  readonly connHealthChecks?: PyValue;
  readonly disableServerSideCursors?: PyValue;
  readonly options?: PyValue;
}

export interface DjangoRedisUse {
  readonly app: DjangoApp;
  /** `CACHES["default"]` or `CHANNEL_LAYERS["default"]`. */
  readonly label: string;
  readonly kind: 'cache' | 'channels';
  readonly backend: string;
  readonly host: Value<string>;
  readonly port: Value<number>;
  /** Where the server is named (LOCATION, hosts). */
  readonly span: Span;
  /** The pool's max_connections per process; unknown when not set (redis-py then has no limit). */
  readonly maxConnections?: PyValue;
  /** True when each thread has its own client and pool (Django's own RedisCache keeps its cache objects per thread). */
  readonly poolPerThread: boolean;
}

/** The environment the Python process sees: compose's effective env over the Dockerfile's ENV lines. */
export function processEnv(stack: StackReader, svc: ComposeService): Map<string, Value<string>> {
  const out = new Map<string, Value<string>>();
  for (const ins of stack.image(svc).dockerfile?.instructions ?? []) {
    if (ins.keyword !== 'ENV') continue;
    const words = instructionWords(ins).words.map((w) => w.value);
    const first = words[0];
    // `ENV KEY value` (legacy form) sets one variable to the rest of the line.
    if (first?.kind === 'known' && !first.value.includes('=') && words.length > 1) {
      out.set(first.value, known(ins.args.text.trim().slice(first.value.length).trim(), ins.span));
      continue;
    }
    for (const w of words) {
      if (w.kind !== 'known') continue;
      const eq = w.value.indexOf('=');
      if (eq > 0) out.set(w.value.slice(0, eq), known(w.value.slice(eq + 1), w.span));
    }
  }
  for (const [k, v] of stack.env(svc)) out.set(k, v);
  return out;
}

/** Folders a module name resolves in: the build context, else the folders bind-mounted into the container. */
function searchRoots(stack: StackReader, svc: ComposeService): string[] {
  const img = stack.image(svc);
  if (img.buildContext !== undefined) return [img.buildContext];
  const dir = stack.compose.dir;
  return svc.volumes.flatMap((v) => {
    if (v.type !== 'bind' || !v.source) return [];
    const p = repoPath(dir, v.source);
    return p !== undefined && stack.workspace.isDir(p) ? [p] : [];
  });
}

/** The module the app server loads (`arena_backend.wsgi` of `arena_backend.wsgi:application`). */
function appModule(app: AppService): Value<string> | undefined {
  if (app.gunicorn) return app.gunicorn.app;
  // uWSGI's `--socket :9000 --module app.wsgi`: the first plain word is an option's value; the view read the module.
  if (app.facts?.application.kind === 'known') return app.facts.application;
  const word = app.server.argv.slice(1).find((w) => w.value.kind === 'unknown' || !w.value.value.startsWith('-'));
  return word?.value;
}

interface CachedEvaluation {
  readonly entry: string;
  readonly reads: ReadonlyMap<string, string>;
  readonly result: SettingsModule;
}

function fingerprint(v: Value<string> | undefined): string {
  return v === undefined ? 'unset' : v.kind === 'known' ? `=${v.value}` : '?';
}

/** Every app service whose settings module can be named, with its settings evaluated once per distinct (module, env). */
export function djangoApps(stack: StackReader): DjangoApp[] {
  const cache: CachedEvaluation[] = [];
  const out: DjangoApp[] = [];
  const ws = stack.workspace;
  for (const svc of stack.services) {
    const app = stack.app(svc);
    if (!app) continue;
    const env = processEnv(stack, svc);
    const roots = searchRoots(stack, svc);
    let module: Value<string> | undefined = env.get('DJANGO_SETTINGS_MODULE');
    if (!module) {
      const entry = appModule(app);
      if (entry?.kind === 'known') {
        module = settingsModuleFromEntrypoint(entry.value, roots, (p) => ws.read(p), (p) => ws.exists(p));
        if (module?.kind === 'known') stack.addFile(module.span.file);
      }
    }
    // The container view found the settings through the process and the container's files (a module
    // the build context alone does not show: `COPY ./app /app` with `WORKDIR /app`).
    const fromView = stack.view(svc)?.django;
    if (!module && fromView) module = fromView.settingsModule;
    if (!module) continue;
    const base = { service: svc, app, settingsModule: module };
    if (module.kind === 'unknown') {
      out.push({ ...base, reason: `DJANGO_SETTINGS_MODULE is unknown: ${module.reason}` });
      continue;
    }
    let entry = resolveModule(module.value, roots, (p) => ws.exists(p));
    if (!entry && fromView?.settingsFile && fromView.settingsModule.kind === 'known' && fromView.settingsModule.value === module.value) {
      entry = fromView.settingsFile;
      roots.unshift(packageRoot(entry, module.value));
    }
    if (!entry) {
      out.push({ ...base, reason: `settings module ${module.value} is not found under ${roots.join(', ') || 'the service\'s build context'}` });
      continue;
    }
    const hit = cache.find((c) => c.entry === entry && [...c.reads].every(([name, fp]) => fingerprint(env.get(name)) === fp));
    if (hit) {
      out.push({ ...base, settings: hit.result });
      continue;
    }
    const reads = new Map<string, string>();
    // An env_file nobody can read may set any variable the rest of the environment lacks.
    const gap = stack.envIncomplete(svc);
    const lookup: EnvLookup = {
      get(name) {
        const v = env.get(name) ?? (gap ? unknown(`${name} may be set by an env_file that is not read (${gap.reason})`, gap.span) : undefined);
        reads.set(name, fingerprint(v));
        return v;
      },
    };
    const result = evaluateSettings({ entry, searchRoots: roots, readFile: (p) => ws.read(p), exists: (p) => ws.exists(p), env: lookup });
    const [first, ...rest] = result.files;
    if (first !== undefined) stack.addFile(first, result.problems, result.comments);
    for (const f of rest) stack.addFile(f);
    cache.push({ entry, reads, result });
    out.push({ ...base, settings: result });
  }
  return out;
}

/** The folder a module is imported from: `app` for `app.settings` at app/app/settings.py. */
function packageRoot(file: string, module: string): string {
  let root = file.endsWith('/__init__.py') ? posix.dirname(file) : file;
  for (let i = 0; i < module.split('.').length; i++) root = posix.dirname(root);
  return root === '.' ? '' : root;
}

/** A dict's entries with known string keys. */
function entriesOf(v: PyValue | undefined): Array<{ key: string; keySpan: Span; value: PyValue }> {
  if (v?.kind !== 'known' || !isPyDict(v.value)) return [];
  return v.value.entries.flatMap((e) => (e.key.kind === 'known' && typeof e.key.value === 'string' ? [{ key: e.key.value, keySpan: e.key.span, value: e.value }] : []));
}

/** DATABASES of an app; Unknown when DATABASES itself cannot be known. */
export function djangoDatabases(app: DjangoApp): DjangoDatabase[] | Unknown {
  const settings = app.settings;
  if (!settings) return unknown(app.reason ?? 'no settings', app.service.nameSpan);
  const dbs = settings.names.get('DATABASES');
  if (!dbs) return [];
  if (dbs.kind === 'unknown') return dbs;
  return entriesOf(dbs).map(({ key, keySpan, value }) => {
    const field = (k: string) => pyGet(value, k);
    const out: { -readonly [K in keyof DjangoDatabase]: DjangoDatabase[K] } = { app, alias: key, aliasSpan: keySpan };
    const set = <K extends keyof DjangoDatabase>(k: K, setting: string) => {
      const v = field(setting);
      if (v !== undefined) out[k] = v as DjangoDatabase[K];
    };
    set('engine', 'ENGINE');
    set('name', 'NAME');
    set('user', 'USER');
    set('host', 'HOST');
    set('port', 'PORT');
    set('connMaxAge', 'CONN_MAX_AGE');
    set('connHealthChecks', 'CONN_HEALTH_CHECKS');
    set('disableServerSideCursors', 'DISABLE_SERVER_SIDE_CURSORS');
    set('options', 'OPTIONS');
    return out;
  });
}

export function isPostgresEngine(db: DjangoDatabase): boolean | undefined {
  if (!db.engine) return false;
  if (db.engine.kind === 'unknown') return undefined;
  return typeof db.engine.value === 'string' && /postg/i.test(db.engine.value);
}

/** A PyValue as text the way Django passes HOST/PORT/NAME to libpq (str() of ints). */
export function pyText(v: PyValue | undefined): Value<string> | undefined {
  if (!v) return undefined;
  if (v.kind === 'unknown') return v;
  if (typeof v.value === 'string') return { ...v, value: v.value };
  if (typeof v.value === 'number') return { ...v, value: String(v.value) };
  if (v.value === null) return { ...v, value: '' };
  return unknown(`${typeof v.value === 'boolean' ? 'a boolean' : 'a container'} where text is expected`, v.span);
}

/**
 * Where a user changes a settings value: the environment line that fed it (env file or compose
 * `environment:`), else the expression in settings.py.
 */
export function editSpan(v: Value<unknown>): Span {
  return (v.kind === 'known' ? v.via?.[0] : undefined) ?? v.span;
}

/** A number setting: int/float, or a numeric string. None is returned as null (Django: no limit). */
export function pyNumber(v: PyValue | undefined): Value<number | null> | undefined {
  if (!v) return undefined;
  if (v.kind === 'unknown') return v;
  if (v.value === null) return { ...v, value: null };
  if (typeof v.value === 'number') return { ...v, value: v.value };
  if (typeof v.value === 'string' && /^\s*\d+\s*$/.test(v.value)) return { ...v, value: Number(v.value) };
  return unknown(`${JSON.stringify(v.value)} is not a number`, v.span);
}

const REDIS_URL = /^(rediss?|unix|valkeys?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]*)(?::(\d+))?/i;

/** Host and port of a redis:// URL (port 6379 when absent). */
function redisUrlTarget(url: Value<string>): { host: Value<string>; port: Value<number> } | undefined {
  if (url.kind === 'unknown') return { host: url, port: url };
  const m = REDIS_URL.exec(url.value);
  if (!m || m[1]!.toLowerCase() === 'unix') return undefined;
  return { host: { ...url, value: m[2]! }, port: { ...url, value: m[3] ? Number(m[3]) : 6379 } };
}

/** The Redis servers an app's CACHES and CHANNEL_LAYERS use, with their pool limits. */
export function djangoRedisUses(app: DjangoApp): DjangoRedisUse[] {
  const names = app.settings?.names;
  if (!names) return [];
  const out: DjangoRedisUse[] = [];
  for (const { key, value } of entriesOf(names.get('CACHES'))) {
    const backend = pyGet(value, 'BACKEND');
    if (backend?.kind !== 'known' || typeof backend.value !== 'string' || !/redis/i.test(backend.value)) continue;
    const djangoOwn = backend.value.startsWith('django.core.cache.backends.redis');
    const location = pyGet(value, 'LOCATION');
    const urls: PyValue[] = location?.kind === 'known' && isPyList(location.value) ? [...location.value.items] : location ? [location] : [];
    // django-redis: OPTIONS.CONNECTION_POOL_KWARGS; Django's RedisCache passes OPTIONS to the pool itself.
    const maxConnections = djangoOwn ? pyGet(value, 'OPTIONS', 'max_connections') : pyGet(value, 'OPTIONS', 'CONNECTION_POOL_KWARGS', 'max_connections');
    for (const url of urls) {
      const text = pyText(url);
      const target = text && redisUrlTarget(text);
      if (!target) continue;
      out.push({
        app, label: `CACHES["${key}"]`, kind: 'cache', backend: backend.value, ...target, span: url.span,
        ...(maxConnections ? { maxConnections } : {}), poolPerThread: djangoOwn,
      });
    }
  }
  for (const { key, value } of entriesOf(names.get('CHANNEL_LAYERS'))) {
    const backend = pyGet(value, 'BACKEND');
    if (backend?.kind !== 'known' || typeof backend.value !== 'string' || !/channels_redis/.test(backend.value)) continue;
    const hosts = pyGet(value, 'CONFIG', 'hosts');
    if (hosts?.kind !== 'known' || !isPyList(hosts.value)) continue;
    for (const h of hosts.value.items) {
      let target: { host: Value<string>; port: Value<number> } | undefined;
      if (h.kind === 'known' && isPyList(h.value)) {
        const host = pyText(h.value.items[0]);
        const port = pyNumber(h.value.items[1]);
        if (host && port) target = { host, port: port.kind === 'known' && port.value !== null ? { ...port, value: port.value } : unknown('port is not a number', port.span) };
      } else {
        const address = h.kind === 'known' && isPyDict(h.value) ? pyGet(h, 'address') : h;
        const text = pyText(address);
        target = text && redisUrlTarget(text);
      }
      if (target) out.push({ app, label: `CHANNEL_LAYERS["${key}"]`, kind: 'channels', backend: backend.value, ...target, span: h.span, poolPerThread: false });
    }
  }
  return out;
}
