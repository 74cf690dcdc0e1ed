import type { Comment, ParseProblem } from '../core/problem.js';
import { isJinjaDataTemplate } from '../parsers/template.js';
import type { SourceSet } from '../core/source.js';
import type { Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { parseEnvFile, type EnvFile } from '../parsers/dotenv.js';
import type { ComposeFile, ComposeService } from '../inputs/compose.js';
import { loadComposeProject, type ComposeProject, type ComposeProjectSpec } from '../inputs/compose-project.js';
import { hostSysctls, type HostSysctls } from '../inputs/sysctl.js';
import { repoPath, type ServiceImage } from '../container/filesystem.js';
import { findAppServer, gunicornProtocol, readGunicornOptions, type GunicornOptions } from '../container/gunicorn.js';
import { locateServer } from '../container/app-servers/argv.js';
import type { AppServerFacts, ContainerView, UnknownPart } from '../container/types.js';
import { buildContainerViews } from '../container/view.js';
import { buildContainerNginx, runsNginx } from '../inputs/nginx.js';
import { instructionWords } from '../parsers/dockerfile.js';
import { containerSpecOf } from './compose-spec.js';
import type { AppService, EffectiveEnv, ProxyService, ReplicaTier, ResolvedUpstream, StackReader } from './core.js';
import { buildDataTier, type DataTier } from './data-tier.js';
import { workloadOf, type Workload } from './workload.js';
import { unloadedNginxConfigs } from './unloaded-configs.js';

export type { AppService, EffectiveEnv, ProxyService, ReplicaTier } from './core.js';

/** One compose project and everything its containers load, joined into one immutable model. Rules read only this. */
export interface Stack {
  /** The project's base file (root-relative): the first compose file. */
  readonly name: string;
  readonly compose: ComposeFile;
  /** The compose project: its files in merge order, profiles, project name, how it was found. */
  readonly project: ComposeProject;
  readonly dotenv?: EnvFile;
  readonly services: readonly ComposeService[];
  /** The format-neutral workloads (one per compose service), for rules and facts that need no compose key. */
  readonly workloads: readonly Workload[];
  readonly tiers: readonly ReplicaTier[];
  readonly proxies: readonly ProxyService[];
  /** Every upstream of every nginx service, its servers resolved to services. */
  readonly upstreams: readonly ResolvedUpstream[];
  /** pgbouncer, Postgres, Redis and the Django settings the apps run with, routed. */
  readonly data: DataTier;
  /** The host's sysctl sources (shared by every stack of the repository). */
  readonly sysctls: HostSysctls;
  /** Every file the stack was built from. */
  readonly files: ReadonlySet<string>;
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
  /** What could not be known while reading (an env_file outside the folder, a remote build, ...), with its line. */
  readonly unknowns: readonly UnknownPart[];
  /** Every file read during the run, for code frames and `file:line` in messages. */
  readonly sources: SourceSet;
  /** Root-relative paths of the files in the base compose file's own folder (not below it), listed in stage 1. */
  readonly siblingFiles: readonly string[];
  service(name: string): ComposeService | undefined;
  image(service: ComposeService): ServiceImage;
  app(service: ComposeService): AppService | undefined;
  tierOf(service: ComposeService): ReplicaTier | undefined;
  env(service: ComposeService): EffectiveEnv;
  view(service: ComposeService): ContainerView | undefined;
  workload(service: ComposeService): Workload | undefined;
  /** The service a host name reaches on the compose network: service name, container_name or alias. */
  resolveHost(host: string): ComposeService | undefined;
}

const NUMBERED = /^(.*?[A-Za-z])[-_]?(\d+)$/;

/** The image side of a container view: its filesystem (image, mounts, start-up renders) and the Dockerfile it was built from. */
function imageOfView(view: ContainerView): ServiceImage {
  const b = view.build;
  return {
    fs: view.filesystem,
    ...(b ? { buildContext: b.context } : {}),
    ...(b?.dockerfile ? { dockerfile: b.dockerfile, dockerfilePath: b.dockerfile.path } : {}),
    ...(b?.baseImage?.kind === 'known' ? { baseImage: b.baseImage.value } : {}),
  };
}

/** Services in the order compose starts them: each after what it depends on, else in file order. */
function startOrder(services: readonly ComposeService[], byName: ReadonlyMap<string, ComposeService>): ComposeService[] {
  const order: ComposeService[] = [];
  const placed = new Set<string>();
  const visit = (s: ComposeService, path: Set<string>) => {
    if (placed.has(s.name) || path.has(s.name)) return;
    path.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d.name);
      if (dep) visit(dep, path);
    }
    placed.add(s.name);
    order.push(s);
  };
  for (const s of services) visit(s, new Set());
  return order;
}

/**
 * Builds a stack in two stages. Stage 1 reads every input once: the compose project, every env_file of
 * every service, each service's image and container view, its app server, nginx, the data tier's
 * files and the host's sysctl sources. Stage 2 joins them (tiers, hosts, upstreams) into a frozen
 * Stack. Nothing is read after stage 1, so which files a stack has, and their parse errors, never
 * depend on which rule asked what.
 */
