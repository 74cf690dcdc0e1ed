import { isKnown, type Known, type Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import { bindPort } from '../container/gunicorn.js';
import type { NginxModel, ProxyPass, Upstream, UpstreamServer } from '../inputs/nginx.js';
import type { AppService, ReplicaTier, ResolvedUpstream } from './core.js';
import type { Stack } from './stack.js';

export type { ResolvedUpstream, ResolvedUpstreamServer } from './core.js';

/** Every upstream of every nginx service with its servers resolved to services (joined when the stack is built). */
export function resolvedUpstreams(stack: Stack): readonly ResolvedUpstream[] {
  return stack.upstreams;
}

/** The services a proxy_pass reaches: an upstream's servers, or the service named directly. */
export function passTargets(stack: Stack, pass: ProxyPass): ComposeService[] {
  if (pass.upstream) {
    const r = resolvedUpstreams(stack).find((u) => u.upstream === pass.upstream);
    return (r?.servers ?? []).flatMap((s) => (s.service ? [s.service] : []));
  }
  const svc = pass.host ? stack.resolveHost(pass.host) : undefined;
  return svc ? [svc] : [];
}

/** Host names nginx can reach without a compose service behind them. */
export function isExternalHost(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || host === 'localhost' || host.includes('.') || host === '_';
}

export interface ListenPort {
  readonly port: number;
  readonly span: Span;
  readonly isDefault: boolean;
}

/** TCP ports the app server in a service listens on, when its command says so. */
export function listenPorts(app: AppService): ListenPort[] | undefined {
  if (app.gunicorn) {
    const out: ListenPort[] = [];
    for (const b of app.gunicorn.bind) {
      if (!isKnown(b)) return undefined;
      const port = bindPort(b);
      if (port !== undefined) out.push({ port, span: b.span, isDefault: b.isDefault === true });
    }
    return out;
  }
  const words = app.server.argv.map((w) => w.value);
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!isKnown(w)) continue;
    const m = /^(?:--port|-p)(?:=(\d+))?$/.exec(w.value);
    if (!m) continue;
    const v = m[1] !== undefined ? w : words[i + 1];
    if (!v || !isKnown(v)) return undefined;
    const port = Number(m[1] ?? v.value);
    return Number.isInteger(port) ? [{ port, span: v.span, isDefault: false }] : undefined;
  }
  // uvicorn and daphne listen on 8000 unless told otherwise.
  return app.server.kind === 'uwsgi' ? undefined : [{ port: 8000, span: app.server.span, isDefault: true }];
}

/** The replica number of a numbered tier member (`web-12` -> 12). */
export function replicaNumber(svc: ComposeService): string | undefined {
  return /(\d+)$/.exec(svc.name)?.[1];
}

/**
 * Replaces a replica's own identity in a string (its service name, and its number where it stands alone)
 * with placeholders, so `CONTAINER_NAME=web-7` in web-7 and `CONTAINER_NAME=web-8` in web-8 compare equal.
 */
export function normalizeIdentity(svc: ComposeService, tier: ReplicaTier, data: unknown): unknown {
  return identityNormalizer(svc, tier)(data);
}

/** normalizeIdentity for one replica, its pattern made once for all of the replica's values. */
export function identityNormalizer(svc: ComposeService, tier: ReplicaTier): (data: unknown) => unknown {
  const n = tier.numbered ? replicaNumber(svc) : undefined;
  // Only a number glued to a name counts (`arena-web-7`, `worker7`); `--workers 7` or `'7.0'` is configuration.
  // Made when a value first contains the number.
  let number: RegExp | undefined;
  const swap = (s: string) => {
    const out = s.includes(svc.name) ? s.split(svc.name).join('{name}') : s;
    if (n === undefined || !out.includes(n)) return out;
    number ??= new RegExp(`(?<=[A-Za-z_-])${n}(?![\\d.])`, 'g');
    return out.replace(number, '{n}');
  };
  // A value without the replica's name or number is returned as it is (not copied): callers only
  // serialise the result, and a copy of an unchanged value serialises the same.
  const walk = (d: unknown): unknown => {
    if (typeof d === 'string') return swap(d);
    if (Array.isArray(d)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < d.length; i++) {
        const w = walk(d[i]);
        if (out === undefined && w !== d[i]) out = d.slice(0, i);
        out?.push(w);
      }
      return out ?? d;
    }
    if (d && typeof d === 'object') {
      const entries = Object.entries(d);
      let changed = false;
      const swapped = entries.map(([k, v]) => {
        const k2 = swap(k);
        const v2 = walk(v);
        if (k2 !== k || v2 !== v) changed = true;
        return [k2, v2] as const;
      });
      return changed ? Object.fromEntries(swapped) : d;
    }
    return d;
  };
  return walk;
}

export function hasIdentityPlaceholder(data: unknown): boolean {
  return JSON.stringify(data ?? null).includes('{name}') || JSON.stringify(data ?? null).includes('{n}');
}

/** Names a list of replicas compactly: `web-11, web-12 and web-13`. */
export function listNames(names: readonly string[], max = 6): string {
  if (names.length <= 1) return names.join('');
  const shown = names.length > max ? [...names.slice(0, max - 1), `${names.length - max + 1} more`] : [...names];
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export function nginxModels(stack: Stack): NginxModel[] {
  return stack.proxies.map((p) => p.nginx);
}

export type { Known };
