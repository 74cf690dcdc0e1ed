import { known, unknown, type Known, type Span, type Value } from '../core/value.js';
import { kernelDefault } from '../reference/sysctl-profile.js';
import type { ComposeService } from '../inputs/compose.js';
import { redisInt } from '../inputs/redis.js';
import { hostSysctls } from '../inputs/sysctl.js';
import type { NginxNode } from '../inputs/nginx.js';
import type { ProxyService, Stack } from '../stack/stack.js';

/**
 * The value of a sysctl inside one container. Network (and IPC) sysctls exist once per namespace:
 * a container on a compose network starts from the kernel's default and sees only what its own
 * `sysctls:` set; the host's value applies only with `network_mode: host`.
 */
export interface ContainerSysctl {
  readonly key: string;
  readonly value: Value<number>;
  readonly origin: 'compose' | 'host' | 'kernel-default';
  /** For messages: `net.core.somaxconn 4096 (the kernel default since Linux 5.4; 128 before)`. */
  readonly description: string;
}

export function containerSysctl(stack: Stack, svc: ComposeService, key: string): ContainerSysctl {
  const set = [...svc.sysctls].reverse().find((s) => s.key === key || s.key.replace(/\//g, '.') === key);
  if (set) {
    const v = set.value;
    const n = v.kind === 'known' && /^\s*\d+\s*$/.test(v.value) ? known(Number(v.value), v.span) : v.kind === 'known' ? unknown(`${key} is not a number: "${v.value}"`, v.span) : v;
    return { key, value: n, origin: 'compose', description: n.kind === 'known' ? `${key} ${n.value}` : `${key} (unknown)` };
  }
  const def = kernelDefault(key);
  if (hostNetwork(svc)) {
    const host = stack.sysctls.get(key);
    const n = host ? Number(host.effective.value.value) : NaN;
    if (host && Number.isFinite(n)) return { key, value: known(n, host.effective.value.span), origin: 'host', description: `${key} ${n} (the host's, network_mode: host)` };
    if (def?.value !== undefined) return { key, value: known(def.value, svc.nameSpan, { isDefault: true }), origin: 'kernel-default', description: `${key} ${def.description}` };
    return { key, value: unknown(`the host's ${key} is not set by any file`, svc.nameSpan), origin: 'kernel-default', description: `${key} (unknown)` };
  }
  if (def?.value !== undefined) {
    return { key, value: known(def.value, svc.nameSpan, { isDefault: true }), origin: 'kernel-default', description: `${key} ${def.description}` };
  }
  return { key, value: unknown(`${key} has no fixed kernel default`, svc.nameSpan), origin: 'kernel-default', description: `${key} (unknown)` };
}

export function hostNetwork(svc: ComposeService): boolean {
  return svc.settings.get('network_mode')?.data === 'host';
}

/** A listen queue a program asks the kernel for. */
export interface ListenBacklog {
  readonly program: 'gunicorn' | 'redis' | 'nginx';
  /** The option as a user writes it: `--backlog`, `--tcp-backlog`, `listen ... backlog=`. */
  readonly option: string;
  readonly value: Value<number>;
  /** For nginx, the listen directive. */
  readonly listen?: NginxNode;
}

/** nginx's listen backlog when not given: 511 on Linux (https://nginx.org/en/docs/http/ngx_http_core_module.html#listen). */
export const NGINX_DEFAULT_BACKLOG = 511;

/** Every listen backlog of a service: gunicorn's, redis-server's, and each nginx `listen`. */
export function listenBacklogs(stack: Stack, svc: ComposeService): ListenBacklog[] {
  const out: ListenBacklog[] = [];
  const app = stack.app(svc);
  if (app?.gunicorn) out.push({ program: 'gunicorn', option: '--backlog', value: app.gunicorn.backlog });
  const redis = stack.data.redis.find((r) => r.service === svc);
  if (redis) out.push({ program: 'redis', option: '--tcp-backlog', value: redisInt(redis, 'tcp-backlog') });
  const proxy = stack.proxies.find((p) => p.service === svc);
  if (proxy) {
    for (const n of allNodes(proxy)) {
      if (n.directive.name !== 'listen' || n.context !== 'server') continue;
      const arg = n.directive.args.find((a) => a.value.startsWith('backlog='));
      const value = arg
        ? toNumber(known(arg.value.slice('backlog='.length), arg.span), 'backlog')
        : known(NGINX_DEFAULT_BACKLOG, n.directive.span, { isDefault: true });
      out.push({ program: 'nginx', option: 'listen ... backlog=', value, listen: n });
    }
  }
  return out;
}

function toNumber(v: Value<string>, name: string): Value<number> {
  if (v.kind === 'unknown') return v;
  return /^\s*\d+\s*$/.test(v.value) ? { ...v, value: Number(v.value) } : unknown(`${name} is not a number: "${v.value}"`, v.span);
}

function allNodes(proxy: ProxyService): NginxNode[] {
  const out: NginxNode[] = [];
  const visit = (n: NginxNode) => {
    out.push(n);
    n.children.forEach(visit);
  };
  proxy.nginx.roots.forEach(visit);
  return out;
}

/** nginx's process and descriptor settings, with the defaults that apply when they are absent. */
export interface NginxProcessLimits {
  /** A number, or `auto` (one per CPU the host has: nginx counts online CPUs, not the container's CPU quota). */
  readonly workerProcesses: Known<number | 'auto'>;
  readonly workerConnections: Known<number>;
  readonly workerRlimitNofile?: Known<number>;
  /** Where a missing main-context directive would be added. */
  readonly mainSpan: Span;
}

/**
 * Reads worker_processes, worker_connections and worker_rlimit_nofile. Without an nginx.conf in the
 * repository the official image's applies (`worker_processes auto; worker_connections 1024;`);
 * otherwise nginx's built-in defaults (1 and 512, https://nginx.org/en/docs/ngx_core_module.html).
 */
export function nginxProcessLimits(proxy: ProxyService): NginxProcessLimits | undefined {
  const mains = proxy.nginx.roots.filter((n) => n.context === 'main');
  const mainFile = proxy.nginx.files.find((f) => f.role === 'main');
  const mainSpan = mains[0]?.directive.span ?? (mainFile ? { file: mainFile.path, start: 0, end: 0 } : proxy.service.nameSpan);
  const direct = (name: string) => [...mains].reverse().find((n) => n.directive.name === name);
  const events = mains.find((n) => n.directive.name === 'events');
  const wcNode = events ? [...events.children].reverse().find((n) => n.directive.name === 'worker_connections') : undefined;
  const image = proxy.nginx.implicitMain;
  const defaultSpan = events?.directive.span ?? mainSpan;

  const wpNode = direct('worker_processes');
  const wpArg = wpNode?.directive.args[0];
  let workerProcesses: Known<number | 'auto'>;
  if (wpArg) {
    const n = Number(wpArg.value);
    if (wpArg.value === 'auto') workerProcesses = known('auto', wpArg.span);
    else if (Number.isInteger(n) && n > 0) workerProcesses = known(n, wpArg.span);
    else return undefined;
  } else workerProcesses = known(image ? 'auto' : 1, mainSpan, { isDefault: true });

  const wcArg = wcNode?.directive.args[0];
  let workerConnections: Known<number>;
  if (wcArg) {
    const n = Number(wcArg.value);
    if (!Number.isInteger(n) || n <= 0) return undefined;
    workerConnections = known(n, wcArg.span);
  } else workerConnections = known(image ? 1024 : 512, defaultSpan, { isDefault: true });

  const rlArg = direct('worker_rlimit_nofile')?.directive.args[0];
  const rl = rlArg && /^\d+$/.test(rlArg.value) ? known(Number(rlArg.value), rlArg.span) : undefined;
  return { workerProcesses, workerConnections, ...(rl ? { workerRlimitNofile: rl } : {}), mainSpan };
}

/** A service's `ulimits: nofile` (soft and hard); undefined when compose leaves it to the Docker daemon. */
export function nofileUlimit(svc: ComposeService): { soft?: Value<number>; hard?: Value<number>; span: Span } | undefined {
  const u = [...svc.ulimits].reverse().find((x) => x.name === 'nofile');
  return u ? { ...(u.soft ? { soft: u.soft } : {}), ...(u.hard ? { hard: u.hard } : {}), span: u.span } : undefined;
}