export function buildStack(ws: Workspace, spec: string | ComposeProjectSpec): Stack {
  const composePath = typeof spec === 'string' ? spec : spec.files[0]!;
  const files = new Set<string>([composePath]);
  const problems: ParseProblem[] = [];
  const comments: Comment[] = [];
  // A file several services use (one env_file for every replica) is read once; its problems and
  // comments count once, or each copy of a suppression but the first would be reported as unused.
  const parsed = new Set<string>();
  const addFile = (path: string, p: readonly ParseProblem[] = [], c: readonly Comment[] = []) => {
    files.add(path);
    if ((p.length === 0 && c.length === 0) || parsed.has(path)) return;
    parsed.add(path);
    problems.push(...p);
    comments.push(...c);
  };

  // Stage 1: read.
  const project = loadComposeProject(ws, typeof spec === 'string' ? { files: [spec], origin: { kind: 'file' } } : spec);
  for (const f of project.files) addFile(f.path, f.problems, f.comments);
  problems.push(...project.problems.filter((p) => !project.files.some((f) => f.problems.includes(p))));
  const compose = project.compose;
  const dir = compose.dir;
  const services = compose.services;
  const byName = new Map(services.map((s) => [s.name, s]));

  const unknowns: UnknownPart[] = [...project.unknowns];
  const envs = new Map<string, EffectiveEnv>();
  const envGaps = new Map<string, UnknownPart>();
  for (const svc of services) {
    const before = unknowns.length;
    envs.set(svc.name, readEnv(ws, dir, svc, addFile, unknowns));
    const gap = unknowns.slice(before).find((u) => u.what === `env_file of ${svc.name}`);
    if (gap) envGaps.set(svc.name, gap);
  }
  const env = (svc: ComposeService): EffectiveEnv => envs.get(svc.name) ?? new Map();

  // Views are built in start order (depends_on first): an empty named volume holds what the image of
  // the first container that mounts it has there, so nginx sees the static files the app image fills.
  const views = new Map<string, ContainerView>();
  const started = startOrder(services, byName);
  const built = buildContainerViews(ws, started.map((svc) => containerSpecOf(svc, dir, env(svc))));
  started.forEach((svc, i) => views.set(svc.name, built[i]!));
  for (const svc of services) {
    const view = views.get(svc.name)!;
    for (const f of view.files) addFile(f.path, f.problems, f.comments);
    unknowns.push(...view.unknowns);
  }
  // What the data-tier readers and rules ask of an image, read off its container view.
  const images = new Map<string, ServiceImage>();
  for (const svc of services) images.set(svc.name, imageOfView(views.get(svc.name)!));
  const image = (svc: ComposeService) => images.get(svc.name)!;

  const apps = new Map<string, AppService>();
  for (const svc of services) {
    const app = findApp(svc, image(svc), env(svc), views.get(svc.name));
    if (app) apps.set(svc.name, app);
  }

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
  const resolveHost = (h: string) => hostIndex.get(h);

  const proxies: ProxyService[] = [];
  for (const s of services) {
    const view = views.get(s.name)!;
    if (!runsNginx(view)) continue;
    // nginx reads what its container holds: the image's files, the mounts over them, and what its
    // start scripts and the image's entrypoint render; never a file of the build folder it does not COPY.
    const nginx = buildContainerNginx(ws, view);
    for (const f of nginx.files) files.add(f.path);
    problems.push(...nginx.problems);
    comments.push(...nginx.comments);
    const img = image(s);
    proxies.push({ service: s, image: img, nginx, unloaded: unloadedNginxConfigs(ws, view, nginx) });
  }

  const reader: StackReader = {
    name: composePath, compose, services, workspace: ws,
    service: (n) => byName.get(n), image, app: (s) => apps.get(s.name), env, envIncomplete: (s) => envGaps.get(s.name), view: (s) => views.get(s.name),
    resolveHost, tierOf: (s) => tierByService.get(s.name), addFile,
  };
  const data = buildDataTier(reader);
  // Files a container loads are that container's: a sysctl script COPY'd into an image is not the host's.
  const containerFiles = new Set([...views.values()].flatMap((v) => v.filesystem.files().map((f) => f.hostPath)));
  const sysctls = hostSysctls(ws, containerFiles);
  // The sources are shared by every stack of the workspace; each stack lists them so parse errors
  // and suppressions in them work whichever stack a finding comes from.
  for (const src of sysctls.sources) addFile(src.path, src.problems, src.comments);

  // Stage 2: join.
  const upstreams = resolveUpstreams(proxies, resolveHost);
  const workloads = services.map((s) => workloadOf(s, views.get(s.name)!));
  const workloadByName = new Map(workloads.map((w) => [w.name, w]));
  const siblingFiles = ws.files().filter((f) => (dir === '' ? !f.includes('/') : f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/')));
  const stack: Stack = {
    name: composePath,
    siblingFiles,
    compose,
    project,
    ...(project.dotenv ? { dotenv: project.dotenv } : {}),
    services,
    workloads,
    tiers,
    proxies,
    upstreams,
    data,
    sysctls,
    files,
    problems,
    comments,
    unknowns,
    sources: ws.sources,
    service: (n) => byName.get(n),
    image,
    app: (s) => apps.get(s.name),
    tierOf: (s) => tierByService.get(s.name),
    env,
    view: (s) => views.get(s.name),
    workload: (s) => workloadByName.get(s.name),
    resolveHost,
  };
  return Object.freeze(stack);
}

/** A service's environment as compose hands it over: every env_file in order, then `environment:`. */
function readEnv(ws: Workspace, dir: string, svc: ComposeService, addFile: StackReader['addFile'], unknowns: UnknownPart[]): EffectiveEnv {
  const m = new Map<string, Value<string>>();
  for (const ref of svc.envFiles) {
    if (ref.path.kind !== 'known') continue;
    const p = repoPath(dir, ref.path.value);
    const f = p !== undefined ? ws.read(p) : undefined;
    if (!f) {
      const reason = p === undefined ? `${ref.path.value} is outside the checked folder and is not read` : `${ref.path.value} is not in the repository`;
      unknowns.push({ what: `env_file of ${svc.name}`, reason, span: ref.span });
      continue;
    }
    if (isJinjaDataTemplate(f.text)) {
      // A cookiecutter or Ansible template is not an env file until it is rendered: its values are unknown.
      unknowns.push({ what: `env_file of ${svc.name}`, reason: `${f.path} is a Jinja template, rendered before compose reads it`, span: ref.span });
      continue;
    }
    const r = parseEnvFile(f);
    addFile(f.path, r.problems, r.comments);
    for (const entry of r.doc?.entries ?? []) m.set(entry.key, entry.value);
  }
  for (const entry of svc.environment) m.set(entry.key, entry.value);
  return m;
}

/**
 * The app server a service runs. The container view follows the process through the image's
 * ENTRYPOINT/CMD, start scripts and supervisors and reads the server's settings from every source
 * (command line, GUNICORN_CMD_ARGS, gunicorn.conf.py); where it found a server, its facts win. The
 * command-line reading stays for what the facts do not carry (worker connections, max requests).
 */
function findApp(svc: ComposeService, img: ServiceImage, env: EffectiveEnv, view: ContainerView | undefined): AppService | undefined {
  let server = findAppServer(svc.command, svc.entrypoint);
  if (!server && !svc.command) {
    // No command in compose: the image's CMD starts the app.
    const cmd = [...(img.dockerfile?.instructions ?? [])].reverse().find((i) => i.keyword === 'CMD');
    if (cmd) {
      const { words, form } = instructionWords(cmd);
      server = findAppServer({ words, span: cmd.span, form: form === 'exec' ? 'list' : 'string' });
    }
  }
  const facts = view?.appServer;
  if (!server && facts && view?.process) {
    const located = locateServer(view.process.argv);
    server = located ? { kind: located.kind, argv: located.argv, span: located.span } : { kind: facts.kind, argv: view.process.argv, span: view.process.argvSpan };
  }
  if (!server) return undefined;
  const legacy = server.kind === 'gunicorn' ? readGunicornOptions(server, (n) => env.get(n)) : undefined;
  const gunicorn = legacy && facts?.kind === 'gunicorn' ? withFacts(legacy, facts) : legacy;
  const protocol = gunicorn ? gunicornProtocol(gunicorn) : facts?.interface.kind === 'known' ? facts.interface.value : server.kind === 'uvicorn' || server.kind === 'daphne' ? 'asgi' : undefined;
  return { service: svc, server, ...(gunicorn ? { gunicorn } : {}), ...(protocol ? { protocol } : {}), ...(facts ? { facts } : {}) };
}

/** gunicorn's options with what the app-server facts know from every settings source. */
function withFacts(o: GunicornOptions, f: AppServerFacts): GunicornOptions {
  const pick = <T>(legacy: Value<T>, fact: Value<T>): Value<T> => (fact.kind === 'known' ? fact : legacy);
  return {
    ...o,
    workers: pick(o.workers, f.processes),
    threads: pick(o.threads, f.threads),
    workerClass: pick(o.workerClass, f.workerClass),
    timeout: pick(o.timeout, f.requestTimeoutSeconds),
    keepAlive: pick(o.keepAlive, f.keepAliveSeconds),
    backlog: pick(o.backlog, f.backlog),
    bind: f.bind.kind === 'known' ? [f.bind] : o.bind,
    ...(f.application.kind === 'known' ? { app: f.application } : {}),
  };
}

function resolveUpstreams(proxies: readonly ProxyService[], resolveHost: (h: string) => ComposeService | undefined): ResolvedUpstream[] {
  return proxies.flatMap((proxy) =>
    proxy.nginx.upstreams.map((upstream) => ({
      proxy,
      upstream,
      servers: upstream.servers.map((server) => {
        const service = server.host && !server.hasVariables ? resolveHost(server.host) : undefined;
        return service ? { server, service } : { server };
      }),
    })),
  );
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
