/*
 * The JSON form of `arena-lint capacity --format json`: a stable contract, documented in
 * json-contract.md. Add fields only; a change to a field's meaning bumps CAPACITY_FORMAT_VERSION.
 */

export const CAPACITY_FORMAT_VERSION = 1;

/**
 * A number and where it comes from. `source` is `file:line` (root-relative, the line to edit),
 * `default` (the program's or arena-lint's documented default), `computed` (arithmetic over other
 * sourced numbers, see `note`) or `unknown` (then `value` is null and `note` says why).
 */
export interface SourcedNumber {
  readonly value: number | null;
  readonly source: string;
  readonly note?: string;
}

export interface SourcedText {
  readonly value: string | null;
  readonly source: string;
  readonly note?: string;
}

export interface CapacityReport {
  readonly version: typeof CAPACITY_FORMAT_VERSION;
  /** The checked directory as given on the command line. */
  readonly root: string;
  readonly plan: CapacityPlanReport;
  readonly stacks: readonly StackCapacity[];
}

export interface CapacityPlanReport {
  readonly targetRps: SourcedNumber;
  readonly latencyMs: SourcedNumber;
  readonly workerMemoryBytes: SourcedNumber;
  /** Null without `host:` in the config. */
  readonly host: HostReport | null;
}

export interface HostReport {
  /** Canonical instance name (`aws/c5.12xlarge`) when `host.instance` is given. */
  readonly instance: string | null;
  readonly cpus: SourcedNumber;
  readonly memoryBytes: SourcedNumber;
}

export interface StackCapacity {
  /** The compose file, root-relative. */
  readonly name: string;
  readonly tiers: readonly TierCapacity[];
  /** App servers whose concurrency cannot be known (ASGI workers, a gunicorn config file, ...). */
  readonly unknownTiers: ReadonlyArray<{ readonly service: string; readonly reason: string; readonly source: string }>;
  readonly total: CapacityTotal;
  readonly resources: ResourcesReport;
  readonly funnel: readonly FunnelStep[];
}

/** Replicas of one tier running the same workers x threads (the seed's "15 x 8 x 4"). */
export interface TierCapacity {
  /** `web` for a whole tier, `web-11..web-15` for part of one, else the service name. */
  readonly name: string;
  readonly services: readonly string[];
  /** Containers, `deploy.replicas` counted. */
  readonly replicas: number;
  readonly workers: SourcedNumber;
  readonly workerClass: SourcedText;
  /** Requests one worker serves at once: threads (sync 1, gthread --threads) or worker_connections (gevent, eventlet). */
  readonly perWorker: SourcedNumber;
  readonly perWorkerUnit: 'threads' | 'worker_connections';
  /** replicas x workers x perWorker. */
  readonly concurrency: number;
  /** concurrency / (latencyMs / 1000). */
  readonly rpsAtLatency: number;
  /** concurrency / 0.1 s. */
  readonly rpsAt100ms: number;
}

export interface CapacityTotal {
  /** Null when any app server's concurrency is unknown. */
  readonly concurrency: number | null;
  readonly rpsAtLatency: number | null;
  readonly rpsAt100ms: number | null;
  /** rpsAtLatency >= targetRps; null when unknown or the stack runs no app server. */
  readonly meetsTarget: boolean | null;
}

export interface ResourcesReport {
  readonly services: readonly ServiceResources[];
  readonly limits: ResourceTotals;
  readonly reservations: ResourceTotals;
}

export interface ServiceResources {
  readonly service: string;
  /** The replica tier (`web` for web-1..web-N) the service belongs to, else null. */
  readonly tier: string | null;
  /** Containers: `deploy.replicas`, else 1 (source `default`). */
  readonly count: SourcedNumber;
  /** Per container; null when the service sets no value. */
  readonly limits: { readonly cpus: SourcedNumber | null; readonly memoryBytes: SourcedNumber | null };
  readonly reservations: { readonly cpus: SourcedNumber | null; readonly memoryBytes: SourcedNumber | null };
}

export interface ResourceTotals {
  readonly cpus: ResourceTotal;
  readonly memoryBytes: ResourceTotal;
}

export interface ResourceTotal {
  /** Sum over services, count x value; null when a count or value is unknown. */
  readonly value: number | null;
  /** value / host x 100, one decimal; null without a host. */
  readonly percentOfHost: number | null;
  /** Services without a value, not in the sum. */
  readonly unset: readonly string[];
  /** `15 x web 2.0 + nginx 2.0 + ... = 35.0 CPUs`. */
  readonly arithmetic: string;
}

export type FunnelStepId =
  | 'nginx-connections'
  | 'upstream-max-conns'
  | 'app-concurrency'
  | 'background-workers'
  | 'pgbouncer-clients'
  | 'pgbouncer-max-client-conn'
  | 'pgbouncer-pool'
  | 'postgres-clients'
  | 'postgres-max-connections'
  | 'redis-maxclients'
  | 'redis-clients';

/** One stage a request's connection passes through, in order from nginx to Postgres, then Redis. */
export interface FunnelStep {
  readonly id: FunnelStepId;
  /** For people: `nginx (nginx) worker_processes x worker_connections`. */
  readonly label: string;
  readonly value: SourcedNumber;
  /** How the value is made up, e.g. `16 x 10000`. */
  readonly detail?: string;
}
