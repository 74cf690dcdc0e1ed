import { describe, expect, it } from 'vitest';
import {
  checkRequirement,
  isNamespacedSysctl,
  kernelDefault,
  parseKernelVersion,
  parseSysctlInteger,
  resolveProfile,
  sysctlNamespace,
} from '../../src/reference/sysctl-profile.js';
import { effectiveSysctls } from '../../src/parsers/sysctl.js';
import { scanShellForSysctls } from '../../src/parsers/shell-sysctl.js';
import { fixture } from './sysctl-helpers.js';

const bounds = (reqs: ReturnType<typeof resolveProfile>) => Object.fromEntries(reqs.map((r) => [r.key, [r.min, r.max, r.kind]]));

describe('resolveProfile("seed")', () => {
  it('holds the seed plan\'s capacities and timeouts', () => {
    expect(bounds(resolveProfile('seed'))).toEqual({
      'fs.file-max': [200000, undefined, 'capacity'],
      'net.core.somaxconn': [65535, undefined, 'capacity'],
      'net.ipv4.tcp_max_syn_backlog': [8192, undefined, 'capacity'],
      'net.core.netdev_max_backlog': [5000, undefined, 'capacity'],
      'net.ipv4.tcp_fin_timeout': [undefined, 30, 'timeout'],
      'net.ipv4.tcp_keepalive_time': [undefined, 300, 'timeout'],
      'net.ipv4.tcp_keepalive_probes': [undefined, 5, 'timeout'],
      'net.ipv4.tcp_keepalive_intvl': [undefined, 15, 'timeout'],
    });
  });

  it('is met by the seed plan\'s own host script', () => {
    const winners = effectiveSysctls(scanShellForSysctls(fixture('scripts/tune-host.sh')).doc!);
    for (const req of resolveProfile('seed')) {
      const value = parseSysctlInteger(winners.get(req.key)!.value.value);
      expect(value, req.key).toBeDefined();
      expect(checkRequirement(req, value!), req.key).toBe('ok');
    }
  });

  it('applies overrides: replace bounds, drop a requirement, add a key', () => {
    const reqs = resolveProfile('seed', {
      'net.core.somaxconn': { min: 4096 },
      'net.ipv4.tcp_fin_timeout': { min: 10, max: 60 },
      'fs.file-max': {},
      'vm.max_map_count': { min: 262144 },
      'net.ipv4.tcp_syn_retries': { max: 3 },
    });
    const b = bounds(reqs);
    expect(b['net.core.somaxconn']).toEqual([4096, undefined, 'capacity']);
    expect(b['net.ipv4.tcp_fin_timeout']).toEqual([10, 60, 'timeout']);
    expect(b['fs.file-max']).toBeUndefined();
    expect(b['vm.max_map_count']).toEqual([262144, undefined, 'capacity']);
    expect(b['net.ipv4.tcp_syn_retries']).toEqual([undefined, 3, 'timeout']);
    expect(reqs).toHaveLength(9);
    // The profile itself is not modified by an override.
    expect(bounds(resolveProfile('seed'))['fs.file-max']).toEqual([200000, undefined, 'capacity']);
  });

  it('checks values against bounds', () => {
    const [fileMax] = resolveProfile('seed');
    expect(checkRequirement(fileMax!, 65535)).toBe('below-min');
    expect(checkRequirement(fileMax!, 200000)).toBe('ok');
    const fin = resolveProfile('seed').find((r) => r.key === 'net.ipv4.tcp_fin_timeout')!;
    expect(checkRequirement(fin, 60)).toBe('above-max');
  });

  it('reads single integers only', () => {
    expect(parseSysctlInteger(' 65535 ')).toBe(65535);
    expect(parseSysctlInteger('4096 87380 6291456')).toBeUndefined();
    expect(parseSysctlInteger('30 # comment')).toBeUndefined();
    expect(parseSysctlInteger('cubic')).toBeUndefined();
  });
});

describe('kernel facts', () => {
  it.each([
    ['net.core.somaxconn', 'net'],
    ['net.ipv4.tcp_max_syn_backlog', 'net'],
    ['net.ipv4.tcp_fin_timeout', 'net'],
    ['net.ipv4.tcp_keepalive_time', 'net'],
    ['net.ipv4.ip_local_port_range', 'net'],
    ['net.ipv4.conf.all.rp_filter', 'net'],
    ['net.ipv6.conf.all.disable_ipv6', 'net'],
    ['net.netfilter.nf_conntrack_tcp_timeout_established', 'net'],
    ['net.core.netdev_max_backlog', undefined],
    ['net.core.rmem_max', undefined],
    ['net.ipv4.tcp_mem', undefined],
    ['net.ipv4.tcp_max_orphans', undefined],
    ['net.netfilter.nf_conntrack_max', undefined],
    ['fs.file-max', undefined],
    ['vm.overcommit_memory', undefined],
    ['kernel.shmmax', 'ipc'],
    ['fs.mqueue.msg_max', 'ipc'],
    ['kernel.hostname', 'uts'],
    ['kernel.pid_max', undefined],
  ] as const)('%s lives in namespace %s', (key, ns) => {
    expect(sysctlNamespace(key)).toBe(ns);
    expect(isNamespacedSysctl(key)).toBe(ns !== undefined);
  });

  it('gives the somaxconn a container starts with, by kernel version', () => {
    expect(kernelDefault('net.core.somaxconn')).toMatchObject({ value: 4096 });
    expect(kernelDefault('net.core.somaxconn')!.description).toContain('128 before');
    expect(kernelDefault('net.core.somaxconn', '5.4.0-150-generic')!.value).toBe(4096);
    expect(kernelDefault('net.core.somaxconn', '6.18.44')!.value).toBe(4096);
    expect(kernelDefault('net.core.somaxconn', '4.19.0')!.value).toBe(128);
    expect(kernelDefault('net.core.somaxconn', { major: 5, minor: 3 })!.value).toBe(128);
  });

  it('knows the defaults of the seed keys, and says when the kernel computes one', () => {
    expect(kernelDefault('net.ipv4.tcp_fin_timeout')!.value).toBe(60);
    expect(kernelDefault('net.ipv4.tcp_keepalive_time')!.value).toBe(7200);
    expect(kernelDefault('net.ipv4.tcp_keepalive_probes')!.value).toBe(9);
    expect(kernelDefault('net.ipv4.tcp_keepalive_intvl')!.value).toBe(75);
    expect(kernelDefault('net.core.netdev_max_backlog')!.value).toBe(1000);
    expect(kernelDefault('net.ipv4.tcp_max_syn_backlog')!.value).toBeUndefined();
    expect(kernelDefault('fs.file-max')!.value).toBeUndefined();
    expect(kernelDefault('vm.swappiness')).toBeUndefined();
  });

  it('parses kernel release strings', () => {
    expect(parseKernelVersion('5.15.0-91-generic')).toEqual({ major: 5, minor: 15 });
    expect(parseKernelVersion('linux')).toBeUndefined();
  });
});
