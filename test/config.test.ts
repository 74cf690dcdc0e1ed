import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../src/cli.js';
import { createSourceFile, positionAt } from '../src/core/source.js';
import { loadConfig } from '../src/engine/config.js';
import { check, severityFor } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

/** Problems of a config text as `line:column message`, the way the CLI shows them. */
function problems(text: string, path = '.arena-lint.yaml'): string[] {
  const file = createSourceFile(path, text);
  return loadConfig(file).problems.map((p) => {
    const at = positionAt(file, p.span.start);
    return `${at.line}:${at.column} ${p.message}`;
  });
}

describe('config validation points at the config line', () => {
  it('accepts a complete config and keeps its data', () => {
    const text = [
      '# yaml-language-server: $schema=./node_modules/arena-lint/schemas/arena-lint.schema.json',
      'rules:',
      '  replica-drift: error',
      '  upstream-missing-replica: off',
      'host: { cpus: 48, memory: 96GiB }',
      'capacity: { targetRps: 1000, latencyMs: 300, workerMemory: 250MiB }',
      'sysctl: { profile: seed, require: true, keys: { net.core.somaxconn: { min: 4096 } } }',
      'ignore: ["vendor/"]',
      'stacks: ["deploy/*.yml"]',
      'overrides:',
      '  - files: ["legacy/**"]',
      '    rules: { replica-drift: off }',
      '  - stacks: ["staging/**"]',
      '    rules: { upstream-missing-replica: warning }',
    ].join('\n');
    const { config, problems: p } = loadConfig(createSourceFile('.arena-lint.yaml', text));
    expect(p).toEqual([]);
    expect(config.data.rules).toEqual({ 'replica-drift': 'error', 'upstream-missing-replica': 'off' });
    expect(config.data.host).toEqual({ cpus: 48, memory: '96GiB' });
    expect(config.data.overrides?.[1]).toEqual({ stacks: ['staging/**'], rules: { 'upstream-missing-replica': 'warning' } });
    const span = config.spanOf(['host', 'cpus'])!;
    expect(text.slice(span.start, span.end)).toBe('48');
  });

  it('reports an unknown key with a did-you-mean, at the key', () => {
    expect(problems('rules: {}\ncapacty:\n  targetRps: 4\n')).toEqual(['2:1 unknown key "capacty"; did you mean "capacity"?']);
    expect(problems('host:\n  cpu: 4\n')).toEqual(['2:3 unknown key "cpu" in host; did you mean "cpus"?']);
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(problems('capacity:\n  zzz: 1\n')).toEqual(['2:3 unknown key "zzz" in capacity (expected one of targetRps, latencyMs, workerMemory)']);
  });

  it('reports an unknown rule id with a did-you-mean, in rules and in overrides', () => {
    expect(problems('rules:\n  replica-drift: warning\n  upstream-mising-replica: off\n')).toEqual([
      '3:3 unknown rule "upstream-mising-replica" in rules; did you mean "upstream-missing-replica"?; see `arena-lint rules`',
    ]);
    expect(problems('overrides:\n  - files: [a]\n    rules:\n      no-such-thing: off\n')).toEqual([
      '4:7 unknown rule "no-such-thing" in overrides[0].rules; see `arena-lint rules`',
    ]);
  });

  it('reports a bad severity at its value with the allowed values', () => {
    expect(problems('rules:\n  replica-drift: loud\n')).toEqual(['2:18 rules.replica-drift must be one of off, info, warning, error, got "loud"']);
    expect(problems('rules:\n  replica-drift: errror\n')).toEqual([
      '2:18 rules.replica-drift must be one of off, info, warning, error, got "errror"; did you mean "error"?',
    ]);
  });

  it('reports a wrong type at the value', () => {
    expect(problems('host:\n  cpus: two\n')).toEqual(['2:9 host.cpus must be a number, got "two"']);
    expect(problems('ignore: vendor/\n')).toEqual(['1:9 ignore must be a list, got "vendor/"']);
    expect(problems('rules: [replica-drift]\n')).toEqual(['1:8 rules must be a mapping, got a list']);
    expect(problems('- rules\n')).toEqual(['1:1 the configuration must be a mapping, got a list']);
    expect(problems('host:\n  cpus: 0\n')).toEqual(['2:9 host.cpus must be greater than 0, got number 0']);
  });

  it('reports an override that says neither files nor stacks, or has no rules', () => {
    expect(problems('overrides:\n  - rules: { replica-drift: off }\n')).toEqual(['2:5 overrides[0] needs "files" or "stacks" to say where its rules apply']);
    expect(problems('overrides:\n  - files: [a]\n')).toEqual(['2:5 overrides[0] needs "rules"']);
  });

  it('reports every problem of a file, not only the first', () => {
    expect(problems('hots: 1\nrules:\n  replica-drift: loud\n')).toHaveLength(2);
  });

  it('reports YAML syntax errors at their line', () => {
    const p = problems('rules:\n  replica-drift: [off\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^[23]:\d+ /);
  });

  it('accepts the $schema key editors use in JSON configs', () => {
    expect(problems('{ "$schema": "./node_modules/arena-lint/schemas/arena-lint.schema.json", "rules": {} }', 'arena-lint.config.json')).toEqual([]);
  });

  it('reads JSON configs with lines, and an empty file as no settings', () => {
    expect(problems('{\n  "rules": {\n    "replica-drif": "off"\n  }\n}\n', 'arena-lint.config.json')).toEqual([
      '3:5 unknown rule "replica-drif" in rules; did you mean "replica-drift"?; see `arena-lint rules`',
    ]);
    expect(problems('')).toEqual([]);
  });

  it('knows every rule id (the schema is generated from the rules)', () => {
    for (const r of RULES) expect(problems(`rules:\n  ${r.meta.id}: off\n`), r.meta.id).toEqual([]);
  });
});

const REPO = join(FIXTURES, 'config', 'repo');
const WATCHED = new Set(['upstream-missing-replica', 'parse-error', 'unused-suppression']);

/** The findings of the rules these tests are about, as `file:line rule severity`. */
function run(dir: string, configPath?: string): string[] {
  const r = check({ dir, rules: RULES, ...(configPath ? { configPath } : {}) });
  return r.result.findings
    .filter((f) => WATCHED.has(f.ruleId))
    .map((f) => `${f.span.file}:${positionAt(r.result.sources.get(f.span.file)!, f.span.start).line} ${f.ruleId} ${f.severity}`);
}

describe('config features on a repository with three stacks', () => {
  let t: TmpStack | undefined;
  afterEach(() => t?.remove());
  const repo = () => (t = new TmpStack(REPO));

  it('reports all three stacks without a config', () => {
    expect(run(REPO)).toEqual([
      'app/nginx/default.conf:3 upstream-missing-replica error',
      'legacy/nginx/default.conf:3 upstream-missing-replica error',
      'vendor/docker-compose.yml:4 parse-error error',
    ]);
  });

  it('ignore: does not read ignored folders', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'ignore: ["vendor/", "legacy/**/*.yml"]\n');
    const checked = check({ dir: r.dir, rules: RULES });
    expect(checked.result.stacks.map((s) => s.name)).toEqual(['app/docker-compose.yml']);
    expect(run(r.dir)).toEqual(['app/nginx/default.conf:3 upstream-missing-replica error']);
  });

  it('ignore: a file a stack names explicitly (a bind mount) is still read', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'ignore: ["nginx/"]\nstacks: ["app/**"]\n');
    expect(run(r.dir)).toEqual(['app/nginx/default.conf:3 upstream-missing-replica error']);
  });

  it('stacks: only the chosen compose files are stacks', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'stacks: ["app/*.yml"]\n');
    expect(check({ dir: r.dir, rules: RULES }).result.stacks.map((s) => s.name)).toEqual(['app/docker-compose.yml']);
    expect(run(r.dir)).toEqual(['app/nginx/default.conf:3 upstream-missing-replica error']);
  });

  it('rules: sets a severity everywhere', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'rules:\n  upstream-missing-replica: info\n  parse-error: off\n');
    expect(run(r.dir)).toEqual(['app/nginx/default.conf:3 upstream-missing-replica info', 'legacy/nginx/default.conf:3 upstream-missing-replica info']);
  });

  it('overrides by files: applies to findings in matching files, later overrides win', () => {
    const r = repo();
    r.write('.arena-lint.yaml', [
      'overrides:',
      '  - files: ["legacy/**"]',
      '    rules: { upstream-missing-replica: off }',
      '  - files: ["**/*.yml"]',
      '    rules: { parse-error: warning }',
      '  - files: ["vendor/docker-compose.yml"]',
      '    rules: { parse-error: info }',
    ].join('\n'));
    expect(run(r.dir)).toEqual(['app/nginx/default.conf:3 upstream-missing-replica error', 'vendor/docker-compose.yml:4 parse-error info']);
  });

  it('overrides by stacks: applies to every finding of the matching stacks', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'overrides:\n  - stacks: ["legacy/docker-compose.yml"]\n    rules: { upstream-missing-replica: warning }\n');
    expect(run(r.dir)).toEqual([
      'app/nginx/default.conf:3 upstream-missing-replica error',
      'legacy/nginx/default.conf:3 upstream-missing-replica warning',
      'vendor/docker-compose.yml:4 parse-error error',
    ]);
  });

  it('an override can turn on a rule that is off at the top', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'rules: { upstream-missing-replica: off }\noverrides:\n  - files: ["app/**"]\n    rules: { upstream-missing-replica: warning }\n');
    expect(run(r.dir).filter((l) => l.includes('upstream'))).toEqual(['app/nginx/default.conf:3 upstream-missing-replica warning']);
  });

  it('unused-suppression follows the config like any rule', () => {
    const r = repo();
    r.write('app/nginx/default.conf', `# arena-lint-disable-next-line replica-drift\n${r.read('app/nginx/default.conf')}`);
    expect(run(r.dir)).toContain('app/nginx/default.conf:1 unused-suppression warning');
    r.write('.arena-lint.yaml', 'rules: { unused-suppression: error }\n');
    expect(run(r.dir)).toContain('app/nginx/default.conf:1 unused-suppression error');
    r.write('.arena-lint.yaml', 'rules: { unused-suppression: off }\n');
    expect(run(r.dir).filter((l) => l.includes('unused'))).toEqual([]);
  });

  it('finds .arena-lint.yml and arena-lint.config.json, .arena-lint.yaml first', () => {
    const r = repo();
    r.write('arena-lint.config.json', '{ "rules": { "parse-error": "off" } }\n');
    expect(run(r.dir)).not.toContain('vendor/docker-compose.yml:4 parse-error error');
    r.write('.arena-lint.yml', 'rules: { upstream-missing-replica: off }\n');
    expect(run(r.dir)).toEqual(['vendor/docker-compose.yml:4 parse-error error']);
    r.write('.arena-lint.yaml', 'rules: { parse-error: info }\n');
    expect(run(r.dir)).toContain('vendor/docker-compose.yml:4 parse-error info');
  });

  it('--config reads a file elsewhere, in place of the one in the folder', () => {
    const r = repo();
    r.write('.arena-lint.yaml', 'rules: { parse-error: info }\n');
    const elsewhere = new TmpStack(join(FIXTURES, 'config', 'repo', 'vendor'));
    try {
      elsewhere.write('strict.yaml', 'rules: { parse-error: warning }\n');
      expect(run(r.dir, join(elsewhere.dir, 'strict.yaml'))).toContain('vendor/docker-compose.yml:4 parse-error warning');
    } finally {
      elsewhere.remove();
    }
  });
});

