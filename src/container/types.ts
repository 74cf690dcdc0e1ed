import type { Comment, ParseProblem } from '../core/problem.js';
import type { Span, Value } from '../core/value.js';
import type { ShellWord } from '../parsers/shell-words.js';
import type { Dockerfile } from '../parsers/dockerfile.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ContainerFs } from './filesystem.js';

/**
 * The container view: what one running container sees and runs, assembled from every source that
 * shapes it (image, Dockerfile, compose or Kubernetes spec, mounts, entrypoint scripts, config files).
 *
 * This file is the contract between the three stages of the model:
 * - the stack loader turns a workload of any format (a compose service today, a Kubernetes pod
 *   template next) into a format-neutral `ContainerSpec`;
 * - `src/container/` builds a `ContainerView` from a spec (filesystem, process, environment, app
 *   server, Django settings), reading files statically and never running them;
 * - the stack joins the views into workloads, and facts and rules read only the joined result.
 *
 * Every value keeps its provenance (`Value<T>` with `span` and `via`); whatever cannot be known
 * statically is `Unknown` with a reason, and rules stay silent on it.
 */

/** An argv as written: each word keeps the exact characters it came from. */
export interface CommandLine {
  readonly words: readonly ShellWord[];
  readonly span: Span;
  /** `list` is exec form (no shell); `string` is shell form (`/bin/sh -c`). */
  readonly form: 'string' | 'list';
}

/** One mount of a container spec, in the order the spec lists them (later mounts shadow earlier ones). */
export interface MountSpec {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'config' | 'secret' | 'unknown';
  /** Root-relative repository path (bind, config/secret backed by a file), or the volume name. */
  readonly source?: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readOnly: boolean;
  /** The line that declares the mount. */
  readonly span: Span;
}

/** How the image is built, when the spec builds it from the repository. */
export interface BuildSpec {
  /** Root-relative build context folder. */
  readonly context: Value<string>;
  /** Root-relative Dockerfile path. */
  readonly dockerfile: Value<string>;
  /** Multi-stage target; the final stage when absent. */
  readonly target?: Value<string>;
  readonly args: ReadonlyMap<string, Value<string>>;
  readonly span: Span;
}

/** A format-neutral description of one container, as the orchestrator is told to run it. */
export interface ContainerSpec {
  /** The workload's name (compose service name). */
  readonly name: string;
  readonly span: Span;
  readonly image?: Value<string>;
  readonly build?: BuildSpec;
  /** Replaces the image's ENTRYPOINT (compose `entrypoint:`, Kubernetes `command:`). */
  readonly entrypoint?: CommandLine;
  /** Replaces the image's CMD (compose `command:`, Kubernetes `args:`). */
  readonly command?: CommandLine;
  readonly workingDir?: Value<string>;
  /** The environment the orchestrator sets (env files, then `environment:`), before the image's ENV. */
  readonly environment: ReadonlyMap<string, Value<string>>;
  readonly mounts: readonly MountSpec[];
}

/** Where a container path's content comes from. */
export type FileOrigin =
  | { readonly kind: 'copy'; readonly hostPath: string; readonly via: Span }
  | { readonly kind: 'mount'; readonly hostPath: string; readonly via: Span }
  | { readonly kind: 'image-default'; readonly image: string; readonly description: string }
  | { readonly kind: 'rendered'; readonly template: string; readonly renderer: string; readonly via: Span }
  | { readonly kind: 'unknown'; readonly reason: string; readonly via: Span };

/** How the container's main process was found: each step names the line it was read from. */
export interface ProcessStep {
  readonly description: string;
  readonly span: Span;
}

/** The program the container runs, after ENTRYPOINT/CMD replacement and entrypoint scripts. */
export interface ContainerProcess {
  /** The program's argv, words positioned where they are written (compose, Dockerfile, script). */
  readonly argv: readonly ShellWord[];
  readonly argvSpan: Span;
  readonly workingDir: Value<string>;
  /** The process's environment: spec environment, image ENV and script `export`s, in that precedence. */
  readonly environment: ReadonlyMap<string, Value<string>>;
  /** ENTRYPOINT at Dockerfile:N, then `exec gunicorn` at docker-entrypoint.sh:M, ... */
  readonly steps: readonly ProcessStep[];
  /**
   * Programs the start-up scripts run to completion before the main process starts (`manage.py
   * migrate`, `collectstatic`), in order, each positioned where it is written. Commands in branches
   * that depend on unknown values are not listed.
   */
  readonly ranBefore?: readonly { readonly argv: readonly ShellWord[]; readonly span: Span }[];
  /**
   * The programs a process supervisor in the container starts (supervisord `[program:x]`, s6
   * services), each followed like the main process; the main process is then the supervisor.
   */
  readonly children?: readonly ContainerProcess[];
}

