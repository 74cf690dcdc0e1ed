import { defineRule } from '../src/engine/rule.js';
import { explainMemory, formatBytes } from '../src/reference/units.js';
import { groupByTier } from '../src/facts/groups.js';
import { capacityPlan, describePlanValue } from '../src/facts/plan.js';

export default defineRule({
  meta: {
    id: 'worker-memory-budget',
    description: 'Reports gunicorn replicas whose memory limit leaves each worker less than the configured budget',
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: 'Divides a container\'s memory limit (`deploy.resources.limits.memory` or `mem_limit`, compose units: `2048M` = 2.0 GiB) by the number of gunicorn worker processes it starts (`--workers`, else `WEB_CONCURRENCY`, else 1) and compares the share with `capacity.workerMemory` (default 200MiB). Each gunicorn worker is a separate process with its own copy of Django, the app and its caches; threads share their worker\'s memory, so only processes count. Replicas of a tier with the same numbers are reported once.',
      why: 'The seed doubles workers (4 to 8) and memory (1 GiB to 2 GiB) together; raising workers without memory, or lowering the limit, puts the container at its cgroup limit under load, where the kernel OOM-kills a worker mid-request and gunicorn respawns it. The failure looks like random 502s.',
      notes: 'Silent for services without a memory limit (resource-limits-missing reports them) and when the worker count is unknown (a gunicorn config file or GUNICORN_CMD_ARGS may set it). A `capacity.workerMemory` arena-lint cannot read is reported here at its line in the config.',
    },
  },
  check({ stack, facts, config, report, where, unknown }) {
    const plan = capacityPlan(config);
    for (const p of plan.problems) {
      if (p.key[1] === 'workerMemory' && p.span) report({ span: p.span, message: p.message, severity: 'error' });
    }
    const budget = plan.capacity.workerMemory;
    const entries = facts.resources.flatMap((use) => {
      const workers = stack.app(use.service)?.gunicorn?.workers;
      const memory = use.limits.memory;
      if (!workers || !memory) return [];
      if (workers.kind === 'unknown') {
        unknown(`${use.service.name}: ${workers.reason}`, workers.span);
        return [];
      }
      if (memory.value.kind === 'unknown') {
        unknown(`${use.service.name}: ${memory.value.reason}`, memory.value.span);
        return [];
      }
      const perWorker = memory.value.value / Math.max(1, workers.value);
      if (perWorker >= budget.value) return [];
      return [{ service: use.service, key: `${memory.value.value}\0${workers.value}`, item: { workers, memory: memory.value, raw: memory.raw ?? String(memory.value.value), perWorker } }];
    });
    for (const g of groupByTier(stack, entries)) {
      const { workers, memory, raw, perWorker } = g.item;
      const who = g.services.length > 1 ? `${g.name} (${g.services.length} replicas)` : g.name;
      report({
        span: workers.span,
        message: `${who}: memory limit ${explainMemory(raw, 'compose-memory') ?? formatBytes(memory.value)} (${where(memory.span)}) / ${workers.value} ${workers.value === 1 ? 'worker' : 'workers'}${workers.isDefault ? ' (gunicorn default)' : ''} = ${formatBytes(perWorker)} per worker < ${describePlanValue('capacity.workerMemory', budget, where, formatBytes)}`,
        related: [
          { span: memory.span, message: 'the memory limit is set here' },
          ...(budget.span ? [{ span: budget.span, message: 'the per-worker budget is configured here' }] : []),
        ],
        hint: `raise the memory limit to at least ${formatBytes(budget.value * workers.value)} or run at most ${Math.max(1, Math.floor(memory.value / budget.value))} workers`,
      });
    }
  },
});
