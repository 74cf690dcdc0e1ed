import { positionAt } from '../core/source.js';
import type { Known, Span, Value } from '../core/value.js';
import type { ResolvedConfig } from '../engine/config.js';
import { whereOf } from '../engine/rule.js';
import type { ComposeService } from '../inputs/compose.js';
import { pgbouncerNumber } from '../inputs/pgbouncer.js';
import { postgresInt } from '../inputs/postgres.js';
import { redisInt, type RedisService } from '../inputs/redis.js';
import type { DataTier } from '../stack/data-tier.js';
import { capacityTerms, formatTerms, termValue, type CapacityItem, type ConcurrencyGroup } from '../facts/concurrency.js';
import { buildFacts, type StackFacts } from '../facts/index.js';
import { connectionHolders } from '../facts/connections.js';
import { workerName } from '../stack/workers.js';
import { nginxProcessLimits } from '../facts/limits.js';
import { capacityPlan, type PlanValue } from '../facts/plan.js';
import { describeTotal, type ResourceAmount, type ResourceKind, type ResourceSide } from '../facts/resources.js';
import type { Stack } from '../stack/stack.js';
import { resolvedUpstreams } from '../stack/topology.js';
import {
  CAPACITY_FORMAT_VERSION,
  type CapacityPlanReport,
  type CapacityReport,
  type FunnelStep,
  type ResourceTotal,
  type SourcedNumber,
  type StackCapacity,
  type TierCapacity,
} from './contract.js';

/** Computes the capacity report of every stack; pure: reads only the built stacks and the config. */
export function buildCapacityReport(stacks: readonly Stack[], config: ResolvedConfig, root = '.', factsOf: (s: Stack) => StackFacts = buildFacts): CapacityReport {
  const plan = planReport(config);
  return { version: CAPACITY_FORMAT_VERSION, root, plan, stacks: stacks.map((s) => stackReport(s, factsOf(s), config, plan)) };
}

function planSource(config: ResolvedConfig, v: PlanValue<number>): SourcedNumber {
  if (!v.span || !config.file) return { value: v.value, source: 'default' };
  const at = `${v.span.file}:${positionAt(config.file, v.span.start).line}`;
  return v.instance ? { value: v.value, source: at, note: `from the instance type` } : { value: v.value, source: at };
}

function planReport(config: ResolvedConfig): CapacityPlanReport {
  const p = capacityPlan(config);
  const unknownHost: SourcedNumber = { value: null, source: 'unknown', note: 'not configured' };
  return {
    targetRps: planSource(config, p.capacity.targetRps),
    latencyMs: planSource(config, p.capacity.latencyMs),
    workerMemoryBytes: planSource(config, p.capacity.workerMemory),
    host: p.host
      ? {
          instance: p.host.instance?.name ?? null,
          cpus: p.host.cpus ? planSource(config, p.host.cpus) : unknownHost,
          memoryBytes: p.host.memory ? planSource(config, p.host.memory) : unknownHost,
        }
      : null,
  };
}

