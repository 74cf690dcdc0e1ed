import { defineRule } from '../src/engine/rule.js';
import { describeGroup } from '../src/facts/concurrency.js';
import { capacityPlan, describePlanValue } from '../src/facts/plan.js';
import { formatNumber } from '../src/facts/resources.js';

export default defineRule({
  meta: {
    id: 'capacity-target',
    description: 'Reports a stack whose app-server concurrency cannot reach capacity.targetRps at the configured response time',
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: "Estimates requests per second the way the seed plan does: concurrent requests (replicas x gunicorn workers x threads, summed over every app server of the stack; `deploy.replicas` counted; gevent/eventlet workers count `--worker-connections`) divided by the typical response time `capacity.latencyMs` (default 500). Reports when the estimate is below `capacity.targetRps` (default 500). The finding points at the first group's `--workers` and gives the whole arithmetic.",
      why: 'The seed reasons "15 containers x 8 workers x 4 threads = 480 concurrent requests" and promises "1,000-2,000 RPS", but 480 / 0.5 s is 960 RPS: its own 1,280 RPS figure assumed 20 containers. Every request beyond the concurrency waits in nginx or in the listen queue, so a plan that does not reach the target fails exactly at the load it was made for.',
      notes: 'Only runs when the config has `capacity:` or `host:` (a repository that does not plan capacity is not judged against the default target). Silent when any app server\'s concurrency is unknown: ASGI/uvicorn workers, a gunicorn config file, or worker counts from the environment. Streaming responses hold a worker far longer than latencyMs; set latencyMs to what the traffic really takes.',
    },
  },
  check({ stack, facts, config, report, where, unknown }) {
    if (!config.data.capacity && !config.data.host) {
      unknown('the config plans no capacity (no capacity: or host:)');
      return;
    }
    const c = facts.concurrency;
    if (c.groups.length === 0) return;
    if (c.unknowns.length) {
      for (const u of c.unknowns) unknown(`${u.service.name}: ${u.reason}`, u.span);
      return;
    }
    const { targetRps, latencyMs } = capacityPlan(config).capacity;
    const rps = c.total / (latencyMs.value / 1000);
    if (rps >= targetRps.value) return;
    const first = c.groups[0]!;
    const sum = c.groups.map((g) => `${c.groups.length > 1 ? `${g.name}: ` : ''}${describeGroup(g)}`).join(' + ');
    const needed = Math.ceil((targetRps.value * latencyMs.value) / 1000);
    report({
      span: first.workers.span,
      message: `${sum} = ${c.total} concurrent requests / ${formatNumber(latencyMs.value / 1000)} s = ${formatNumber(rps)} RPS < ${describePlanValue('capacity.targetRps', targetRps, where)}, at ${describePlanValue('capacity.latencyMs', latencyMs, where)} per request`,
      related: [
        ...c.groups.slice(1).map((g) => ({ span: g.workers.span, message: `${g.name}: ${describeGroup(g)}` })),
        ...(targetRps.span ? [{ span: targetRps.span, message: 'the target is configured here' }] : []),
        ...(latencyMs.span ? [{ span: latencyMs.span, message: 'the response time is configured here' }] : []),
      ],
      hint: `the target needs ${needed} concurrent requests at ${formatNumber(latencyMs.value)} ms: add replicas, workers or threads`,
    });
  },
});
