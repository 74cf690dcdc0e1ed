import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { nginxProcessLimits, nofileUlimit } from '../src/facts/limits.js';
import { capacityPlan } from '../src/facts/plan.js';
import { hostSysctls } from '../src/inputs/sysctl.js';

export default defineRule({
  meta: {
    id: 'nofile-limits',
    description: "Reports nginx connection settings that need more file descriptors than the container's or the host's limits allow",
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: "Three checks on every nginx service, with nginx's defaults when a directive is absent (worker_processes 1 and worker_connections 512, or `auto` and 1024 from the official image's nginx.conf when the repository has none): `worker_rlimit_nofile` above the hard `ulimits: nofile` of its compose service; `worker_connections` needing more descriptors than a worker may open (x2 when the server proxies: each proxied request holds a client and an upstream connection), against `worker_rlimit_nofile`, else the service's soft `ulimits: nofile`; and `worker_processes x worker_connections x 2` above the host's `fs.file-max` from its sysctl sources (a global limit, shared by every container). `worker_processes auto` starts one worker per CPU of the host (nginx counts online CPUs, not a container CPU limit), taken from `host.cpus`. References: https://nginx.org/en/docs/ngx_core_module.html#worker_rlimit_nofile, https://nginx.org/en/docs/ngx_core_module.html#worker_connections.",
      why: 'A worker that runs out of descriptors logs "accept() failed (24: Too many open files)" and refuses connections while CPU and memory are idle. The nginx master cannot raise its limit above the container\'s hard limit (Docker does not grant CAP_SYS_RESOURCE), so `worker_rlimit_nofile` above it fails at start with "setrlimit ... failed (1: Operation not permitted)". The seed sets 16 workers x 10000 connections, 320,000 descriptors when proxying, against an fs.file-max of 200,000 for the whole host.',
      notes: "Without `ulimits: nofile` the container inherits the Docker daemon's limit, which differs between installations (1048576, or 1024 soft / 524288 hard on recent systemd defaults): that comparison stays silent rather than guess.",
    },
  },
  check({ stack, config, report, where, unknown }) {
    const fileMax = stack.sysctls.get('fs.file-max');
    const hostCpus = capacityPlan(config).host?.cpus;
    for (const proxy of stack.proxies) {
      const limits = nginxProcessLimits(proxy);
      if (!limits) {
        unknown(`${proxy.service.name}: worker_processes or worker_connections is not a number`);
        continue;
      }
      const { workerConnections: wc, workerRlimitNofile: rl, workerProcesses: wp } = limits;
      const ulimit = nofileUlimit(proxy.service);
      const proxying = proxy.nginx.proxyPasses.length > 0;
      const perConnection = proxying ? 2 : 1;
      const wcText = `worker_connections ${wc.value}${wc.isDefault ? ' (default)' : ''}`;

      if (rl && ulimit?.hard?.kind === 'known' && rl.value > ulimit.hard.value) {
        report({
          span: rl.span,
          message: `worker_rlimit_nofile ${rl.value} > the hard ulimits nofile ${ulimit.hard.value} of ${proxy.service.name} (${where(ulimit.hard.span)}): nginx cannot raise its descriptor limit above the hard limit inside a container, so setrlimit fails and the workers keep the lower limit`,
          related: [{ span: ulimit.hard.span, message: 'the container\'s nofile limit is set here' }],
          hint: `raise ulimits.nofile.hard of ${proxy.service.name} to at least ${rl.value}, or lower worker_rlimit_nofile`,
        });
      }

      const fdLimit: { value: number; span: Span; name: string } | undefined = rl
        ? { value: rl.value, span: rl.span, name: 'worker_rlimit_nofile' }
        : ulimit?.soft?.kind === 'known' ? { value: ulimit.soft.value, span: ulimit.soft.span, name: `the soft ulimits nofile of ${proxy.service.name}` } : undefined;
      const needed = wc.value * perConnection;
      if (!fdLimit) unknown(`${proxy.service.name}: no worker_rlimit_nofile and no ulimits nofile; the Docker daemon's default applies`);
      else if (needed > fdLimit.value) {
        report({
          span: wc.span,
          message: `${wcText}${proxying ? ' x 2 (each proxied request holds a client and an upstream connection)' : ''} = ${needed} descriptors per worker > ${fdLimit.name} ${fdLimit.value} (${where(fdLimit.span)}): workers fail with "Too many open files" before reaching worker_connections`,
          related: [{ span: fdLimit.span, message: 'the descriptor limit is set here' }],
          hint: `set worker_rlimit_nofile to at least ${needed} (and the container's ulimits nofile with it), or lower worker_connections`,
        });
      }

      if (!fileMax) {
        unknown('fs.file-max is not set by any host sysctl source');
        continue;
      }
      const max = Number(fileMax.effective.value.value);
      if (!Number.isFinite(max)) continue;
      const processes = wp.value === 'auto' ? hostCpus?.value : wp.value;
      if (processes === undefined) {
        unknown(`${proxy.service.name}: worker_processes auto needs host.cpus in the config`);
        continue;
      }
      const total = processes * wc.value * 2;
      if (total <= max) continue;
      const wpText = wp.value === 'auto'
        ? `worker_processes auto = ${processes} (host.cpus${hostCpus?.span ? `, ${where(hostCpus.span)}` : ''})`
        : `worker_processes ${processes}${wp.isDefault ? ' (default)' : ''}`;
      report({
        span: wc.span,
        message: `${wpText} x ${wcText} x 2 = ${total} descriptors > fs.file-max ${max} (${where(fileMax.effective.value.span)}), the limit for the whole host: at full load nginx alone exhausts the host's file table`,
        related: [
          { span: fileMax.effective.value.span, message: 'the host\'s fs.file-max is set here' },
          ...(wp.isDefault ? [] : [{ span: wp.span, message: 'worker_processes is set here' }]),
        ],
        hint: `raise fs.file-max to at least ${total} (it is global: containers share the host's), or lower worker_processes or worker_connections`,
      });
    }
  },
});
