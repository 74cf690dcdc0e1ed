import { posix } from 'node:path';
import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import {
  pgbouncerDefault, pgbouncerSettingsFromEnv, pgbouncerVersionFromImage, PGBOUNCER_SETTINGS, validatePgbouncerSetting,
  type PgbouncerValue,
} from '../reference/pgbouncer-settings.js';
import { effectivePgbouncerSettings, parseDatabaseEntry, type IniEntry, type PgbouncerIni } from '../parsers/pgbouncer.js';
import { loadPgbouncerIni } from '../container/config-includes.js';
import type { ContainerFile } from '../container/filesystem.js';
import type { ComposeService } from './compose.js';
import { imageAnchor, imageName, programArgv } from './images.js';
import type { StackReader } from '../stack/core.js';
import type { SourceFile } from '../core/source.js';

/** One `[databases]` entry (or the single database an env-configured image writes). */
export interface PgbouncerDatabase {
  /** The name clients connect to; `*` is the fallback for every other name. */
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  /** Connection parameters (`host`, `port`, `dbname`, `pool_size`, ...). */
  readonly params: ReadonlyMap<string, Value<string>>;
  /** The raw ini entry, when the database comes from a file. */
  readonly entry?: IniEntry;
  /** The parameters exactly as written (placeholders included), when the database comes from a file. */
  readonly written?: ReadonlyMap<string, Known<string>>;
}

export interface PgbouncerService {
  readonly service: ComposeService;
  /** The image's pgbouncer release; undefined means unknown, and pgbouncer's current behaviour is assumed. */
  readonly version?: string;
  readonly image?: Known<string>;
  /** Where the settings come from: a pgbouncer.ini the container sees, the image's environment variables, or nowhere we can read. */
  readonly source: 'ini' | 'env' | 'none';
  readonly ini?: PgbouncerIni;
  /** Every `[pgbouncer]` setting as written (raw text), absent ones as pgbouncer's (or the image's) default. */
  readonly settings: ReadonlyMap<string, Value<string>>;
  readonly databases: readonly PgbouncerDatabase[];
  /** The `auth_file` as the container sees it (read in stage 1, so rules never read files). */
  readonly authFile?: SourceFile;
}

/** Config files the common images read when the command names none. */
const DEFAULT_INI_PATHS = ['/etc/pgbouncer/pgbouncer.ini', '/opt/bitnami/pgbouncer/conf/pgbouncer.ini', '/bitnami/pgbouncer/conf/pgbouncer.ini'];
const PLACEHOLDER = /\$\{[^}]*\}|\$[A-Za-z_]/;

export function isPgbouncerService(stack: StackReader, svc: ComposeService): boolean {
  const image = imageName(stack, svc) ?? '';
  return /pgbouncer/i.test(image) || programArgv(svc, /^pgbouncer$/) !== undefined;
}

/** Reads a pgbouncer service: the ini its container sees (through mounts or COPY), else the image's env configuration. */
export function readPgbouncer(stack: StackReader, svc: ComposeService): PgbouncerService {
  const image = imageName(stack, svc);
  const version = image !== undefined ? pgbouncerVersionFromImage(image) : undefined;
  const imageValue = svc.image?.kind === 'known' ? svc.image : undefined;
  const base = { service: svc, ...(version ? { version } : {}), ...(imageValue ? { image: imageValue } : {}) };

  const iniFile = findIni(stack, svc);
  const iniPath = iniFile?.hostPath;
  // The ini as pgbouncer loads it, `%include`s followed in the container's files.
  const merged = iniFile ? loadPgbouncerIni(stack.workspace, stack.image(svc).fs, iniFile) : undefined;
  if (merged) {
    for (const f of merged.files) stack.addFile(f.path, f.problems, f.comments);
    const ini = merged.ini;
    const databases: PgbouncerDatabase[] = [];
    for (const section of ini.sections.filter((s) => s.name === 'databases')) {
      for (const entry of section.entries) {
        const { params, problems } = parseDatabaseEntry(entry);
        stack.addFile(entry.span.file, problems);
        const values = new Map<string, Value<string>>();
        for (const [k, v] of params) {
          values.set(k, PLACEHOLDER.test(v.value) ? unknown(`${JSON.stringify(v.value)} has a placeholder that pgbouncer does not expand itself`, v.span) : v);
        }
        const previous = databases.findIndex((d) => d.name === entry.key);
        const db: PgbouncerDatabase = { name: entry.key, nameSpan: entry.keySpan, span: entry.span, params: values, entry, written: params };
        if (previous >= 0) databases[previous] = db;
        else databases.push(db);
      }
    }
    const settings = effectivePgbouncerSettings(ini, version);
    const authFile = readAuthFile(stack, svc, settings.get('auth_file'));
    return { ...base, source: 'ini', ini, settings, databases, ...(authFile ? { authFile } : {}) };
  }

  const fromEnv = image !== undefined ? pgbouncerSettingsFromEnv(image, new Map(stack.env(svc)), imageAnchor(svc)) : undefined;
  if (fromEnv) {
    const settings = new Map<string, Value<string>>();
    for (const s of PGBOUNCER_SETTINGS) settings.set(s.name, known(pgbouncerDefault(s.name, version) ?? '', imageAnchor(svc), { isDefault: true }));
    for (const [k, v] of fromEnv.settings) settings.set(k, v);
    const name = fromEnv.database.get('name');
    const params = new Map(fromEnv.database);
    // The image names the entry after the database; its target database has the same name.
    params.delete('name');
    const databases: PgbouncerDatabase[] = [{
      name: name?.kind === 'known' ? name.value : '*',
      nameSpan: name?.span ?? imageAnchor(svc),
      span: name?.span ?? imageAnchor(svc),
      params,
    }];
    const authFile = readAuthFile(stack, svc, settings.get('auth_file'));
    return { ...base, source: 'env', settings, databases, ...(authFile ? { authFile } : {}) };
  }

  const settings = new Map<string, Value<string>>();
  const reason = iniPath === undefined ? 'no pgbouncer.ini is visible in the container (mounted or copied)' : `${iniPath} cannot be read`;
  for (const s of PGBOUNCER_SETTINGS) settings.set(s.name, unknown(reason, imageAnchor(svc)));
  return { ...base, source: 'none', settings, databases: [] };
}

