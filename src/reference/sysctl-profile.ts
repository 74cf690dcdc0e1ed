/*
 * What the host's kernel settings should be for the stack, and the kernel facts needed to judge
 * them: which sysctls live in a namespace (so a value set on the host never reaches a container)
 * and what a fresh namespace starts with.
 */

export interface SysctlRequirement {
  readonly key: string;
  /** The value must be at least this. */
  readonly min?: number;
  /** The value must be at most this. */
  readonly max?: number;
  /** Capacities must be large enough; timeouts short enough. */
  readonly kind: 'capacity' | 'timeout';
  /** Why the bound matters, for the rule's message. */
  readonly why: string;
}

export type SysctlProfileName = 'seed';
export const SYSCTL_PROFILE_NAMES: readonly SysctlProfileName[] = ['seed'];

export type SysctlOverrides = Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;

/** The host tuning of SCALING_TO_1000_RPS.md ("System-Level Optimizations"). */
const SEED_PROFILE: readonly SysctlRequirement[] = [
  { key: 'fs.file-max', min: 200000, kind: 'capacity', why: 'every client and upstream connection holds a file descriptor' },
  { key: 'net.core.somaxconn', min: 65535, kind: 'capacity', why: 'caps the accept queue of every listening socket, whatever backlog nginx or gunicorn ask for' },
  { key: 'net.ipv4.tcp_max_syn_backlog', min: 8192, kind: 'capacity', why: 'bounds half-open connections during a burst of new clients' },
  { key: 'net.core.netdev_max_backlog', min: 5000, kind: 'capacity', why: 'packets queued per CPU before the kernel drops them' },
  { key: 'net.ipv4.tcp_fin_timeout', max: 30, kind: 'timeout', why: 'orphaned connections in FIN-WAIT-2 hold ports and memory this long' },
  { key: 'net.ipv4.tcp_keepalive_time', max: 300, kind: 'timeout', why: 'idle connections are probed only after this many seconds' },
  { key: 'net.ipv4.tcp_keepalive_probes', max: 5, kind: 'timeout', why: 'unanswered probes before a dead peer is dropped' },
  { key: 'net.ipv4.tcp_keepalive_intvl', max: 15, kind: 'timeout', why: 'seconds between keepalive probes' },
];

const PROFILES: Readonly<Record<SysctlProfileName, readonly SysctlRequirement[]>> = { seed: SEED_PROFILE };

/**
 * The requirements of a profile with a user's overrides applied. An override replaces both bounds of
 * its key (`{ min: 4096 }` drops a profile max too); one with neither bound removes the requirement;
 * a key the profile lacks is added (as a capacity when it has a min, else a timeout).
 */
export function resolveProfile(name: SysctlProfileName, overrides: SysctlOverrides = {}): SysctlRequirement[] {
  const out: SysctlRequirement[] = [];
  const seen = new Set<string>();
  const withBounds = (base: Omit<SysctlRequirement, 'min' | 'max'>, o: { min?: number; max?: number }): SysctlRequirement => ({
    ...base,
    ...(o.min === undefined ? {} : { min: o.min }),
    ...(o.max === undefined ? {} : { max: o.max }),
  });
  for (const req of PROFILES[name]) {
    seen.add(req.key);
    const o = overrides[req.key];
    if (o === undefined) out.push(req);
    else if (o.min !== undefined || o.max !== undefined) out.push(withBounds({ key: req.key, kind: req.kind, why: req.why }, o));
  }
  for (const [key, o] of Object.entries(overrides)) {
    if (seen.has(key) || (o.min === undefined && o.max === undefined)) continue;
    out.push(withBounds({ key, kind: o.min !== undefined ? 'capacity' : 'timeout', why: 'required by the arena-lint configuration' }, o));
  }
  return out;
}

