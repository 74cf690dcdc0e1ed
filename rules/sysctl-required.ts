import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { checkRequirement, isNamespacedSysctl, kernelDefault, parseSysctlInteger, resolveProfile, SYSCTL_PROFILE_NAMES, type SysctlRequirement } from '../src/reference/sysctl-profile.js';
import { hostSysctls, type HostSysctlSource } from '../src/inputs/sysctl.js';
import { listNames } from '../src/stack/topology.js';
import type { SysctlSetting } from '../src/parsers/sysctl.js';

export default defineRule({
  meta: {
    id: 'sysctl-required',
    description: "Reports a kernel setting of the sysctl profile that the host's sysctl sources leave unset, too low, too high, or set only until the next reboot",
    defaultSeverity: 'warning',
    category: 'host',
    docs: {
      what: "Reads every host sysctl source of the repository: `sysctl.conf` and `sysctl.d/*.conf` files (in systemd-sysctl's load order, the last value wins), and shell scripts that run `sysctl -w key=value` or append `key = value` to a sysctl file (`echo ... | sudo tee -a /etc/sysctl.conf`). Each key of the profile (`sysctl.profile`, default `seed`: the seed plan's list, with `sysctl.keys` added or overriding) must be set, at least the profile's minimum for capacities (`fs.file-max >= 200000`, `net.core.somaxconn >= 65535`, `net.ipv4.tcp_max_syn_backlog >= 8192`, `net.core.netdev_max_backlog >= 5000`) and at most its maximum for timeouts (`tcp_fin_timeout <= 30`, `tcp_keepalive_time <= 300`, `tcp_keepalive_probes <= 5`, `tcp_keepalive_intvl <= 15`). A value a script sets only with `sysctl -w` is reported too: the kernel forgets it at the next reboot.",
      why: "The seed's host tuning is a list of `sysctl -w` commands followed by `sudo sysctl -p` under \"Make permanent\"; but `sysctl -p` reloads /etc/sysctl.conf, it does not save runtime values, and only fs.file-max is written to the file. After the first reboot the host is back to the kernel defaults (somaxconn 4096, tcp_fin_timeout 60) and nobody notices until the next load peak.",
      notes: "Silent when the repository has no host sysctl source at all and `sysctl.require` is not true: a stack may not manage its host. A script that a container loads, or that any Dockerfile of the repository COPYs (an NFS image tuning its own kernel settings at start), runs in a container and is no host source. The namespaced keys (net.core.somaxconn and most of net.ipv4.*) set here apply to the host's own sockets only: every container has its own network namespace and starts from the kernel default unless compose `sysctls:` sets the key (see backlog-over-somaxconn). Kernel facts: https://www.kernel.org/doc/html/latest/admin-guide/sysctl/net.html, https://docs.docker.com/reference/compose-file/services/#sysctls.",
    },
  },
  check({ stack, config, report, where, unknown }) {
    const sysctls = stack.sysctls;
    const require = config.data.sysctl?.require === true;
    if (sysctls.sources.length === 0 && !require) {
      unknown('the repository has no host sysctl source and sysctl.require is not true');
      return;
    }
    const profileName = SYSCTL_PROFILE_NAMES.find((n) => n === config.data.sysctl?.profile) ?? 'seed';
    const reqs = resolveProfile(profileName, config.data.sysctl?.keys ?? {});
    const origin = (req: SysctlRequirement): string => {
      const keySpan = config.data.sysctl?.keys?.[req.key] ? config.spanOf(['sysctl', 'keys', req.key]) : undefined;
      return keySpan ? `sysctl.keys, ${where(keySpan)}` : `the ${profileName} profile`;
    };
    const bound = (req: SysctlRequirement): string =>
      `${[req.min !== undefined ? `>= ${req.min}` : '', req.max !== undefined ? `<= ${req.max}` : ''].filter(Boolean).join(' and ')} (${origin(req)})`;
    const runtimeOnly = new Map<string, SysctlSetting[]>();

    for (const req of reqs) {
      const v = sysctls.get(req.key);
      if (!v) {
        const def = kernelDefault(req.key);
        const at = missingAt(sysctls.sources) ?? config.spanOf(['sysctl', 'require']) ?? config.spanOf(['sysctl']);
        if (!at) continue;
        const names = sysctls.sources.map((s) => s.path);
        report({
          span: at,
          message: `${req.key} is not set by ${names.length ? `any host sysctl source (${listNames(names, 4)})` : 'any file of the repository'}; it needs ${bound(req)}${def ? (def.value !== undefined ? `, and without it the host runs with ${def.description}` : `, and its kernel default is ${def.description}`) : ''}: ${req.why}`,
          hint: `add \`${req.key} = ${req.min ?? req.max}\` to /etc/sysctl.d/ (or /etc/sysctl.conf) on the host${containerNote(req.key)}`,
        });
        continue;
      }
      let violated = false;
      for (const s of [v.persisted, v.runtime]) {
        if (!s) continue;
        const n = parseSysctlInteger(s.value.value);
        if (n === undefined) {
          unknown(`${req.key} = "${s.value.value}" is not one integer`, s.value.span);
          continue;
        }
        const verdict = checkRequirement(req, n);
        if (verdict === 'ok') continue;
        violated = true;
        report({
          span: s.value.span,
          message: `${req.key} = ${n}${s.scriptTarget?.kind === 'runtime' ? ' (sysctl -w)' : ''} is ${verdict === 'below-min' ? `below the minimum ${req.min}` : `above the maximum ${req.max}`} (${origin(req)}): ${req.why}`,
          hint: `set ${req.key} to ${verdict === 'below-min' ? req.min : req.max}${containerNote(req.key)}`,
        });
      }
      if (!violated && v.runtime && !v.persisted) {
        const list = runtimeOnly.get(v.runtime.span.file) ?? [];
        list.push(v.runtime);
        runtimeOnly.set(v.runtime.span.file, list);
      }
    }

    // One finding per script: the fix (write the keys to a sysctl file) is one edit.
    for (const [file, settings] of runtimeOnly) {
      const first = settings[0]!;
      report({
        span: first.span,
        message: `${settings.length === 1 ? `${first.key} is` : `${settings.length} profile sysctls (${listNames(settings.map((s) => s.key), 4)}) are`} set with sysctl -w only in ${file}: the kernel forgets ${settings.length === 1 ? 'it' : 'them'} at the next reboot, and \`sysctl -p\` reloads /etc/sysctl.conf without saving runtime values`,
        related: settings.slice(1).map((s) => ({ span: s.span, message: `${s.key} is set at runtime only` })),
        hint: `also write ${settings.length === 1 ? 'it' : 'them'} to /etc/sysctl.d/99-arena.conf (echo "key = value" | sudo tee -a ...)`,
      });
    }
  },
});

/** Where a missing key is added: after the last setting of the first sysctl file, else of the first script. */
function missingAt(sources: readonly HostSysctlSource[]): Span | undefined {
  const src = sources.find((s) => s.kind === 'sysctl-file') ?? sources[0];
  if (!src) return undefined;
  const last = src.settings[src.settings.length - 1];
  return last ? last.span : { file: src.path, start: 0, end: 0 };
}

/** Namespaced keys stop at the host's own network namespace; say so where the fix is written. */
function containerNote(key: string): string {
  return isNamespacedSysctl(key) ? `; containers do not inherit ${key}: set it in compose \`sysctls:\` where a container needs it` : '';
}