export type AppServerKind = 'gunicorn' | 'uvicorn' | 'daphne' | 'uwsgi' | 'granian';

/** The facts every app server gives, whatever program and settings source they come from. */
export interface AppServerFacts {
  readonly kind: AppServerKind;
  /** `host:port` or `unix:/path` as the server binds it. */
  readonly bind: Value<string>;
  readonly port: Value<number>;
  /** The protocol the listening socket speaks: HTTP, or uWSGI's binary protocol. */
  readonly listenProtocol: Value<'http' | 'uwsgi'>;
  readonly interface: Value<'wsgi' | 'asgi'>;
  readonly processes: Value<number>;
  readonly threads: Value<number>;
  readonly workerClass: Value<string>;
  /** Seconds an idle keep-alive connection is held open. */
  readonly keepAliveSeconds: Value<number>;
  /** Seconds after which a request's worker is killed or abandoned; see `timeoutKills`. */
  readonly requestTimeoutSeconds: Value<number>;
  /** True where the timeout limits a request (gunicorn sync); false where it is only a heartbeat. */
  readonly timeoutKills: Value<boolean>;
  readonly backlog: Value<number>;
  /** The WSGI/ASGI application (`project.wsgi:application`). */
  readonly application: Value<string>;
  /** Files whose settings were read: gunicorn.conf.py, uwsgi.ini, with how each was found. */
  readonly configFiles: readonly { readonly path: string; readonly via: Span }[];
}

/** Something the view could not know, for `arena-lint inspect` and `--verbose`. */
export interface UnknownPart {
  readonly what: string;
  readonly reason: string;
  readonly span: Span;
}

/** The Django project a container runs, found from its process (not from where files happen to lie). */
export interface DjangoEntry {
  /** `DJANGO_SETTINGS_MODULE`: from the environment, or the `setdefault` in manage.py/wsgi.py/asgi.py. */
  readonly settingsModule: Value<string>;
  /** Root-relative repository path of the settings module, resolved in the container's filesystem. */
  readonly settingsFile?: string;
  /** How it was found: the env line, the setdefault line, the mount or COPY of the file. */
  readonly via: readonly Span[];
}

/** A file the view read, with what its reader reported, so the stack can record it once. */
export interface LoadedFile {
  readonly path: string;
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
}

/** Everything one container sees and runs. Built once per container, never mutated. */
export interface ContainerView {
  readonly spec: ContainerSpec;
  /** The image the container runs: `image:`, else the final stage's base of its Dockerfile. */
  readonly image?: Value<string>;
  /** Container path -> repository file or other origin (image COPY, mounts in order, rendered templates). */
  readonly filesystem: ContainerFs;
  /** The image the spec builds: its build context, and the Dockerfile and final stage's base when it was read. */
  readonly build?: ImageBuild;
  /** Undefined when nothing says what runs (then `unknowns` says why). */
  readonly process?: ContainerProcess;
  /** The main process's environment (same map as `process.environment` when there is a process). */
  readonly environment: ReadonlyMap<string, Value<string>>;
  readonly appServer?: AppServerFacts;
  readonly django?: DjangoEntry;
  /** Every repository file this view read (Dockerfile, scripts, env files, server configs). */
  readonly files: readonly LoadedFile[];
  readonly unknowns: readonly UnknownPart[];
}

export interface ImageBuild {
  /** Root-relative build context folder. */
  readonly context: string;
  readonly dockerfile?: Dockerfile;
  /** The external image the container's stage is built `FROM` (through earlier stages). */
  readonly baseImage?: Value<string>;
}

/** What building a view needs beyond its own spec. */
export interface ContainerViewContext {
  readonly ws: Workspace;
  /**
   * The content of a named volume as the first container that mounts it fills it from its image
   * (Docker copies the image's files into an empty named volume); undefined when unknown.
   */
  readonly namedVolume?: (name: string) => ContainerFs | undefined;
}
