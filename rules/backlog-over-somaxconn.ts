import type { RelatedLocation } from '../src/core/finding.js';
import { defineRule } from '../src/engine/rule.js';
import { groupByTier } from '../src/facts/groups.js';
import { containerSysctl, listenBacklogs } from '../src/facts/limits.js';
import { hostSysctls } from '../src/inputs/sysctl.js';

const SOMAXCONN = 'net.core.somaxconn';

export default defineRule({
  meta: {
    id: 'backlog-over-somaxconn',
    description: 'Reports a listen backlog above the net.core.somaxconn of the container the program runs in',
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: "Compares every listen backlog a service asks for with the `net.core.somaxconn` that applies inside its container: gunicorn `--backlog` (default 2048, https://docs.gunicorn.org/en/stable/settings.html#backlog), redis-server `--tcp-backlog` (default 511), and nginx `listen ... backlog=` (default 511 on Linux, https://nginx.org/en/docs/http/ngx_http_core_module.html#listen). somaxconn is a per-network-namespace setting: a container gets the kernel's default (4096 since Linux 5.4, 128 before) unless compose `sysctls:` sets it; only with `network_mode: host` does the host's value apply.",
      why: 'listen(2) silently truncates a backlog larger than somaxconn. Raising `--backlog` or `backlog=` to absorb bursts does nothing unless the container\'s somaxconn is raised too, and the seed\'s `sysctl -w net.core.somaxconn=65535` on the host never reaches a container: connections beyond the real queue are dropped during the burst the backlog was meant for, with nothing in any log.',
      notes: 'The kernel default is taken for a modern kernel (>= 5.4). Replicas of a tier with the same numbers are reported once. A somaxconn or backlog from the deploying shell is unknown and keeps the rule silent.',
    },
  },
  check({ stack, report, where, unknown }) {
    const host = stack.sysctls.get(SOMAXCONN);
    const entries = stack.services.flatMap((svc) => {
      const somax = containerSysctl(stack, svc, SOMAXCONN);
      if (somax.value.kind === 'unknown') {
        unknown(`${svc.name}: ${somax.value.reason}`, somax.value.span);
        return [];
      }
      const limit = somax.value.value;
      return listenBacklogs(stack, svc).flatMap((b) => {
        if (b.value.kind === 'unknown') {
          unknown(`${svc.name}: ${b.value.reason}`, b.value.span);
          return [];
        }
        if (b.value.value <= limit) return [];
        return [{ service: svc, key: `${b.program}\0${b.value.value}\0${limit}`, item: { backlog: b, value: b.value, somax, limit } }];
      });
    });
    for (const g of groupByTier(stack, entries)) {
      const { backlog, value, somax, limit } = g.item;
      const where_ = g.services.length > 1 ? `the ${g.name} containers (${g.services.length} replicas)` : `container ${g.name}`;
      const origin = somax.origin === 'compose'
        ? `set by its sysctls at ${where(somax.value.span)}`
        : somax.origin === 'host' ? `the host's (${where(somax.value.span)}), network_mode: host` : kernelDefaultNote(somax.description);
      const hostNote = somax.origin === 'kernel-default' && host
        ? `; the host's ${SOMAXCONN} ${host.effective.value.value} (${where(host.effective.value.span)}) does not reach the container, which has its own network namespace`
        : '';
      const related: RelatedLocation[] = [];
      if (somax.origin !== 'kernel-default') related.push({ span: somax.value.span, message: `${SOMAXCONN} for ${g.name}` });
      if (hostNote && host) related.push({ span: host.effective.value.span, message: `the host's ${SOMAXCONN}; containers do not inherit it` });
      report({
        span: value.span,
        message: `${backlogName(backlog.program, backlog.option)} ${value.value}${value.isDefault ? ' (default)' : ''} > ${SOMAXCONN} ${limit} in ${where_}, ${origin}: the kernel silently truncates the accept queue to ${limit}${hostNote}`,
        related,
        hint: `set \`sysctls: ["${SOMAXCONN}=${value.value}"]\` on ${g.name}, or lower the backlog to ${limit}`,
      });
    }
  },
});

function backlogName(program: string, option: string): string {
  return program === 'nginx' ? 'nginx listen backlog' : `${program} ${option}`;
}

/** `net.core.somaxconn 4096 (the kernel default since Linux 5.4; 128 before)` -> `the kernel default since Linux 5.4; 128 before`. */
function kernelDefaultNote(description: string): string {
  return /\((.*)\)$/.exec(description)?.[1] ?? description;
}
