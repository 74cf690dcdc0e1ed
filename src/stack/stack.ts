import type { Comment, ParseProblem } from '../core/problem.js';
import type { Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseEnvFile, type EnvFile } from '../parsers/dotenv.js';
import type { ComposeFile, ComposeService } from '../inputs/compose.js';
import { loadComposeProject, type ComposeProject, type ComposeProjectSpec } from '../inputs/compose-project.js';
import { repoPath, serviceImage, type ServiceImage } from '../container/filesystem.js';
import { findAppServer, gunicornProtocol, readGunicornOptions, type AppServerCommand, type GunicornOptions } from '../container/gunicorn.js';
import { buildNginxModel, type NginxModel } from '../inputs/nginx.js';
import { instructionWords } from '../parsers/dockerfile.js';
import { STACK_EXTENSIONS } from './extensions.js';

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
}

export interface ProxyService {
  readonly service: ComposeService;
  readonly image: ServiceImage;
  readonly nginx: NginxModel;
}

/** The environment a container sees: env_file entries, overridden by `environment:`. */
export type EffectiveEnv = ReadonlyMap<string, Value<string>>;

/** One compose file and everything it pulls in, joined into one model. Rules read only this. */
export interface Stack {
  /** The compose file's root-relative path. */
  readonly name: string;
  readonly compose: ComposeFile;
  /** The compose project: its files in merge order, profiles, project name, how it was found. */
  readonly project: ComposeProject;
  readonly dotenv?: EnvFile;
  readonly services: readonly ComposeService[];
  readonly tiers: readonly ReplicaTier[];
  readonly proxies: readonly ProxyService[];
  /** Every file the stack was built from. */
  readonly files: ReadonlySet<string>;
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
  service(name: string): ComposeService | undefined;
  image(service: ComposeService): ServiceImage;
  app(service: ComposeService): AppService | undefined;
  tierOf(service: ComposeService): ReplicaTier | undefined;
  env(service: ComposeService): EffectiveEnv;
  /** The service a host name reaches on the compose network: service name, container_name or alias. */
  resolveHost(host: string): ComposeService | undefined;
  /** Records that a file belongs to the stack (data-tier and host-tier readers call this). */
  addFile(path: string, problems?: readonly ParseProblem[], comments?: readonly Comment[]): void;
  readonly workspace: Workspace;
  /** Per-stack memo for derived indexes, so two rules never compute the same join twice. */
  memo<T>(key: string, build: () => T): T;
}

const NGINX_IMAGE = /nginx|openresty/i;
const PROXY_NAME = /nginx|proxy|gateway/i;
const NUMBERED = /^(.*?[A-Za-z])[-_]?(\d+)$/;

