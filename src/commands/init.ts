import { existsSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSourceFile } from '../core/source.js';
import { CONFIG_FILE_NAMES, loadConfig } from '../engine/config.js';
import { check, findComposeFiles, UsageError, type CheckRun } from '../engine/run.js';
import { Workspace } from '../workspace/workspace.js';
import { lookupInstance, suggestInstances } from '../reference/instances.js';
import { capacityPlan } from '../facts/plan.js';
import { formatAmount } from '../facts/resources.js';
import { RULES } from '../../rules/index.js';
import type { CliIO } from './io.js';

export const INIT_OPTIONS = {
  host: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  'target-rps': { type: 'string' },
  'latency-ms': { type: 'string' },
  force: { type: 'boolean' },
} as const;

export interface InitAnswers {
  readonly stacks: readonly string[];
  readonly instance?: string;
  readonly cpus?: number;
  readonly memory?: string;
  readonly targetRps?: number;
  readonly latencyMs?: number;
}

function positive(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} needs a number above 0, got "${raw}"`);
  return n;
}

/** YAML scalars that stay strings whatever they contain. */
const quoted = (s: string) => JSON.stringify(s);

/**
 * The config file `init` writes: every section commented with what it turns on, the values given
 * filled in and the others left as commented examples, so the file explains itself.
 */
export function initConfigText(a: InitAnswers): string {
  const out: string[] = [
    '# arena-lint configuration, written by `arena-lint init`.',
    '# Every key: docs/configuration.md; the schema: schemas/arena-lint.schema.json.',
    '',
    `# The stacks found, one per compose file. Every compose file under this folder is checked;`,
    '# uncomment to check only these (globs allowed), knowing that a compose file added later is',
    '# then left out until it is listed here.',
    '# stacks:',
    ...a.stacks.map((s) => `#   - ${quoted(s)}`),
    '',
    '# The machine the stacks run on. With it, host-capacity compares the summed limits and',
    '# reservations with it, gunicorn-workers-cpu and nofile-limits use its CPUs where a container',
    '# sets none, and the capacity report shows how much of it the stack takes.',
  ];
  if (a.instance === undefined && a.cpus === undefined && a.memory === undefined) {
    out.push('# host:', '#   instance: aws/c5.12xlarge   # a built-in instance type, or:', '#   cpus: 48', '#   memory: 96GiB');
  } else if (a.instance !== undefined) {
    out.push('host:');
    const t = lookupInstance(a.instance)!;
    out.push(`  instance: ${t.name}   # ${t.cpus} vCPUs, ${formatAmount('memory', t.memoryBytes)}`);
    out.push('  # cpus: 48            # or give the CPUs and memory yourself');
    out.push('  # memory: 96GiB');
  } else {
    out.push('host:');
    out.push('  # instance: aws/c5.12xlarge   # a built-in instance type, or the two values below');
    out.push(a.cpus !== undefined ? `  cpus: ${a.cpus}` : '  # cpus: 48');
    out.push(a.memory !== undefined ? `  memory: ${quoted(a.memory)}` : '  # memory: 96GiB');
  }
  out.push(
    '',
    '# The load to plan for. capacity-target reports a stack whose replicas x workers x threads',
    '# cannot serve targetRps when each request holds a worker for latencyMs.',
    'capacity:',
    a.targetRps !== undefined ? `  targetRps: ${a.targetRps}` : '  targetRps: 500       # the default; set your peak',
    a.latencyMs !== undefined ? `  latencyMs: ${a.latencyMs}` : '  # latencyMs: 500     # mean time a request holds a worker (default 500)',
    '  # workerMemory: 200MiB   # resident memory of one worker, for worker-memory-budget',
    '',
    '# Severities per rule (error, warning, info, off); see `arena-lint rules`.',
    '# rules:',
    '#   replica-drift: error',
    '',
  );
  return out.join('\n');
}

/** Rules that stayed silent for want of a host or a capacity plan, per run. */
function silentForHost(run: CheckRun): Set<string> {
  return new Set(run.unknowns.filter((u) => /no host:|host\.\w+ is not configured|no capacity:|config gives no host|needs host\./.test(u.reason)).map((u) => u.ruleId));
}

/** `arena-lint init [DIR]`: writes DIR/.arena-lint.yaml and says which rules it turns on. */
export function initCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: INIT_OPTIONS });
  if (positionals.length > 1) throw new UsageError(`init takes one directory, got ${positionals.length}`);
  const shown = positionals[0] ?? '.';
  const dir = resolve(io.cwd, shown);
  if (!existsSync(dir)) throw new UsageError(`no such directory: ${shown}`);
  const ws = new Workspace(dir);
  const present = CONFIG_FILE_NAMES.find((n) => ws.exists(n));
  if (present && !values.force) throw new UsageError(`${join(shown, present)} exists; pass --force to replace it (with .arena-lint.yaml)`);
  if (values.host !== undefined && (values.cpus !== undefined || values.memory !== undefined)) throw new UsageError('give --host, or --cpus and --memory, not both');
  if (values.host !== undefined && !lookupInstance(values.host)) {
    const near = suggestInstances(values.host);
    throw new UsageError(`unknown instance type "${values.host}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : ''} (or give --cpus and --memory)`);
  }
  const stacks = findComposeFiles(ws);
  if (stacks.length === 0) throw new UsageError(`no compose file found in ${shown} (looked for docker-compose*.yml, compose*.yml and .yaml); nothing to configure`);
  const cpus = positive('cpus', values.cpus);
  const answers: InitAnswers = {
    stacks,
    ...(values.host !== undefined ? { instance: values.host } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(values.memory !== undefined ? { memory: values.memory } : {}),
    ...(values['target-rps'] !== undefined ? { targetRps: positive('target-rps', values['target-rps'])! } : {}),
    ...(values['latency-ms'] !== undefined ? { latencyMs: positive('latency-ms', values['latency-ms'])! } : {}),
  };
  const text = initConfigText(answers);
  // Validated as `check` will read it, before anything is written.
  const loaded = loadConfig(createSourceFile('.arena-lint.yaml', text));
  if (loaded.problems.length) throw new Error(`init wrote an invalid configuration: ${loaded.problems.map((p) => p.message).join('; ')}`);
  const plan = capacityPlan(loaded.config);
  if (plan.problems.length) throw new UsageError(plan.problems.map((p) => p.message).join('; '));

  const before = check({ dir, displayDir: shown, rules: RULES, ...(present ? { configPath: join(dir, present) } : {}) });
  const target = join(dir, '.arena-lint.yaml');
  writeFileSync(target, text);
  const after = check({ dir, displayDir: shown, rules: RULES, configPath: target });
  const turnedOn = [...silentForHost(before)].filter((id) => !silentForHost(after).has(id)).sort();
  const written = relative(io.cwd, target).split('\\').join('/');
  const lines = [`wrote ${written} for ${stacks.length} stack${stacks.length === 1 ? '' : 's'} (${stacks.join(', ')})`];
  if (turnedOn.length) lines.push(`turns on ${turnedOn.join(', ')}, which stayed silent without a host`);
  const stillOff = [...silentForHost(after)].sort();
  if (stillOff.length) lines.push(`still silent: ${stillOff.join(', ')} (give ${answers.instance === undefined && answers.cpus === undefined ? '--host, or --cpus and --memory' : 'the missing host values'})`);
  const delta = after.result.findings.length - before.result.findings.length;
  lines.push(`arena-lint check ${shown} now reports ${after.result.findings.length} finding${after.result.findings.length === 1 ? '' : 's'}${delta > 0 ? ` (${delta} more)` : ''}`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
