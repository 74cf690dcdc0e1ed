import { defineRule } from '../src/engine/rule.js';
import { UNIT_GRAMMAR_NAMES } from '../src/reference/units.js';
import { capacityPlan, describePlanValue } from '../src/facts/plan.js';
import { describeTotal, formatAmount, type ResourceKind, type ResourceTotal } from '../src/facts/resources.js';

export default defineRule({
  meta: {
    id: 'host-capacity',
    description: 'Reports containers whose summed resource reservations or limits exceed the configured host',
    defaultSeverity: 'error',
    category: 'host',
    docs: {
      what: 'Sums `deploy.resources.reservations` and `deploy.resources.limits` (and the older `cpus`, `mem_limit`, `mem_reservation` keys) over every service, counting `deploy.replicas`, and compares the totals with `host.cpus` and `host.memory` of `.arena-lint.yaml` (or the figures of `host.instance`, e.g. `aws/c5.12xlarge`). Reservations above the host are an error: the containers cannot all be scheduled. Limits above the host are a warning: the stack is overcommitted and containers compete when they are busy at once. Replicas with the same value are one term of the sum, so the message reads like the seed\'s table ("15 x web 2.0 + nginx 2.0 + ... = 35.0 CPUs"). Memory is read with compose\'s grammar, where every prefix is 1024-based (`2048M` = 2.0 GiB); the host\'s memory with arena-lint\'s (`96GiB`, `96GB` and `96g` are all 96 GiB).',
      why: 'The seed plan sizes a machine by adding up container resources by hand (35 CPUs and ~40 GB on a 48-vCPU, 96 GiB c5.12xlarge). Adding five replicas or doubling a limit changes the sum; when reservations exceed the machine, `docker compose up` leaves containers unscheduled (swarm) or the kernel OOM-kills under load.',
      notes: 'Silent without `host:` in the config. An unknown `host.instance` name is reported here, at its line in the config, with the closest known names. Services without a value are left out of the sum (resource-limits-missing reports them). A replica count or value taken from the deploying shell (`${REPLICAS}`) makes the total unknown.',
    },
  },
  check({ stack, facts, config, report, where, unknown }) {
    const plan = capacityPlan(config);
    for (const p of plan.problems) {
      if (p.key[0] === 'host' && p.span) report({ span: p.span, message: p.message, severity: 'error' });
    }
    if (!plan.host) {
      unknown('no host: in the configuration');
      return;
    }
    for (const kind of ['cpus', 'memory'] as const) {
      const cap = plan.host[kind];
      if (!cap) {
        unknown(`host.${kind} is not configured`);
        continue;
      }
      const capText = describePlanValue(`host.${kind}`, cap, where, kind === 'cpus' ? String : (n) => formatAmount(kind, n));
      const reservations = facts.total('reservations', kind);
      const limits = facts.total('limits', kind);
      const check = (t: ResourceTotal, severity: 'error' | 'warning', consequence: string): boolean => {
        if (t.unknown) {
          unknown(`${t.side} ${kind}: ${t.unknown.reason}`, t.unknown.span);
          return false;
        }
        if (t.total <= cap.value || t.terms.length === 0) return false;
        const biggest = [...t.terms].sort((a, b) => b.count * b.each - a.count * a.each)[0]!;
        const others = t.terms.filter((x) => x !== biggest);
        report({
          span: biggest.spans[0]!,
          severity,
          message: `${label(kind, t.side)} ${describeTotal(t)}${unitNote(kind)} > ${capText}: ${consequence}${t.missing.length ? `; ${t.missing.length} service${t.missing.length === 1 ? '' : 's'} without a value not counted` : ''}`,
          related: [
            ...(cap.span ? [{ span: cap.span, message: `the host's ${kind} is configured here` }] : []),
            ...others.map((o) => ({ span: o.spans[0]!, message: `${o.label}: ${o.count === 1 ? '' : `${o.count} x `}${formatAmount(kind, o.each)}` })),
          ],
          hint: t.side === 'reservations'
            ? `lower the reservations or run on a larger host (host.${kind})`
            : `lower the limits, run fewer replicas, or run on a larger host (host.${kind})`,
        });
        return true;
      };
      // Reservations above the host imply limits above it too; one finding says it.
      if (!check(reservations, 'error', 'the containers cannot all be scheduled on this host')) {
        check(limits, 'warning', 'the host is overcommitted; busy containers compete for it');
      }
    }
  },
});

function label(kind: ResourceKind, side: 'limits' | 'reservations'): string {
  return `${kind === 'cpus' ? 'CPU' : 'memory'} ${side}`;
}

function unitNote(kind: ResourceKind): string {
  return kind === 'memory' ? ` (${UNIT_GRAMMAR_NAMES['compose-memory']})` : '';
}