/** A model value as the report cites it: `file:line` or `default`; an unknown one cites the line that makes it unknown. */
export function sourcedValue(stack: Stack, v: Value<number>): SourcedNumber {
  if (v.kind === 'unknown') return { value: null, source: whereOf(stack, v.span), note: v.reason };
  return { value: v.value, source: v.isDefault ? 'default' : whereOf(stack, v.span) };
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function stackReport(stack: Stack, facts: StackFacts, config: ResolvedConfig, plan: CapacityPlanReport): StackCapacity {
  const latencyS = (plan.latencyMs.value ?? 500) / 1000;
  const c = facts.concurrency;
  const tiers = c.groups.map((g) => tierReport(stack, g, latencyS));
  const unknownTiers = c.unknowns.map((u) => ({ service: u.service.name, reason: u.reason, source: whereOf(stack, u.span) }));
  const known = unknownTiers.length === 0;
  const rps = c.total / latencyS;
  const total = {
    concurrency: known ? c.total : null,
    rpsAtLatency: known ? round(rps) : null,
    rpsAt100ms: known ? round(c.total / 0.1) : null,
    meetsTarget: known && tiers.length > 0 && plan.targetRps.value !== null ? rps >= plan.targetRps.value : null,
  };
  return { name: stack.name, tiers, unknownTiers, total, resources: resourcesReport(stack, facts, plan), funnel: funnel(stack, facts, config) };
}

function tierReport(stack: Stack, g: ConcurrencyGroup, latencyS: number): TierCapacity {
  const wc = g.workerClass;
  return {
    name: g.name,
    services: g.services.map((s) => s.name),
    replicas: g.containers,
    workers: sourcedValue(stack, g.workers),
    workerClass: { value: wc.value, source: wc.isDefault ? 'default' : whereOf(stack, wc.span) },
    perWorker: sourcedValue(stack, g.perWorker),
    perWorkerUnit: g.unit,
    concurrency: g.concurrency,
    rpsAtLatency: round(g.concurrency / latencyS),
    rpsAt100ms: round(g.concurrency / 0.1),
  };
}

function amountSource(stack: Stack, a: ResourceAmount | undefined): SourcedNumber | null {
  return a ? sourcedValue(stack, a.value) : null;
}

function resourcesReport(stack: Stack, facts: StackFacts, plan: CapacityPlanReport): StackCapacity['resources'] {
  const services = facts.resources.map((u) => ({
    service: u.service.name,
    tier: stack.tierOf(u.service)?.name ?? null,
    count: sourcedValue(stack, u.count),
    limits: { cpus: amountSource(stack, u.limits.cpus), memoryBytes: amountSource(stack, u.limits.memory) },
    reservations: { cpus: amountSource(stack, u.reservations.cpus), memoryBytes: amountSource(stack, u.reservations.memory) },
  }));
  const total = (side: ResourceSide, kind: ResourceKind): ResourceTotal => {
    const t = facts.total(side, kind);
    const host = kind === 'cpus' ? plan.host?.cpus.value : plan.host?.memoryBytes.value;
    const value = t.unknown ? null : t.total;
    return {
      value,
      percentOfHost: value !== null && host ? round((value / host) * 100) : null,
      unset: t.missing.map((s) => s.name),
      arithmetic: t.unknown ? `unknown: ${t.unknown.reason}` : t.terms.length ? describeTotal(t) : 'no service sets a value',
    };
  };
  return {
    services,
    limits: { cpus: total('limits', 'cpus'), memoryBytes: total('limits', 'memory') },
    reservations: { cpus: total('reservations', 'cpus'), memoryBytes: total('reservations', 'memory') },
  };
}

function funnel(stack: Stack, facts: StackFacts, config: ResolvedConfig): FunnelStep[] {
  const steps: FunnelStep[] = [];
  const where = (span: Span) => whereOf(stack, span);
  const hostCpus = capacityPlan(config).host?.cpus;
  for (const proxy of stack.proxies) {
    const limits = nginxProcessLimits(proxy);
    const label = `nginx (${proxy.service.name}) worker_processes x worker_connections`;
    if (!limits) {
      steps.push({ id: 'nginx-connections', label, value: { value: null, source: 'unknown', note: 'worker_processes or worker_connections is not a number' } });
      continue;
    }
    const wc = limits.workerConnections;
    const wp = limits.workerProcesses;
    const processes = wp.value === 'auto' ? hostCpus?.value : wp.value;
    const wpAt = wp.isDefault ? 'default' : where(wp.span);
    const wpText = wp.value === 'auto' ? `auto = ${processes ?? '?'} host CPUs (${wpAt})` : `${wp.value} (${wpAt})`;
    const detail = `${wpText} x ${wc.value}; a proxied request holds 2 connections`;
    steps.push({
      id: 'nginx-connections',
      label,
      value: processes === undefined
        ? { value: null, source: 'unknown', note: 'worker_processes auto needs host.cpus in the config' }
        : { value: processes * wc.value, source: wc.isDefault ? 'default' : where(wc.span) },
      detail,
    });
  }
  for (const u of resolvedUpstreams(stack)) {
    if (!u.servers.some((s) => s.service && stack.app(s.service))) continue;
    const label = `upstream ${u.upstream.name} max_conns`;
    const unlimited = u.servers.filter((s) => !Number(s.server.params.get('max_conns') ?? 0));
    const first = u.servers[0];
    if (!first) continue;
    if (unlimited.length) {
      steps.push({ id: 'upstream-max-conns', label, value: { value: null, source: where(unlimited[0]!.server.node.directive.span), note: `no limit: ${unlimited.length} of ${u.servers.length} servers set no max_conns` } });
      continue;
    }
    const conns = u.servers.map((s) => Number(s.server.params.get('max_conns')));
    const sum = conns.reduce((a, b) => a + b, 0);
    const same = conns.every((n) => n === conns[0]);
    steps.push({
      id: 'upstream-max-conns',
      label,
      value: { value: sum, source: where(first.server.node.directive.span) },
      detail: same ? `${u.servers.length} servers x ${conns[0]}` : conns.join(' + '),
    });
  }
  const c = facts.concurrency;
  if (c.groups.length || c.unknowns.length) {
    const first = c.groups[0];
    steps.push({
      id: 'app-concurrency',
      label: 'app servers: replicas x workers x threads',
      value: c.unknowns.length
        ? { value: null, source: 'unknown', note: c.unknowns.map((u) => `${u.service.name}: ${u.reason}`).join('; ') }
        : { value: c.total, source: first ? (first.workers.isDefault ? 'default' : where(first.workers.span)) : 'computed' },
      detail: c.groups.map((g) => `${g.name} ${g.containers} x ${g.workers.value} x ${g.perWorker.value}`).join(' + '),
    });
  }
  if (c.workers.length) steps.push({ id: 'background-workers', label: 'background workers (Celery, Channels, RQ, Django-Q): containers x processes x threads', ...backgroundWorkers(stack, facts) });
  const data = stack.data;
  for (const pgb of data.pgbouncers) {
    const name = pgb.service.name;
    const reserve = pgbouncerNumber(pgb, 'reserve_pool_size');
    const maxDb = pgbouncerNumber(pgb, 'max_db_connections');
    steps.push({
      id: 'pgbouncer-clients',
      label: `pgbouncer (${name}) clients: persistent Django connections of app servers and workers`,
      ...connectionSum(stack, facts, (r) => r.route.kind === 'pgbouncer' && r.route.pgbouncer === pgb, true),
    });
    steps.push({ id: 'pgbouncer-max-client-conn', label: `pgbouncer (${name}) max_client_conn`, value: sourcedValue(stack, pgbouncerNumber(pgb, 'max_client_conn')) });
    steps.push({
      id: 'pgbouncer-pool',
      label: `pgbouncer (${name}) default_pool_size per database and user`,
      value: sourcedValue(stack, pgbouncerNumber(pgb, 'default_pool_size')),
      detail: [
        reserve.kind === 'known' ? `+ reserve_pool_size ${reserve.value}` : '',
        maxDb.kind === 'known' ? `max_db_connections ${maxDb.value === 0 ? 'unlimited' : maxDb.value}` : '',
      ].filter(Boolean).join('; '),
    });
  }
  if (data.pgbouncers.length === 0) {
    steps.push({ id: 'pgbouncer-max-client-conn', label: 'pgbouncer max_client_conn', value: { value: null, source: 'unknown', note: 'no pgbouncer service in this stack' } });
  }
  for (const pg of data.postgres) {
    const direct = connectionSum(stack, facts, (r) => r.route.kind === 'postgres' && r.route.postgres === pg, false);
    if (direct.value.value !== 0) steps.push({ id: 'postgres-clients', label: `Postgres (${pg.service.name}) clients straight from Django (no pooler): app servers and workers`, ...direct });
    steps.push({ id: 'postgres-max-connections', label: `Postgres (${pg.service.name}) max_connections`, value: sourcedValue(stack, postgresInt(pg, 'max_connections')) });
  }
  if (data.postgres.length === 0) {
    steps.push({ id: 'postgres-max-connections', label: 'Postgres max_connections', value: { value: null, source: 'unknown', note: 'no Postgres service in this stack (a managed database is not in the files)' } });
  }
  for (const redis of data.redis) {
    const name = redis.service.name;
    steps.push({ id: 'redis-maxclients', label: `Redis (${name}) maxclients`, value: sourcedValue(stack, redisInt(redis, 'maxclients')) });
    steps.push({ id: 'redis-clients', label: `Redis (${name}) clients: Django processes x requests at once`, ...redisClients(stack, facts, data, redis) });
  }
  return steps;
}

/** The background workers' concurrency: containers x pool processes x threads per worker. */
function backgroundWorkers(stack: Stack, facts: StackFacts): Pick<FunnelStep, 'value' | 'detail'> {
  const ws = facts.concurrency.workers;
  const missing = ws.flatMap((w) => [w.containers, w.processes, w.perProcess].filter((v) => v.kind === 'unknown').map((v) => ({ w, v })));
  const detail = ws.map((w) => `${w.service.name} (${workerName(w.worker)}) ${[w.containers, w.processes, w.perProcess].map((v) => (v.kind === 'known' ? v.value : '?')).join(' x ')}`).join(' + ');
  if (missing.length) {
    const { w, v } = missing[0]!;
    return { value: { value: null, source: whereOf(stack, v.span), note: `${w.service.name}: ${v.kind === 'unknown' ? v.reason : ''}` }, detail };
  }
  const total = ws.reduce((n, w) => n + [w.containers, w.processes, w.perProcess].reduce((a, v) => a * (v as Known<number>).value, 1), 0);
  return { value: { value: total, source: whereOf(stack, ws[0]!.worker.span) }, detail };
}

/** Django connections of app servers and workers to one pooler or server, as the connection rules count them. */
function connectionSum(stack: Stack, facts: StackFacts, select: Parameters<typeof connectionHolders>[1], persistentOnly: boolean): Pick<FunnelStep, 'value' | 'detail'> {
  const h = connectionHolders({ stack, facts }, select, persistentOnly);
  if (h.silent) return { value: { value: null, source: 'unknown', note: 'an app server\'s concurrency or a CONN_MAX_AGE is unknown' } };
  if (h.items.length === 0 && h.unknownWorkers.length === 0) return { value: { value: 0, source: 'computed' }, detail: 'no Django alias connects here' + (persistentOnly ? ' with CONN_MAX_AGE above 0' : '') };
  const terms = capacityTerms(h.items);
  const detail = formatTerms(terms);
  if (h.unknownWorkers.length) return { value: { value: null, source: 'unknown', note: `not counted: ${h.unknownWorkers.map((u) => u.what).join('; ')}` }, detail };
  const first = h.starts.get(terms[0]!.services[0]!)!;
  return { value: { value: terms.reduce((n, t) => n + termValue(t), 0), source: whereOf(stack, first.span) }, detail };
}

/**
 * Connections the Django apps open to one Redis at full load: every request in flight may hold one, so
 * processes x requests per process for each app that caches in it (the redis-client-capacity rule
 * also weighs the pools' max_connections).
 */
function redisClients(stack: Stack, facts: StackFacts, data: DataTier, redis: RedisService): Pick<FunnelStep, 'value' | 'detail'> {
  const services = [...new Set(data.redisUses.filter((u) => u.redis === redis && u.use.kind === 'cache').map((u) => u.use.app.service))];
  if (services.length === 0) return { value: { value: null, source: 'unknown', note: 'no Django cache points at this Redis' } };
  const items: CapacityItem[] = [];
  for (const service of services) {
    const c = facts.concurrency.of(service);
    const missing = c ? [c.processes, c.perProcess, c.containers].find((v) => v.kind === 'unknown') : undefined;
    if (!c || missing?.kind === 'unknown') return { value: { value: null, source: 'unknown', note: missing?.kind === 'unknown' ? missing.reason : `${service.name} runs no app server` } };
    items.push({ service, containers: (c.containers as Known<number>).value, factors: [{ value: (c.processes as Known<number>).value, unit: 'workers' }, { value: (c.perProcess as Known<number>).value, unit: c.perProcessUnit }] });
  }
  // Background workers load the same CACHES: each pool process or thread may hold one connection.
  for (const service of new Set(data.workerRedisUses.filter((u) => u.redis === redis && u.use.kind === 'cache').map((u) => u.use.app.service))) {
    for (const w of facts.concurrency.workersOf(service)) {
      const missing = [w.containers, w.processes, w.perProcess].find((v) => v.kind === 'unknown');
      if (missing?.kind === 'unknown') return { value: { value: null, source: whereOf(stack, missing.span), note: `${service.name} (${workerName(w.worker)}): ${missing.reason}` } };
      items.push({ service, containers: (w.containers as Known<number>).value, factors: [{ value: (w.processes as Known<number>).value, unit: 'processes' }, { value: (w.perProcess as Known<number>).value, unit: w.perProcessUnit }] });
    }
  }
  const terms = capacityTerms(items);
  const first = stack.app(services[0]!)!;
  return { value: { value: terms.reduce((n, t) => n + termValue(t), 0), source: whereOf(stack, first.server.span) }, detail: formatTerms(terms) };
}