/** A sysctl value as one integer (`65535`); undefined for vectors (`4096 87380 6291456`) and text. */
export function parseSysctlInteger(value: string): number | undefined {
  const t = value.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

export type RequirementCheck = 'ok' | 'below-min' | 'above-max';

export function checkRequirement(req: SysctlRequirement, value: number): RequirementCheck {
  if (req.min !== undefined && value < req.min) return 'below-min';
  if (req.max !== undefined && value > req.max) return 'above-max';
  return 'ok';
}

export type SysctlNamespace = 'net' | 'ipc' | 'uts';

/**
 * net.core sysctls that exist once per network namespace (`netns_core_table` in
 * net/core/sysctl_net_core.c); the rest of net.core (rmem_max, netdev_max_backlog, ...) is global.
 */
const NETNS_CORE = new Set(['net.core.somaxconn', 'net.core.xfrm_aevent_etime', 'net.core.xfrm_aevent_rseqth', 'net.core.xfrm_larval_drop', 'net.core.xfrm_acq_expires', 'net.core.txrehash']);

/**
 * net.ipv4 sysctls in the global `ipv4_table` of net/ipv4/sysctl_net_ipv4.c (Linux 5.10); everything
 * else under net.ipv4 is per namespace. Later kernels moved a few more into the namespace.
 */
const GLOBAL_IPV4 = new Set([
  'tcp_max_orphans', 'inet_peer_threshold', 'inet_peer_minttl', 'inet_peer_maxttl', 'tcp_mem', 'udp_mem',
  'tcp_low_latency', 'tcp_available_ulp', 'icmp_msgs_per_sec', 'icmp_msgs_burst', 'fib_sync_mem',
  'tcp_rx_skb_cache', 'tcp_tx_skb_cache', 'cipso_cache_enable', 'cipso_cache_bucket_size', 'cipso_rbm_optfmt', 'cipso_rbm_strictvalid',
]);

/** System V IPC and POSIX message queue limits, per IPC namespace. */
const IPC_KEYS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/**
 * The namespace a sysctl belongs to, or undefined for a global one. A container gets its own
 * network, IPC and UTS namespaces, so a namespaced value set on the host does not reach it: the
 * container starts from the kernel default unless compose `sysctls:` sets it. A global value
 * (fs.file-max, net.core.netdev_max_backlog, vm.*) is shared with the host and cannot be set per
 * container.
 */
export function sysctlNamespace(key: string): SysctlNamespace | undefined {
  if (key.startsWith('net.')) {
    if (key.startsWith('net.core.')) return NETNS_CORE.has(key) ? 'net' : undefined;
    if (key.startsWith('net.ipv4.')) return GLOBAL_IPV4.has(key.slice('net.ipv4.'.length)) ? undefined : 'net';
    // nf_conntrack_max is the global table size; the other conntrack knobs are per namespace.
    if (key === 'net.netfilter.nf_conntrack_max' || key === 'net.nf_conntrack_max') return undefined;
    return 'net';
  }
  if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return undefined;
}

export function isNamespacedSysctl(key: string): boolean {
  return sysctlNamespace(key) !== undefined;
}

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

export interface KernelDefault {
  /** Undefined when the kernel computes it at boot (from RAM or hash table sizes). */
  readonly value?: number;
  /** How the default comes about, for messages. */
  readonly description: string;
}

/** `5.15.0-91-generic` -> { major: 5, minor: 15 }. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

const atLeast = (k: KernelVersion, major: number, minor: number): boolean => k.major > major || (k.major === major && k.minor >= minor);

/**
 * The value a fresh namespace (a container) or an untuned host starts with. Without a kernel version
 * the current default is given and the description names the older one.
 */
export function kernelDefault(key: string, kernel?: KernelVersion | string): KernelDefault | undefined {
  const k = typeof kernel === 'string' ? parseKernelVersion(kernel) : kernel;
  switch (key) {
    case 'net.core.somaxconn':
      // SOMAXCONN was raised from 128 to 4096 in Linux 5.4.
      if (k !== undefined && !atLeast(k, 5, 4)) return { value: 128, description: '128 (the kernel default before Linux 5.4)' };
      return { value: 4096, description: k === undefined ? '4096 (the kernel default since Linux 5.4; 128 before)' : '4096 (the kernel default since Linux 5.4)' };
    case 'net.ipv4.tcp_max_syn_backlog':
      return { description: 'set per namespace from the TCP hash table size, max(128, buckets / 128); typically 128 to 4096' };
    case 'net.core.netdev_max_backlog':
      return { value: 1000, description: '1000 (the kernel default)' };
    case 'fs.file-max':
      return { description: 'computed at boot from RAM (about one file per 10 KiB); systemd 240+ raises it to the maximum' };
    case 'net.ipv4.tcp_fin_timeout':
      return { value: 60, description: '60 seconds (the kernel default)' };
    case 'net.ipv4.tcp_keepalive_time':
      return { value: 7200, description: '7200 seconds (the kernel default)' };
    case 'net.ipv4.tcp_keepalive_probes':
      return { value: 9, description: '9 probes (the kernel default)' };
    case 'net.ipv4.tcp_keepalive_intvl':
      return { value: 75, description: '75 seconds (the kernel default)' };
    case 'net.ipv4.ip_local_port_range':
      return { description: '32768 60999 (the kernel default)' };
    case 'net.ipv4.tcp_tw_reuse':
      return { value: 2, description: '2, TIME_WAIT reuse for loopback connections only (the kernel default)' };
    default:
      return undefined;
  }
}
