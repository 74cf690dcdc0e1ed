import type { Rule } from '../src/engine/rule.js';
import backlogOverSomaxconn from './backlog-over-somaxconn.js';
import capacityTarget from './capacity-target.js';
import gunicornWorkersCpu from './gunicorn-workers-cpu.js';
import hostCapacity from './host-capacity.js';
import nofileLimits from './nofile-limits.js';
import resourceLimitsMissing from './resource-limits-missing.js';
import sysctlRequired from './sysctl-required.js';
import workerMemoryBudget from './worker-memory-budget.js';

/** The host-tier rules (resources, sysctls, kernel limits, capacity). */
export const HOST_RULES: readonly Rule[] = [
  hostCapacity,
  resourceLimitsMissing,
  workerMemoryBudget,
  gunicornWorkersCpu,
  capacityTarget,
  sysctlRequired,
  backlogOverSomaxconn,
  nofileLimits,
];
