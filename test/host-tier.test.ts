import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { positionAt } from '../src/core/source.js';
import type { Span } from '../src/core/value.js';
import { check } from '../src/engine/run.js';
import { loadConfig } from '../src/engine/config.js';
import { createSourceFile } from '../src/core/source.js';
import { Workspace } from '../src/workspace/workspace.js';
import { stackConcurrency } from '../src/facts/concurrency.js';
import { containerSysctl, listenBacklogs, nginxProcessLimits } from '../src/facts/limits.js';
import { capacityPlan, DEFAULT_WORKER_MEMORY } from '../src/facts/plan.js';
import { resourceTotal } from '../src/facts/resources.js';
import { hostSysctls } from '../src/inputs/sysctl.js';
import { buildStack, type Stack } from '../src/stack/stack.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

const SYSCTL = join(FIXTURES, 'sysctl');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function stackOf(dir: string, compose = 'docker-compose.yml'): Stack {
  return buildStack(new Workspace(dir), compose);
}

/** `file:line` and the text of a span, what a reader checks by eye. */
function at(stack: Stack, span: Span): string {
  const file = stack.sources.get(span.file)!;
  return `${span.file}:${positionAt(file, span.start).line} ${file.text.slice(span.start, span.end)}`;
}

function configFrom(yaml: string) {
  const { config, problems } = loadConfig(createSourceFile('.arena-lint.yaml', yaml));
  expect(problems).toEqual([]);
  return config;
}

describe('host sysctl sources (fixtures/sysctl: one of each kind)', () => {
  const stack = stackOf(SYSCTL);
  const sysctls = stack.sysctls;

  it('finds sysctl files and the scripts that set sysctls, and nothing else', () => {
    expect(sysctls.sources.map((s) => [s.path, s.kind])).toEqual([
      ['etc/sysctl.conf', 'sysctl-file'],
      ['scripts/tune-host.sh', 'script'],
      ['scripts/write-dropin.sh', 'script'],
      ['sysctl.d/99-arena.conf', 'sysctl-file'],
    ]);
  });

  it('is read once per workspace and registered on every stack', () => {
    const ws = new Workspace(SYSCTL);
    // Each stack joins the workspace's sources (less what its containers load); the files are read once.
    const [a, b] = [buildStack(ws, 'docker-compose.yml').sysctls, buildStack(ws, 'docker-compose.yml').sysctls];
    expect(a.sources.length).toBeGreaterThan(0);
    for (const [i, src] of a.sources.entries()) expect(b.sources[i]).toBe(src);
    for (const s of sysctls.sources) expect(stack.files.has(s.path)).toBe(true);
  });

  it('keeps the boot value (load order: drop-ins by name, then sysctl.conf; last wins) apart from sysctl -w', () => {
    const somaxconn = sysctls.get('net.core.somaxconn')!;
    // etc/sysctl.conf sets 65535 and later 4096; sysctl.conf loads after every drop-in.
    expect(at(stack, somaxconn.persisted!.value.span)).toBe('etc/sysctl.conf:10 4096');
    // The scripts run in path order: write-dropin.sh's /proc write comes after tune-host.sh's sysctl -w.
    expect(at(stack, somaxconn.runtime!.value.span)).toBe('scripts/write-dropin.sh:18 1024');
    expect(somaxconn.effective).toBe(somaxconn.runtime);
  });

  it('reads a key only persisted by a script that writes a sysctl file', () => {
    const fin = sysctls.get('net.ipv4.tcp_keepalive_time')!;
    expect(fin.runtime && at(stack, fin.runtime.value.span)).toBe('scripts/tune-host.sh:15 300');
    // 99-arena.conf (repo drop-in) vs. the heredoc written to 60-arena.conf: 99 loads last.
    expect(at(stack, fin.persisted!.value.span)).toBe('sysctl.d/99-arena.conf:3 300');
  });

  it('gives a container its compose sysctls (list or map, dotted or slash keys), else the kernel default, or the host value with network_mode: host', () => {
    const v = (svc: string, key: string) => {
      const c = containerSysctl(stack, stack.service(svc)!, key);
      return [c.origin, c.value.kind === 'known' ? c.value.value : c.value.reason];
    };
    expect(v('nginx', 'net.core.somaxconn')).toEqual(['compose', 16384]);
    expect(v('redis', 'net.core.somaxconn')).toEqual(['compose', 8192]);
    expect(v('redis', 'net.ipv4.tcp_keepalive_time')).toEqual(['compose', 300]);
    expect(v('web', 'net.core.somaxconn')).toEqual(['kernel-default', 4096]);
    expect(v('worker', 'net.core.somaxconn')).toEqual(['host', 1024]);
  });

  it('lists every listen backlog with its default', () => {
    const b = (svc: string) => listenBacklogs(stack, stack.service(svc)!).map((x) => [x.program, x.value.kind === 'known' ? x.value.value : null, x.value.kind === 'known' && x.value.isDefault === true]);
    expect(b('redis')).toEqual([['redis', 8192, false]]);
    expect(b('web')).toEqual([['gunicorn', 4096, false]]);
    expect(b('worker')).toEqual([['gunicorn', 2048, true]]);
  });
});