describe('severityFor', () => {
  const rule = RULES.find((r) => r.meta.id === 'replica-drift')!;
  it('needs both files and stacks to match when an override gives both', () => {
    const { config } = loadConfig(createSourceFile('c.yaml', 'overrides:\n  - files: ["a/**"]\n    stacks: ["a/compose.yml"]\n    rules: { replica-drift: off }\n'));
    expect(severityFor(rule, config, 'a/x.conf', 'a/compose.yml')).toBe('off');
    expect(severityFor(rule, config, 'a/x.conf', 'b/compose.yml')).toBe(rule.meta.defaultSeverity);
    expect(severityFor(rule, config, 'b/x.conf', 'a/compose.yml')).toBe(rule.meta.defaultSeverity);
  });
});

describe('the CLI on an invalid config', () => {
  it('exits 2 and names file:line:col for every problem', () => {
    const t = new TmpStack(REPO);
    try {
      t.write('.arena-lint.yml', 'rules:\n  replica-drif: off\nhost:\n  cpus: many\n');
      let stderr = '';
      const io: CliIO = { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd: t.dir };
      expect(main(['check', '.'], io)).toBe(2);
      expect(stderr).toContain('.arena-lint.yml:2:3: unknown rule "replica-drif" in rules; did you mean "replica-drift"?');
      expect(stderr).toContain('.arena-lint.yml:4:9: host.cpus must be a number, got "many"');
      // Checked from the folder above, the path is the one the user can open from there.
      stderr = '';
      expect(main(['check', basename(t.dir)], { ...io, cwd: dirname(t.dir) })).toBe(2);
      expect(stderr).toContain(`${basename(t.dir)}/.arena-lint.yml:2:3: unknown rule`);
    } finally {
      t.remove();
    }
  });
});
