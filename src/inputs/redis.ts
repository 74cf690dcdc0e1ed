import { known, unknown, type Span, type Value } from '../core/value.js';
import { parseRedisArgs, REDIS_DEFAULTS, type RedisConf } from '../parsers/redis.js';
import { loadRedisConf } from '../container/config-includes.js';
import type { ComposeService } from './compose.js';
import { imageAnchor, imageName, imageRepository, programArgv } from './images.js';
import type { StackReader } from '../stack/core.js';

/** A Redis server of the stack: `redis-server` flags over a redis.conf it reads, over Redis's defaults. */
export interface RedisService {
  readonly service: ComposeService;
  readonly args: ReadonlyMap<string, Value<string>>;
  readonly conf?: RedisConf;
  /** Where an absent setting would be added: the redis-server command, else the image. */
  readonly anchor: Span;
  /** Set when a config file is named but cannot be read: every setting not on the command line is then unknown. */
  readonly unreadConfig?: string;
}

const REDIS_IMAGES = /^(redis|redis\/redis-stack-server|redis\/redis-stack|bitnami\/redis|valkey\/valkey|bitnami\/valkey|eqalpha\/keydb)$/;

export function isRedisService(stack: StackReader, svc: ComposeService): boolean {
  const image = imageName(stack, svc);
  return (image !== undefined && REDIS_IMAGES.test(imageRepository(image))) || programArgv(svc, /^(redis|valkey)-server$/) !== undefined;
}

export function readRedis(stack: StackReader, svc: ComposeService): RedisService {
  const cmd = programArgv(svc, /^(redis|valkey|keydb)-server$/, true);
  const parsed = parseRedisArgs(cmd?.argv ?? []);
  if (parsed.problems.length > 0) stack.addFile(parsed.problems[0]!.span.file, parsed.problems);
  const anchor = cmd?.span ?? imageAnchor(svc);
  let conf: RedisConf | undefined;
  let unreadConfig: string | undefined;
  if (parsed.configFile) {
    const fs = stack.image(svc).fs;
    const hit = parsed.configFile.kind === 'known' ? fs.resolve(parsed.configFile.value) : undefined;
    // The config as Redis loads it, `include` lines followed in the container's files.
    const merged = hit ? loadRedisConf(stack.workspace, fs, hit) : undefined;
    if (merged) {
      for (const f of merged.files) stack.addFile(f.path, f.problems, f.comments);
      conf = merged.conf;
    } else {
      unreadConfig = parsed.configFile.kind === 'known' ? `redis-server reads ${parsed.configFile.value}, which is not in the repository` : parsed.configFile.reason;
    }
  }
  return { service: svc, args: parsed.settings, ...(conf ? { conf } : {}), anchor, ...(unreadConfig ? { unreadConfig } : {}) };
}

/** A setting from the command line, else redis.conf, else Redis's default (marked isDefault). */
export function redisValue(redis: RedisService, name: string): Value<string> {
  const key = name.toLowerCase();
  const fromArgs = redis.args.get(key);
  if (fromArgs) return fromArgs;
  const fromConf = redis.conf?.get(key);
  if (fromConf) return fromConf;
  if (redis.unreadConfig) return unknown(redis.unreadConfig, redis.anchor);
  if (redis.conf && redis.conf.includes.length > 0) return unknown(`${name} may be set by an included file`, redis.conf.includes[0]!.span);
  const fallback = REDIS_DEFAULTS.get(key);
  return fallback === undefined ? unknown(`${name} has no known default`, redis.anchor) : known(fallback, redis.anchor, { isDefault: true });
}

export function redisInt(redis: RedisService, name: string): Value<number> {
  const v = redisValue(redis, name);
  if (v.kind === 'unknown') return v;
  return /^\d+$/.test(v.value) ? { ...v, value: Number(v.value) } : unknown(`${name} ${JSON.stringify(v.value)} is not an integer`, v.span);
}