describe('sysctl source problems and suppressions reach the findings', () => {
  let tmp: TmpStack | undefined;
  afterEach(() => tmp?.remove());

  it('a bad line of a sysctl file is a parse-error of the stack, and a comment in it suppresses a finding', () => {
    tmp = new TmpStack(join(FIXTURES, 'rules', 'sysctl-required', 'invalid-dropin-values'));
    tmp.edit('host/sysctl.d/60-arena.conf', 'net.core.somaxconn = 4096', '# arena-lint-disable-next-line sysctl-required\nnet.core.somaxconn = 4096\nvm.swappiness');
    const run = check({ dir: tmp.dir, rules: RULES });
    const lines = run.result.findings.map((f) => `${f.ruleId} ${f.span.file}:${positionAt(run.result.sources.get(f.span.file)!, f.span.start).line}`);
    expect(lines).toContain('parse-error host/sysctl.d/60-arena.conf:5');
    expect(lines.filter((l) => l.startsWith('sysctl-required host/sysctl.d/60-arena.conf:4'))).toEqual([]);
    expect(lines).toContain('sysctl-required host/sysctl.d/60-arena.conf:8');
  });
});

describe('a sysctl script a container loads is that container\'s, not the host\'s', () => {
  let tmp: TmpStack | undefined;
  afterEach(() => tmp?.remove());

  it('is no host source once a Dockerfile COPYs it into an image of the stack', () => {
    tmp = new TmpStack(SYSCTL);
    tmp.write('vpn/tune.sh', '#!/bin/sh\nsysctl -w net.ipv4.tcp_fin_timeout=10\nexec openvpn --config /etc/openvpn.conf\n');
    const before = buildStack(new Workspace(tmp.dir), 'docker-compose.yml').sysctls.sources.map((s) => s.path);
    expect(before).toContain('vpn/tune.sh');
    tmp.write('vpn/Dockerfile', 'FROM alpine:3.20\nCOPY tune.sh /usr/local/bin/tune.sh\nCMD ["/usr/local/bin/tune.sh"]\n');
    tmp.edit('docker-compose.yml', 'services:\n', 'services:\n  vpn:\n    build: ./vpn\n');
    const after = buildStack(new Workspace(tmp.dir), 'docker-compose.yml').sysctls.sources.map((s) => s.path);
    expect(after).not.toContain('vpn/tune.sh');
    expect(after).toEqual(before.filter((p) => p !== 'vpn/tune.sh'));
  });
});