/** The repository file behind the ini pgbouncer reads: named on its command line, else an image's default path, else any visible pgbouncer.ini. */
function findIni(stack: StackReader, svc: ComposeService): ContainerFile | undefined {
  const fs = stack.image(svc).fs;
  const argv = programArgv(svc, /^pgbouncer$/)?.argv ?? [];
  const named = argv.slice(1).flatMap((w) => (w.kind === 'known' && w.value.endsWith('.ini') ? [w.value] : []));
  for (const p of [...named, ...DEFAULT_INI_PATHS]) {
    const hit = fs.resolve(p);
    if (hit) return hit;
  }
  return fs.files().find((f) => posix.basename(f.containerPath) === 'pgbouncer.ini');
}

/**
 * A setting as pgbouncer would use it: unknown when pgbouncer refuses the written value (it then refuses
 * the whole file, so the intended value never applies).
 */
export function pgbouncerValue(pgb: PgbouncerService, name: string): Value<PgbouncerValue> {
  const raw = pgb.settings.get(name) ?? unknown(`${name} is not a pgbouncer setting`, pgb.service.nameSpan);
  if (raw.kind === 'unknown') return raw;
  const checked = validatePgbouncerSetting(name, raw.value, pgb.version);
  if (!checked.ok) {
    if (raw.isDefault) return unknown(`${name} has no default`, raw.span);
    return unknown(`pgbouncer refuses ${name} = ${JSON.stringify(raw.value)}: ${checked.message}`, raw.span);
  }
  return { ...raw, value: checked.value };
}

export function pgbouncerNumber(pgb: PgbouncerService, name: string): Value<number> {
  const v = pgbouncerValue(pgb, name);
  if (v.kind === 'unknown') return v;
  return typeof v.value === 'number' ? { ...v, value: v.value } : unknown(`${name} is not a number`, v.span);
}

export function pgbouncerText(pgb: PgbouncerService, name: string): Value<string> {
  const v = pgbouncerValue(pgb, name);
  if (v.kind === 'unknown') return v;
  return { ...v, value: Array.isArray(v.value) ? v.value.join(',') : String(v.value) };
}

/** A per-database parameter that overrides a `[pgbouncer]` setting (`pool_size` over `default_pool_size`). */
export function databaseNumber(pgb: PgbouncerService, db: PgbouncerDatabase, param: string, setting: string): Value<number> {
  const own = db.params.get(param);
  if (!own) return pgbouncerNumber(pgb, setting);
  if (own.kind === 'unknown') return own;
  const n = Number(own.value);
  return /^\d+$/.test(own.value) ? { ...own, value: n } : unknown(`${param}=${own.value} is not a number`, own.span);
}

/** The pool mode of one database: its own `pool_mode=` or the `[pgbouncer]` one. */
export function databasePoolMode(pgb: PgbouncerService, db: PgbouncerDatabase | undefined): Value<string> {
  const own = db?.params.get('pool_mode');
  if (own?.kind === 'known') return { ...own, value: own.value.toLowerCase() };
  return own ?? pgbouncerText(pgb, 'pool_mode');
}

/** The `[databases]` entry a client's database name selects: its own entry, else `*`. */
export function databaseFor(pgb: PgbouncerService, dbname: string): PgbouncerDatabase | undefined {
  return pgb.databases.find((d) => d.name === dbname) ?? pgb.databases.find((d) => d.name === '*');
}

/** How a line of the message names this pgbouncer: `pgbouncer 1.18.0 (edoburu/pgbouncer:1.18.0)`. */
export function describePgbouncer(pgb: PgbouncerService): string {
  const image = pgb.image ? ` (${pgb.image.value})` : '';
  return pgb.version ? `pgbouncer ${pgb.version}${image}` : `pgbouncer${image}`;
}

/** The auth_file (relative paths are relative to pgbouncer's working directory, /etc/pgbouncer in the images). */
function readAuthFile(stack: StackReader, svc: ComposeService, auth: Value<string> | undefined): SourceFile | undefined {
  if (auth?.kind !== 'known' || auth.value === '') return undefined;
  const containerPath = posix.isAbsolute(auth.value) ? auth.value : posix.join('/etc/pgbouncer', auth.value);
  const hostPath = stack.image(svc).fs.resolve(containerPath)?.hostPath;
  const file = hostPath ? stack.workspace.read(hostPath) : undefined;
  if (file) stack.addFile(file.path);
  return file;
}
