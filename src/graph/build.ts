import type { ComposeService } from '../inputs/compose.js';
import type { Stack } from '../stack/stack.js';
import { isExternalHost, passTargets, resolvedUpstreams } from '../stack/topology.js';

export type GraphNodeKind = 'proxy' | 'upstream' | 'app' | 'tier' | 'pgbouncer' | 'postgres' | 'redis' | 'service' | 'missing';

export interface GraphNode {
  readonly id: string;
  readonly kind: GraphNodeKind;
  readonly label: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  /** A link the files break (an upstream missing replicas of its tier, or naming a host no service answers to). */
  readonly broken?: boolean;
}

/** The stack as a picture: who sends requests or connections to whom, read from the same model the rules use. */
export interface StackGraph {
  readonly stack: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export function stackGraph(stack: Stack): StackGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  // One arrow per pair of nodes; the labels of parallel links (locations, aliases) are joined.
  const addEdge = (e: GraphEdge) => {
    if (e.from === e.to) return;
    const i = edges.findIndex((x) => x.from === e.from && x.to === e.to);
    if (i < 0) {
      edges.push(e);
      return;
    }
    const prev = edges[i]!;
    const labels = [prev.label, e.label].filter((l): l is string => l !== undefined && l !== '');
    edges[i] = { ...prev, label: [...new Set(labels.join(', ').split(', '))].join(', '), broken: prev.broken || e.broken };
  };
  const data = stack.data;
  const kindOf = (s: ComposeService): GraphNodeKind => {
    if (stack.proxies.some((p) => p.service === s)) return 'proxy';
    if (data.pgbouncers.some((p) => p.service === s)) return 'pgbouncer';
    if (data.postgres.some((p) => p.service === s)) return 'postgres';
    if (data.redis.some((r) => r.service === s)) return 'redis';
    return stack.app(s) ? 'app' : 'service';
  };
  /** A replica tier is drawn once; other services stand for themselves. */
  const nodeOf = (s: ComposeService): string => {
    const tier = stack.tierOf(s);
    if (tier && tier.replicas.length > 1) {
      const id = `tier_${slug(tier.name)}`;
      if (!nodes.has(id)) {
        const g = stack.app(tier.replicas[0]!)?.gunicorn;
        const shape = g && g.workers.kind === 'known' && g.threads.kind === 'known' ? `, ${g.workers.value} workers x ${g.threads.value} threads` : '';
        nodes.set(id, { id, kind: 'tier', label: `${tier.name} x${tier.replicas.length}${shape}` });
      }
      return id;
    }
    const id = `svc_${slug(s.name)}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: kindOf(s), label: s.name });
    return id;
  };

  for (const s of stack.services) if (kindOf(s) !== 'service') nodeOf(s);
  for (const u of resolvedUpstreams(stack)) {
    const id = `up_${slug(u.proxy.service.name)}_${slug(u.upstream.name)}`;
    nodes.set(id, { id, kind: 'upstream', label: `upstream ${u.upstream.name}` });
    const byTarget = new Map<string, ComposeService[]>();
    for (const s of u.servers) {
      if (!s.service) {
        // A mistyped server (`wbe-2`) is drawn, as a dead end in red: leaving it out would hide the break.
        const host = s.server.host;
        if (host === undefined || s.server.hasVariables || isExternalHost(host)) continue;
        const missing = `missing_${slug(host)}`;
        if (!nodes.has(missing)) nodes.set(missing, { id: missing, kind: 'missing', label: `${host}:${s.server.port} (no such service)` });
        addEdge({ from: id, to: missing, broken: true });
        continue;
      }
      const target = nodeOf(s.service);
      byTarget.set(target, [...(byTarget.get(target) ?? []), s.service]);
    }
    for (const [target, services] of byTarget) {
      const tier = stack.tierOf(services[0]!);
      const listed = new Set(services.map((x) => x.name)).size;
      const total = tier && target.startsWith('tier_') ? tier.replicas.length : listed;
      const edge: GraphEdge = { from: id, to: target, broken: listed < total && listed >= 2 };
      addEdge(total > 1 ? { ...edge, label: `${listed} of ${total}` } : edge);
    }
  }
  for (const proxy of stack.proxies) {
    const from = nodeOf(proxy.service);
    for (const loc of proxy.nginx.locations) {
      const pass = loc.proxyPass;
      if (!pass) continue;
      const label = loc.node.directive.args.map((a) => a.value).join(' ');
      if (pass.upstream) addEdge({ from, to: `up_${slug(proxy.service.name)}_${slug(pass.upstream.name)}`, label });
      else for (const t of passTargets(stack, pass)) addEdge({ from, to: nodeOf(t), label });
    }
  }
  for (const { db, route } of data.databases) {
    const from = nodeOf(db.app.service);
    if (route.kind === 'pgbouncer') addEdge({ from, to: nodeOf(route.pgbouncer.service), label: `DATABASES ${db.alias}` });
    else if (route.kind === 'postgres') addEdge({ from, to: nodeOf(route.postgres.service), label: `DATABASES ${db.alias}` });
  }
  for (const pgb of data.pgbouncers) {
    for (const pg of data.postgres) {
      if (pgb.databases.some((d) => data.backendOf(pgb, d) === pg)) addEdge({ from: nodeOf(pgb.service), to: nodeOf(pg.service) });
    }
  }
  for (const { use, redis } of data.redisUses) {
    if (redis) addEdge({ from: nodeOf(use.app.service), to: nodeOf(redis.service), label: use.kind === 'cache' ? 'cache' : 'channels' });
  }
  return { stack: stack.name, nodes: [...nodes.values()], edges };
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}
