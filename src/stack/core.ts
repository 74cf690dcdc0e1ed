import type { UnknownPart } from '../container/types.js';
import type { Comment, ParseProblem } from '../core/problem.js';
import type { Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ComposeFile, ComposeService } from '../inputs/compose.js';
import type { ServiceImage } from '../container/filesystem.js';
import type { AppServerCommand, GunicornOptions } from '../container/gunicorn.js';
import type { AppServerFacts, ContainerView } from '../container/types.js';
import type { UnloadedConfig } from './unloaded-configs.js';
import type { NginxModel, Upstream, UpstreamServer } from '../inputs/nginx.js';

/** Containers that run the same app: `web-1`..`web-15`, or services sharing build and command. */
export interface ReplicaTier {
  /** `web` for web-1..web-N; the first service's name for a shared-command tier. */
  readonly name: string;
  readonly replicas: readonly ComposeService[];
  readonly numbered: boolean;
}

export interface AppService {
  readonly service: ComposeService;
  readonly server: AppServerCommand;
  readonly gunicorn?: GunicornOptions;
  readonly protocol?: 'wsgi' | 'asgi';
  /** What the container view read from every settings source of the server (when it followed the process). */
  readonly facts?: AppServerFacts;
}

export interface ProxyService {
  readonly service: ComposeService;
  readonly image: ServiceImage;
  readonly nginx: NginxModel;
  /** nginx configs this container is given (or whose build context holds them) and does not load. */
  readonly unloaded: readonly UnloadedConfig[];
}

/** The environment a container sees: env_file entries, overridden by `environment:`. */
export type EffectiveEnv = ReadonlyMap<string, Value<string>>;

/**
 * What the readers of stage 1 (pgbouncer, Postgres, Redis, Django settings) are handed while the stack
 * is being read: the compose project, each service's environment, image and container view, all read
 * already, and `addFile` to record the files they read. It exists only while the stack is built; the
 * finished `Stack` has no way to read or record anything.
 */
export interface StackReader {
  readonly name: string;
  readonly compose: ComposeFile;
  readonly services: readonly ComposeService[];
  readonly workspace: Workspace;
  service(name: string): ComposeService | undefined;
  image(service: ComposeService): ServiceImage;
  app(service: ComposeService): AppService | undefined;
  env(service: ComposeService): EffectiveEnv;
  /**
   * Why the service's environment may hold more than `env()` lists: an env_file that cannot be read
   * (not in the repository, outside the folder, a template). A variable `env()` lacks may then be set.
   */
  envIncomplete(service: ComposeService): UnknownPart | undefined;
  view(service: ComposeService): ContainerView | undefined;
  resolveHost(host: string): ComposeService | undefined;
  tierOf(service: ComposeService): ReplicaTier | undefined;
  /** Records a file a reader read, with its parse problems and comments (once per file). */
  addFile(path: string, problems?: readonly ParseProblem[], comments?: readonly Comment[]): void;
}

/** An upstream server joined to the compose service its host name reaches. */
export interface ResolvedUpstreamServer {
  readonly server: UpstreamServer;
  readonly service?: ComposeService;
}

export interface ResolvedUpstream {
  readonly proxy: ProxyService;
  readonly upstream: Upstream;
  readonly servers: readonly ResolvedUpstreamServer[];
}

