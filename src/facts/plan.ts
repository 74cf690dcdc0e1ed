import type { Span } from '../core/value.js';
import type { ResolvedConfig } from '../engine/config.js';
import { lookupInstance, suggestInstances, type InstanceType } from '../reference/instances.js';
import { parseConfigMemory } from '../reference/units.js';

/**
 * A number the capacity plan is computed from, with where it was written: a config key (span in the
 * config file), the instance table (span of `host.instance`), or arena-lint's documented default (no span).
 */
export interface PlanValue<T> {
  readonly value: T;
  readonly span?: Span;
  readonly origin: 'config' | 'instance' | 'default';
  /** The instance type the value comes from, for origin `instance`. */
  readonly instance?: string;
}

/** The machine of `host:` in the config: explicit `cpus`/`memory` win over the instance's figures. */
export interface HostMachine {
  readonly cpus?: PlanValue<number>;
  /** Bytes. */
  readonly memory?: PlanValue<number>;
  readonly instance?: InstanceType;
}

/** `capacity:` with the issue's defaults filled in. */
export interface CapacityPlan {
  readonly targetRps: PlanValue<number>;
  readonly latencyMs: PlanValue<number>;
  /** Bytes. */
  readonly workerMemory: PlanValue<number>;
}

/** A config value arena-lint cannot use; reported at the config line by host-capacity and refused by `capacity`. */
export interface PlanProblem {
  readonly message: string;
  readonly span?: Span;
  readonly key: readonly string[];
}

export interface Plan {
  /** Undefined when the config has no `host:`: the host rules stay silent. */
  readonly host?: HostMachine;
  readonly capacity: CapacityPlan;
  readonly problems: readonly PlanProblem[];
}

export const DEFAULT_TARGET_RPS = 500;
export const DEFAULT_LATENCY_MS = 500;
export const DEFAULT_WORKER_MEMORY = 200 * 1024 ** 2;

const plans = new WeakMap<ResolvedConfig, Plan>();

/** Reads `host:` and `capacity:` once per config. */
export function capacityPlan(config: ResolvedConfig): Plan {
  let plan = plans.get(config);
  if (!plan) {
    plan = readPlan(config);
    plans.set(config, plan);
  }
  return plan;
}

function readPlan(config: ResolvedConfig): Plan {
  const problems: PlanProblem[] = [];
  const fromConfig = <T>(key: string[], value: T): PlanValue<T> => {
    const span = config.spanOf(key);
    return span ? { value, span, origin: 'config' } : { value, origin: 'config' };
  };
  const memoryAt = (key: string[], raw: string | number | undefined): PlanValue<number> | undefined => {
    if (raw === undefined) return undefined;
    const bytes = parseConfigMemory(raw);
    if (bytes === undefined || bytes <= 0) {
      const span = config.spanOf(key);
      problems.push({ key, message: `${key.join('.')}: cannot read "${raw}" as memory (write e.g. 96GiB, 512MiB or a number of bytes)`, ...(span ? { span } : {}) });
      return undefined;
    }
    return fromConfig(key, bytes);
  };

  let host: HostMachine | undefined;
  const h = config.data.host;
  if (h) {
    let instance: InstanceType | undefined;
    if (h.instance !== undefined) {
      instance = lookupInstance(h.instance);
      if (!instance) {
        const near = suggestInstances(h.instance);
        const span = config.spanOf(['host', 'instance']);
        problems.push({
          key: ['host', 'instance'],
          message: `host.instance: unknown instance type "${h.instance}"${near.length ? `; did you mean ${near.join(', ')}?` : ''} (or give host.cpus and host.memory)`,
          ...(span ? { span } : {}),
        });
      }
    }
    const instanceSpan = config.spanOf(['host', 'instance']);
    const fromInstance = (value: number): PlanValue<number> => ({ value, origin: 'instance', instance: instance!.name, ...(instanceSpan ? { span: instanceSpan } : {}) });
    const cpus = h.cpus !== undefined ? fromConfig(['host', 'cpus'], h.cpus) : instance ? fromInstance(instance.cpus) : undefined;
    const memory = memoryAt(['host', 'memory'], h.memory) ?? (instance ? fromInstance(instance.memoryBytes) : undefined);
    host = { ...(cpus ? { cpus } : {}), ...(memory ? { memory } : {}), ...(instance ? { instance } : {}) };
  }

  const c = config.data.capacity ?? {};
  const capacity: CapacityPlan = {
    targetRps: c.targetRps !== undefined ? fromConfig(['capacity', 'targetRps'], c.targetRps) : { value: DEFAULT_TARGET_RPS, origin: 'default' },
    latencyMs: c.latencyMs !== undefined ? fromConfig(['capacity', 'latencyMs'], c.latencyMs) : { value: DEFAULT_LATENCY_MS, origin: 'default' },
    workerMemory: memoryAt(['capacity', 'workerMemory'], c.workerMemory) ?? { value: DEFAULT_WORKER_MEMORY, origin: 'default' },
  };
  return { ...(host ? { host } : {}), capacity, problems };
}

/** How a plan value is cited in a message: `host.cpus 48 (.arena-lint.yaml:2)`, `capacity.latencyMs 500 (default)`. */
export function describePlanValue(name: string, v: PlanValue<number>, where: (span: Span) => string, format: (n: number) => string = String): string {
  const at = v.span ? where(v.span) : 'default';
  return `${name} ${format(v.value)} (${v.instance ? `${v.instance}, ` : ''}${at})`;
}
