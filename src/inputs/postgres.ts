import { unknown, type Span, type Value } from '../core/value.js';
import { parsePostgresDuration, postgresSetting } from '../reference/postgres-settings.js';
import { effectivePostgresSetting, parsePostgresArgs, parsePostgresqlConf, type PostgresqlConf } from '../parsers/postgres.js';
import type { ComposeService } from './compose.js';
import { imageAnchor, imageName, imageRepository, programArgv } from './images.js';
import type { StackReader } from '../stack/core.js';

/** A Postgres server of the stack: its command-line settings over a postgresql.conf it reads. */
export interface PostgresService {
  readonly service: ComposeService;
  readonly args: ReadonlyMap<string, Value<string>>;
  readonly conf?: PostgresqlConf;
  /** Where an absent setting would be added: the postgres command, else the image. */
  readonly anchor: Span;
}

const POSTGRES_IMAGES = /^(postgres|postgis\/postgis|timescale\/timescaledb[\w-]*|bitnami\/postgresql|pgvector\/pgvector|supabase\/postgres)$/;
/** Where the official image keeps the configuration it reads when no config_file is given. */
const DEFAULT_CONF_PATHS = ['/var/lib/postgresql/data/postgresql.conf'];

export function isPostgresService(stack: StackReader, svc: ComposeService): boolean {
  const image = imageName(stack, svc);
  return (image !== undefined && POSTGRES_IMAGES.test(imageRepository(image))) || programArgv(svc, /^postgres$/) !== undefined;
}

export function readPostgres(stack: StackReader, svc: ComposeService): PostgresService {
  const cmd = programArgv(svc, /^postgres$/, true);
  const { settings, problems } = parsePostgresArgs(cmd?.argv ?? []);
  if (problems.length > 0) stack.addFile(problems[0]!.span.file, problems);
  const fs = stack.image(svc).fs;
  const named = settings.get('config_file');
  const paths = named?.kind === 'known' ? [named.value] : DEFAULT_CONF_PATHS;
  let conf: PostgresqlConf | undefined;
  for (const p of paths) {
    const hit = fs.resolve(p);
    const file = hit ? stack.workspace.read(hit.hostPath) : undefined;
    if (!file) continue;
    const parsed = parsePostgresqlConf(file);
    stack.addFile(file.path, parsed.problems, parsed.comments);
    conf = parsed.doc;
    break;
  }
  return { service: svc, args: settings, ...(conf ? { conf } : {}), anchor: cmd?.span ?? imageAnchor(svc) };
}

/** A setting from the command line, else postgresql.conf, else PostgreSQL's default (marked isDefault). */
export function postgresValue(pg: PostgresService, name: string): Value<string> {
  const args = pg.args as Map<string, Value<string>>;
  return effectivePostgresSetting(name, args, pg.conf, postgresSetting(name)?.default, pg.anchor);
}

export function postgresInt(pg: PostgresService, name: string): Value<number> {
  const v = postgresValue(pg, name);
  if (v.kind === 'unknown') return v;
  return /^\s*\d+\s*$/.test(v.value) ? { ...v, value: Number(v.value) } : unknown(`${name} = ${JSON.stringify(v.value)} is not an integer`, v.span);
}

/** A time setting in milliseconds, read in the setting's own base unit (`30s`, `5min`, or a bare number of ms). */
export function postgresMillis(pg: PostgresService, name: string): Value<number> {
  const v = postgresValue(pg, name);
  if (v.kind === 'unknown') return v;
  const ms = parsePostgresDuration(v.value, postgresSetting(name)?.unit ?? 'ms');
  const inMs = ms === undefined ? undefined : (ms * unitMillis(postgresSetting(name)?.unit ?? 'ms'));
  return inMs === undefined ? unknown(`${name} = ${JSON.stringify(v.value)} is not a PostgreSQL time`, v.span) : { ...v, value: inMs };
}

function unitMillis(unit: string): number {
  return ({ us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 } as Record<string, number>)[unit] ?? 1;
}