describe('resources and concurrency of the seed stacks, by hand', () => {
  const scaled = stackOf(join(FIXTURES, 'arena-scaled'), 'docker-compose.loadbalanced.yml');
  const current = stackOf(join(FIXTURES, 'arena-current'), 'docker-compose.loadbalanced.yml');

  it('sums limits and reservations with every replica counted (the seed: 35 CPUs, ~40 GB)', () => {
    expect(resourceTotal(scaled, 'limits', 'cpus').total).toBe(15 * 2 + 2 + 2 + 1);
    expect(resourceTotal(scaled, 'limits', 'memory').total).toBe((15 * 2048 + 1024 + 8192 + 512) * MiB);
    expect(resourceTotal(scaled, 'limits', 'memory').total / GiB).toBe(39.5);
    expect(resourceTotal(scaled, 'reservations', 'cpus').total).toBe(15 * 1 + 1 + 1 + 0.5);
    expect(resourceTotal(scaled, 'reservations', 'memory').total).toBe((15 * 1024 + 512 + 4096 + 256) * MiB);
    expect(resourceTotal(current, 'limits', 'cpus').total).toBe(11.5);
    expect(resourceTotal(current, 'limits', 'memory').total).toBe((10 * 1024 + 512 + 2048 + 256) * MiB);
  });

  it('groups replicas with the same value into one term, each pointing at its line', () => {
    const t = resourceTotal(scaled, 'limits', 'cpus');
    expect(t.terms.map((x) => [x.label, x.count, x.each])).toEqual([['web', 15, 2], ['nginx', 1, 2], ['redis', 1, 2], ['pgbouncer', 1, 1]]);
    expect(at(scaled, t.terms[0]!.spans[0]!)).toBe('docker-compose.loadbalanced.yml:28 2.0');
    expect(t.terms[0]!.spans).toHaveLength(15);
  });

  it('computes concurrency as replicas x workers x threads (10 x 4 x 2 = 80, 15 x 8 x 4 = 480)', () => {
    for (const [stack, expected] of [[current, [10, 4, 2, 80]], [scaled, [15, 8, 4, 480]]] as const) {
      const c = stackConcurrency(stack);
      expect(c.unknowns).toEqual([]);
      expect(c.groups.map((g) => [g.containers, g.workers.value, g.perWorker.value, g.concurrency])).toEqual([expected]);
      expect(c.total).toBe(expected[3]);
    }
  });

  it('reads nginx worker limits, with the image defaults when the repository has no nginx.conf', () => {
    const l = nginxProcessLimits(scaled.proxies[0]!)!;
    expect([l.workerProcesses.value, l.workerConnections.value, l.workerRlimitNofile?.value]).toEqual([16, 10000, 65535]);
    const implicit = stackOf(join(FIXTURES, 'rules', 'backlog-over-somaxconn', 'invalid-backlogs-truncated'));
    const d = nginxProcessLimits(implicit.proxies[0]!)!;
    expect([d.workerProcesses.value, d.workerProcesses.isDefault, d.workerConnections.value, d.workerRlimitNofile]).toEqual(['auto', true, 1024, undefined]);
  });
});

describe('capacity plan from the config', () => {
  it('fills in the defaults', () => {
    const p = capacityPlan(configFrom('rules: {}\n'));
    expect([p.host, p.capacity.targetRps.value, p.capacity.latencyMs.value, p.capacity.workerMemory.value, p.problems]).toEqual([undefined, 500, 500, DEFAULT_WORKER_MEMORY, []]);
    expect(p.capacity.targetRps.origin).toBe('default');
  });

  it('takes an instance\'s figures, overridden by explicit cpus or memory', () => {
    const p = capacityPlan(configFrom('host:\n  instance: F48s v2\n  memory: 64GB\n'));
    expect(p.host?.instance?.name).toBe('azure/Standard_F48s_v2');
    expect([p.host?.cpus?.value, p.host?.cpus?.origin, p.host?.memory?.value, p.host?.memory?.origin]).toEqual([48, 'instance', 64 * GiB, 'config']);
  });

  it('reports an unknown instance and unreadable memory with their config spans', () => {
    const config = configFrom('host:\n  instance: gcp/c2-standard-6O\ncapacity:\n  workerMemory: lots\n');
    const p = capacityPlan(config);
    expect(p.problems.map((x) => [x.key.join('.'), x.message, x.span && config.file!.text.slice(x.span.start, x.span.end)])).toEqual([
      ['host.instance', 'host.instance: unknown instance type "gcp/c2-standard-6O"; did you mean gcp/c2-standard-60, gcp/c2-standard-16, gcp/c2-standard-30? (or give host.cpus and host.memory)', 'gcp/c2-standard-6O'],
      ['capacity.workerMemory', 'capacity.workerMemory: cannot read "lots" as memory (write e.g. 96GiB, 512MiB or a number of bytes)', 'lots'],
    ]);
    expect(p.capacity.workerMemory.origin).toBe('default');
  });
});
