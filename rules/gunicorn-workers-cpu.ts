import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { groupByTier } from '../src/facts/groups.js';
import { capacityPlan } from '../src/facts/plan.js';
import { formatAmount, formatNumber } from '../src/facts/resources.js';

export default defineRule({
  meta: {
    id: 'gunicorn-workers-cpu',
    description: "Reports gunicorn worker counts above gunicorn's (2 x CPUs) + 1 guideline for the container's CPUs",
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: "gunicorn's design notes suggest (2 x $num_cores) + 1 worker processes (https://docs.gunicorn.org/en/stable/design.html#how-many-workers). The CPUs are the container's `deploy.resources.limits.cpus` (or `cpus`), else the configured `host.cpus`, since a container without a CPU limit can use every CPU of the host. gunicorn's settings page widens this to 2-4 x $(NUM_CORES) (https://docs.gunicorn.org/en/stable/settings.html#workers), so a count within both is accepted: above the guideline and above 4 x CPUs is reported as info, above twice the guideline as a warning. Replicas of a tier with the same numbers are reported once.",
      why: "Worker processes beyond what the CPU quota can run only take turns: each costs a full copy of the app in memory and adds context switches, and under a CFS quota the whole container is throttled once the workers together use up its CPU time. The seed's 8 workers on `cpus: '2.0'` sit at the top of gunicorn's range; 16 would not, and more concurrency for I/O-bound views comes cheaper from threads.",
      notes: 'Threads (`--threads`) are not counted: they share a worker process and release the GIL while waiting for I/O. Silent when neither a CPU limit nor `host.cpus` is known, or the worker count is unknown.',
    },
  },
  check({ stack, facts, config, report, where, unknown }) {
    const hostCpus = capacityPlan(config).host?.cpus;
    const entries = facts.resources.flatMap((use) => {
      const workers = stack.app(use.service)?.gunicorn?.workers;
      if (!workers) return [];
      if (workers.kind === 'unknown') {
        unknown(`${use.service.name}: ${workers.reason}`, workers.span);
        return [];
      }
      const limit = use.limits.cpus?.value;
      let cpus: { value: number; span?: Span; source: string };
      if (limit?.kind === 'known' && limit.value > 0) cpus = { value: limit.value, span: limit.span, source: 'CPU limit' };
      else if (limit?.kind === 'unknown') {
        unknown(`${use.service.name}: ${limit.reason}`, limit.span);
        return [];
      } else if (hostCpus) cpus = { value: hostCpus.value, ...(hostCpus.span ? { span: hostCpus.span } : {}), source: 'no CPU limit; host.cpus' };
      else {
        unknown(`${use.service.name} has no CPU limit and the config gives no host.cpus`);
        return [];
      }
      const guideline = 2 * cpus.value + 1;
      // gunicorn's settings page allows 2-4 x cores; only beyond both numbers is it "far above".
      if (workers.value <= Math.max(guideline, 4 * cpus.value)) return [];
      return [{ service: use.service, key: `${workers.value}\0${cpus.value}`, item: { workers, cpus, guideline } }];
    });
    for (const g of groupByTier(stack, entries)) {
      const { workers, cpus, guideline } = g.item;
      const far = workers.value > 2 * guideline;
      const who = g.services.length > 1 ? `${g.name} (${g.services.length} replicas)` : g.name;
      report({
        span: workers.span,
        severity: far ? 'warning' : 'info',
        message: `${who}: ${workers.value} gunicorn workers on ${formatAmount('cpus', cpus.value)} CPUs (${cpus.source}${cpus.span ? `, ${where(cpus.span)}` : ''}) ${far ? `is more than twice gunicorn's guideline (2 x ${formatAmount('cpus', cpus.value)}) + 1 = ${formatNumber(guideline)} workers` : `is above gunicorn's guideline (2 x ${formatAmount('cpus', cpus.value)}) + 1 = ${formatNumber(guideline)} workers and the top of its 2-4 x CPUs range (${formatNumber(4 * cpus.value)})`}`,
        related: cpus.span ? [{ span: cpus.span, message: 'the CPUs come from here' }] : [],
        hint: `run at most ${Math.floor(guideline)} workers and add --threads for I/O-bound concurrency, or raise the CPU limit`,
      });
    }
  },
});
