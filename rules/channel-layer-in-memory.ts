import { defineRule } from '../src/engine/rule.js';
import { isPyDict, pyGet } from '../src/python/value.js';
import { groupBy, spanKey } from '../src/stack/data-tier.js';
import { capacityTerms, formatTerms, termValue, type CapacityItem } from '../src/facts/concurrency.js';

const IN_MEMORY = 'channels.layers.InMemoryChannelLayer';

export default defineRule({
  meta: {
    id: 'channel-layer-in-memory',
    description: 'Reports an InMemoryChannelLayer in a Django Channels app that runs in more than one process',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Finds `CHANNEL_LAYERS` entries whose `BACKEND` is `channels.layers.InMemoryChannelLayer` in the settings the app containers load, and counts the processes that load them: every service running those settings, its replicas (`deploy.replicas`, numbered services), and the processes of its app server (gunicorn or uvicorn `--workers`). The rule reports the layer when there is more than one, with the arithmetic.',
      why: 'The in-memory layer lives inside one process. A `group_send` from a view, a Celery task or another worker reaches only the consumers of the process that sent it: chat messages, notifications and live updates reach some users and silently not others, depending on which worker their websocket landed on. Channels\' documentation says it is for testing and local development only (https://channels.readthedocs.io/en/stable/topics/channel_layers.html#in-memory-channel-layer).',
      notes: 'A process count that is not known (a worker count from an unset variable) keeps the rule silent unless the known part already exceeds one.',
    },
  },
  check({ stack, facts, report, where }) {
    const found = [];
    for (const app of stack.data.apps) {
      const layers = app.settings?.names.get('CHANNEL_LAYERS');
      if (layers?.kind !== 'known' || !isPyDict(layers.value)) continue;
      for (const e of layers.value.entries) {
        if (e.key.kind !== 'known' || typeof e.key.value !== 'string') continue;
        const backend = pyGet(e.value, 'BACKEND');
        if (backend?.kind !== 'known' || backend.value !== IN_MEMORY) continue;
        found.push({ app, alias: e.key.value, backend });
      }
    }
    for (const group of groupBy(found, (f) => spanKey(f.backend.span))) {
      const items: CapacityItem[] = [];
      for (const { app } of group) {
        const c = facts.concurrency.of(app.service);
        if (!c || c.processes.kind !== 'known' || c.containers.kind !== 'known') continue;
        items.push({ service: app.service, containers: c.containers.value, factors: [{ value: c.processes.value, unit: 'processes' }] });
      }
      const terms = capacityTerms(items);
      const total = terms.reduce((n, t) => n + termValue(t), 0);
      if (total <= 1) continue;
      const { alias, backend } = group[0]!;
      const first = group[0]!.app.app;
      report({
        span: backend.span,
        message: `CHANNEL_LAYERS["${alias}"] is InMemoryChannelLayer, but ${formatTerms(terms)} = ${total} processes load these settings (${where(first.server.span)}): each keeps its own layer, so a group_send reaches only the consumers of the process that sent it and the others never see the message`,
        related: group.map((g) => ({ span: g.app.app.server.span, message: `${g.app.service.name} runs Django here` })).slice(0, 3),
        hint: 'use channels_redis (channels_redis.core.RedisChannelLayer, or pubsub.RedisPubSubChannelLayer) with a Redis every process reaches',
      });
    }
  },
});