export function buildStack(ws: Workspace, spec: string | ComposeProjectSpec): Stack {
  const composePath = typeof spec === 'string' ? spec : spec.files[0]!;
  const files = new Set<string>([composePath]);
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  // A file several services use (one env_file for every replica) is parsed once per use; its problems
  // and comments count once, or each copy of a suppression but the first would be reported as unused.
  const parsed = new Set<string>();
  const addFile = (path: string, p: readonly ParseProblem[] = [], c: readonly Comment[] = []) => {
    files.add(path);
    if ((p.length === 0 && c.length === 0) || parsed.has(path)) return;
    parsed.add(path);
    problems.push(...p);
    comments.push(...c);
  };

  const project = loadComposeProject(ws, typeof spec === 'string' ? { files: [spec], origin: { kind: 'file' } } : spec);
  for (const f of project.files) addFile(f.path, f.problems, f.comments);
  problems.push(...project.compose.problems);
  // Problems of the project's own (include/extends), beyond its files' YAML errors and the reader's.
  problems.push(...project.problems.filter((p) => !project.compose.problems.includes(p) && !project.files.some((f) => f.problems.includes(p))));
  const compose = project.compose;
  const dotenv = project.dotenv;
  const dir = compose.dir;
  const services = compose.services;
  const byName = new Map(services.map((s) => [s.name, s]));

  const images = new Map<string, ServiceImage>();
  const image = (svc: ComposeService) => {
    let img = images.get(svc.name);
    if (!img) {
      img = serviceImage(ws, dir, svc);
      images.set(svc.name, img);
      if (img.dockerfilePath && ws.exists(img.dockerfilePath)) files.add(img.dockerfilePath);
    }
    return img;
  };

  const envs = new Map<string, EffectiveEnv>();
  const env = (svc: ComposeService): EffectiveEnv => {
    let e = envs.get(svc.name);
    if (e) return e;
    const m = new Map<string, Value<string>>();
    for (const ref of svc.envFiles) {
      if (ref.path.kind !== 'known') continue;
      const p = repoPath(dir, ref.path.value);
      const f = p !== undefined ? ws.read(p) : undefined;
      if (!f) continue;
      const r = parseEnvFile(f);
      addFile(f.path, r.problems, r.comments);
      for (const entry of r.doc?.entries ?? []) m.set(entry.key, entry.value);
    }
    for (const entry of svc.environment) m.set(entry.key, entry.value);
    e = m;
    envs.set(svc.name, e);
    return e;
  };

  const apps = new Map<string, AppService | null>();
  const app = (svc: ComposeService): AppService | undefined => {
    if (apps.has(svc.name)) return apps.get(svc.name) ?? undefined;
    let server = findAppServer(svc.command, svc.entrypoint);
    if (!server && !svc.command) {
      // No command in compose: the image's CMD starts the app.
      const img = image(svc);
      const cmd = [...(img.dockerfile?.instructions ?? [])].reverse().find((i) => i.keyword === 'CMD');
      if (cmd) {
        const { words, form } = instructionWords(cmd);
        server = findAppServer({ words, span: cmd.span, form: form === 'exec' ? 'list' : 'string' });
      }
    }
    let out: AppService | undefined;
    if (server) {
      const e = env(svc);
      const gunicorn = server.kind === 'gunicorn' ? readGunicornOptions(server, (n) => e.get(n)) : undefined;
      const protocol = gunicorn ? gunicornProtocol(gunicorn) : server.kind === 'uvicorn' || server.kind === 'daphne' ? 'asgi' : undefined;
      out = { service: svc, server, ...(gunicorn ? { gunicorn } : {}), ...(protocol ? { protocol } : {}) };
    }
    apps.set(svc.name, out ?? null);
    return out;
  };

  const tiers = findTiers(services);
  const tierByService = new Map<string, ReplicaTier>();
  for (const t of tiers) for (const r of t.replicas) tierByService.set(r.name, t);

  const hostIndex = new Map<string, ComposeService>();
  for (const s of services) {
    for (const v of [s.containerName, s.hostname, ...s.networks.flatMap((n) => n.aliases)]) {
      if (v?.kind === 'known' && !hostIndex.has(v.value)) hostIndex.set(v.value, s);
    }
  }
  for (const s of services) hostIndex.set(s.name, s);

  const proxies: ProxyService[] = [];
  for (const s of services) {
    const img = image(s);
    const imageName = s.image?.kind === 'known' ? s.image.value : '';
    const extra = img.buildContext !== undefined ? ws.filesUnder(img.buildContext).filter((f) => /\.(conf|template|tpl)$/.test(f)) : [];
    // Without a readable Dockerfile, a service called nginx/proxy built from a folder of nginx files is the proxy.
    const isNginx = NGINX_IMAGE.test(imageName) || NGINX_IMAGE.test(img.baseImage ?? '') || s.volumes.some((v) => v.target.startsWith('/etc/nginx'))
      || (!img.baseImage && PROXY_NAME.test(s.name) && extra.length > 0);
    if (!isNginx) continue;
    const nginx = buildNginxModel(ws, img.fs, extra);
    for (const f of nginx.files) files.add(f.path);
    problems.push(...nginx.problems);
    comments.push(...nginx.comments);
    proxies.push({ service: s, image: img, nginx });
  }

  const memos = new Map<string, unknown>();
  const stack: Stack = {
    name: composePath,
    compose,
    project,
    ...(dotenv ? { dotenv } : {}),
    services,
    tiers,
    proxies,
    files,
    problems,
    comments,
    service: (n) => byName.get(n),
    image,
    app,
    tierOf: (s) => tierByService.get(s.name),
    env,
    resolveHost: (h) => hostIndex.get(h),
    addFile,
    workspace: ws,
    memo<T>(key: string, build: () => T): T {
      if (!memos.has(key)) memos.set(key, build());
      return memos.get(key) as T;
    },
  };
  for (const extend of STACK_EXTENSIONS) extend(stack);
  return stack;
}

/**
 * Replica tiers: services named `<base>-<N>` (at least two of them), then services that share build,
 * image and command. The seed's web-1..web-15 are the first kind.
 */
export function findTiers(services: readonly ComposeService[]): ReplicaTier[] {
  const tiers: ReplicaTier[] = [];
  const used = new Set<string>();
  const numbered = new Map<string, ComposeService[]>();
  for (const s of services) {
    const m = NUMBERED.exec(s.name);
    if (!m) continue;
    const list = numbered.get(m[1]!) ?? [];
    list.push(s);
    numbered.set(m[1]!, list);
  }
  for (const [base, list] of numbered) {
    if (list.length < 2) continue;
    list.sort((a, b) => Number(NUMBERED.exec(a.name)![2]) - Number(NUMBERED.exec(b.name)![2]));
    tiers.push({ name: base.replace(/[-_]$/, ''), replicas: list, numbered: true });
    list.forEach((s) => used.add(s.name));
  }
  const shared = new Map<string, ComposeService[]>();
  for (const s of services) {
    if (used.has(s.name) || !s.settings.has('command')) continue;
    const key = JSON.stringify(['build', 'image', 'command', 'entrypoint'].map((k) => s.settings.get(k)?.data ?? null));
    const list = shared.get(key) ?? [];
    list.push(s);
    shared.set(key, list);
  }
  for (const list of shared.values()) {
    if (list.length >= 2) tiers.push({ name: list[0]!.name, replicas: list, numbered: false });
  }
  return tiers;
}
