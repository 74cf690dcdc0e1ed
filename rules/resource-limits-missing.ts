import { defineRule } from '../src/engine/rule.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { groupByTier } from '../src/facts/groups.js';
import type { Stack } from '../src/stack/stack.js';

/** Django management commands and test runs exit when done; a limit matters less for them. */
const ONE_SHOT = /\b(manage\.py|django-admin)\s+(migrate|makemigrations|collectstatic|compilemessages|loaddata|createsuperuser|check|test)\b|(^|[\s/])pytest\b/;

export default defineRule({
  meta: {
    id: 'resource-limits-missing',
    description: 'Reports a long-running service without a CPU or memory limit',
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: 'Every long-running service should set `deploy.resources.limits.cpus` and `deploy.resources.limits.memory` (or the older `cpus` and `mem_limit`). A service counts as long-running unless it sets `restart: "no"` or its command is a one-shot Django management command or test run (`manage.py migrate`, `manage.py collectstatic`, `pytest`, ...) that does not go on to start an app server. Replicas of a tier that all lack the same limit are reported once.',
      notes: 'Runs when at least one service of the stack sets a limit (the others are then gaps in the policy) or the config has `host:` (the capacity sums need every service); a stack that limits nothing, e.g. because its host or platform sets cgroups, is left alone.',
      why: 'Without a memory limit one leaking worker can take the whole host\'s memory and the kernel OOM-killer picks a victim among all containers, often the database; without a CPU limit one busy service starves the others. The capacity sums (host-capacity, `arena-lint capacity`) also cannot count a service that has no limit.',
    },
  },
  check({ stack, facts, config, report, unknown }) {
    const uses = facts.resources;
    // A stack that sets no limit anywhere follows another policy (cgroups set elsewhere, a PaaS); the gaps
    // matter once some services are limited, or once the config plans a host the limits must fit.
    if (!config.data.host && !uses.some((u) => u.limits.cpus || u.limits.memory)) {
      unknown('no service sets a limit and the config has no host:');
      return;
    }
    const entries = uses.flatMap((use) => {
      if (!longRunning(stack, use.service)) return [];
      const missing = (['cpus', 'memory'] as const).filter((k) => !use.limits[k]);
      return missing.length ? [{ service: use.service, key: missing.join(','), item: missing }] : [];
    });
    for (const g of groupByTier(stack, entries)) {
      const first = g.services[0]!;
      const what = g.item.map((k) => (k === 'cpus' ? 'CPU' : 'memory')).join(' and no ');
      const who = g.services.length > 1 ? `${g.name} (${g.services.length} replicas)` : g.name;
      report({
        span: first.resources?.span ?? first.nameSpan,
        message: `${who} ${g.services.length > 1 ? 'have' : 'has'} no ${what} limit: nothing stops ${g.services.length > 1 ? 'them' : 'it'} from taking the whole host's ${g.item.length === 2 ? 'CPU and memory' : g.item[0] === 'cpus' ? 'CPU' : 'memory'}`,
        hint: `set ${g.item.map((k) => `deploy.resources.limits.${k}`).join(' and ')}`,
      });
    }
  },
});

function longRunning(stack: Stack, svc: ComposeService): boolean {
  const restart = svc.settings.get('restart')?.data;
  if (restart === 'no' || restart === 'false') return false;
  // `migrate && gunicorn ...` ends in a server.
  if (stack.app(svc)) return true;
  const words = svc.command?.words.map((w) => (w.value.kind === 'known' ? w.value.value : '')).join(' ') ?? '';
  return !ONE_SHOT.test(words);
}
