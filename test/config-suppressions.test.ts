import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/finding.js';
import type { ParseResult } from '../src/core/problem.js';
import { createSourceFile, offsetAt, positionAt, type SourceFile } from '../src/core/source.js';
import { check } from '../src/engine/run.js';
import { applySuppressions, blockEnd } from '../src/engine/suppress.js';
import { parseEnvFile } from '../src/parsers/dotenv.js';
import { parseNginx } from '../src/parsers/nginx.js';
import { parsePgbouncerIni } from '../src/parsers/pgbouncer.js';
import { parsePython } from '../src/parsers/python.js';
import { scanShellForSysctls } from '../src/parsers/shell-sysctl.js';
import { parseSysctlConf } from '../src/parsers/sysctl.js';
import { parseYaml } from '../src/parsers/yaml.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

const IDS = RULES.map((r) => r.meta.id);

/** Every format arena-lint reads, with its own parser: the comments the suppressions come from. */
const FORMATS: ReadonlyArray<{ name: string; path: string; parse: (f: SourceFile) => ParseResult<unknown>; marker: string; code: string[] }> = [
  { name: 'YAML (compose)', path: 'docker-compose.yml', parse: parseYaml, marker: '#', code: ['services:', '  web-1:', '    image: app'] },
  { name: 'nginx', path: 'nginx/default.conf', parse: parseNginx, marker: '#', code: ['upstream app {', '    server web-1:8000;', '}'] },
  { name: 'settings.py', path: 'backend/settings.py', parse: parsePython, marker: '#', code: ['import os', 'DEBUG = False', 'ALLOWED_HOSTS = ["*"]'] },
  { name: 'pgbouncer.ini with ;', path: 'pgbouncer/pgbouncer.ini', parse: parsePgbouncerIni, marker: ';', code: ['[pgbouncer]', 'pool_mode = transaction', 'max_client_conn = 100'] },
  { name: 'pgbouncer.ini with #', path: 'pgbouncer/pgbouncer.ini', parse: parsePgbouncerIni, marker: '#', code: ['[pgbouncer]', 'pool_mode = transaction', 'max_client_conn = 100'] },
  { name: 'shell', path: 'host/tune.sh', parse: scanShellForSysctls, marker: '#', code: ['#!/bin/sh', 'sysctl -w net.core.somaxconn=65535', 'sysctl -w fs.file-max=2097152'] },
  { name: 'sysctl.conf', path: 'host/99-arena.conf', parse: parseSysctlConf, marker: '#', code: ['net.core.somaxconn = 65535', 'fs.file-max = 2097152', 'vm.swappiness = 10'] },
  { name: 'env file', path: 'config.env', parse: parseEnvFile, marker: '#', code: ['DEBUG=0', 'WORKERS=8', 'THREADS=4'] },
];

function findingAt(file: SourceFile, line: number, ruleId = 'replica-drift'): Finding {
  const start = offsetAt(file, line, 1) + (/^\s*/.exec(file.text.split('\n')[line - 1] ?? '')![0].length);
  return { ruleId, severity: 'warning', message: `finding on line ${line}`, span: { file: file.path, start, end: start + 1 }, related: [] };
}

/** Findings left after the file's own comments are applied, as `line rule`. */
function afterSuppression(path: string, text: string, parse: (f: SourceFile) => ParseResult<unknown>, findings: Array<[number, string]>): string[] {
  const file = createSourceFile(path, text);
  const { comments } = parse(file);
  const kept = applySuppressions(findings.map(([l, r]) => findingAt(file, l, r)), comments, 'stack', IDS, (p) => (p === file.path ? file : undefined));
  return kept.map((f) => `${positionAt(file, f.span.start).line} ${f.ruleId}${f.ruleId === 'unused-suppression' ? `: ${f.message}` : ''}`);
}

describe('inline suppressions in every format', () => {
  for (const fmt of FORMATS) {
    const [first, second, third] = fmt.code as [string, string, string];
    describe(fmt.name, () => {
      it('disable-next-line silences that rule on the next line only', () => {
        const text = [first, `${fmt.marker} arena-lint-disable-next-line replica-drift -- canary replica`, second, third, ''].join('\n');
        expect(afterSuppression(fmt.path, text, fmt.parse, [[3, 'replica-drift'], [4, 'replica-drift'], [3, 'replica-identity']])).toEqual([
          '4 replica-drift',
          '3 replica-identity',
        ]);
      });

      it('takes several ids separated by commas', () => {
        const text = [first, `${fmt.marker} arena-lint-disable-next-line replica-drift, replica-identity`, second, third, ''].join('\n');
        expect(afterSuppression(fmt.path, text, fmt.parse, [[3, 'replica-drift'], [3, 'replica-identity']])).toEqual([]);
      });

      it('disable silences the rule from there to the end of the file', () => {
        const text = [first, `${fmt.marker} arena-lint-disable replica-drift -- legacy below`, second, third, ''].join('\n');
        expect(afterSuppression(fmt.path, text, fmt.parse, [[1, 'replica-drift'], [3, 'replica-drift'], [4, 'replica-drift']])).toEqual(['1 replica-drift']);
      });

      it('reports a directive that silences nothing, or names an unknown rule, at its line', () => {
        const text = [first, `${fmt.marker} arena-lint-disable-next-line replica-drift`, second, `${fmt.marker} arena-lint-disable-next-line replica-drfit`, third, ''].join('\n');
        expect(afterSuppression(fmt.path, text, fmt.parse, [])).toEqual([
          '2 unused-suppression: arena-lint-disable-next-line replica-drift suppresses nothing',
          '4 unused-suppression: arena-lint-disable-next-line names unknown rule replica-drfit',
        ]);
      });
    });
  }

  it('a comment that only mentions the directive is not one', () => {
    const text = 'services:\n  # see docs: use arena-lint-disable-next-line to silence\n  web-1:\n    image: app\n';
    expect(afterSuppression('docker-compose.yml', text, parseYaml, [[3, 'replica-drift']])).toEqual(['3 replica-drift']);
  });
});

describe('arena-lint-disable ends with the block it is indented in', () => {
  it('nginx: at the closing brace of the block', () => {
    const text = [
      'upstream a {', //                                   1
      '    # arena-lint-disable replica-drift', //         2
      '    server web-1:8000;', //                         3
      '    server web-2:8000;', //                         4
      '}', //                                              5
      'upstream b {', //                                   6
      '    server web-1:8000;', //                         7
      '}', //                                              8
      '',
    ].join('\n');
    expect(afterSuppression('n.conf', text, parseNginx, [[3, 'replica-drift'], [4, 'replica-drift'], [7, 'replica-drift']])).toEqual(['7 replica-drift']);
    const file = createSourceFile('n.conf', text);
    expect(positionAt(file, blockEnd(file, text.indexOf('#'))).line).toBe(5);
  });

  it('nginx: nested blocks at the same depth stay inside', () => {
    const text = ['server {', '    # arena-lint-disable replica-drift', '    location / {', '        proxy_pass http://a;', '    }', '    location /b {', '    }', '}', 'server {', '}', ''].join('\n');
    expect(afterSuppression('n.conf', text, parseNginx, [[4, 'replica-drift'], [6, 'replica-drift'], [9, 'replica-drift']])).toEqual(['9 replica-drift']);
  });

  it('YAML: at the next key of the parent mapping; comments and blank lines do not end it', () => {
    const text = [
      'services:', //                                      1
      '  web-1:', //                                       2
      '    # arena-lint-disable replica-drift', //         3
      '    image: app', //                                 4
      '', //                                               5
      '  # a comment at the parent level', //             6
      '    command: gunicorn', //                          7
      '  web-2:', //                                       8
      '    image: app', //                                 9
      '',
    ].join('\n');
    expect(afterSuppression('docker-compose.yml', text, parseYaml, [[4, 'replica-drift'], [7, 'replica-drift'], [8, 'replica-drift'], [9, 'replica-drift']])).toEqual([
      '8 replica-drift',
      '9 replica-drift',
    ]);
  });

  it('a directive at the start of a line covers the rest of the file', () => {
    const text = 'a {\n}\n# arena-lint-disable replica-drift\nb {\n    c 1;\n}\n';
    const file = createSourceFile('n.conf', text);
    expect(blockEnd(file, text.indexOf('#'))).toBe(text.length);
  });
});

describe('suppressions in a checked repository', () => {
  let t: TmpStack;
  afterEach(() => t.remove());
  const REPO = join(FIXTURES, 'config', 'repo');
  const watched = (dir: string) => {
    const r = check({ dir, rules: RULES }).result;
    return r.findings
      .filter((f) => ['upstream-missing-replica', 'parse-error', 'unused-suppression'].includes(f.ruleId))
      .map((f) => `${f.span.file}:${positionAt(r.sources.get(f.span.file)!, f.span.start).line} ${f.ruleId}`);
  };

  it('nginx and compose directives silence the findings under them', () => {
    t = new TmpStack(REPO);
    t.edit('app/nginx/default.conf', '    server web-2:8000;', '    # arena-lint-disable-next-line upstream-missing-replica -- web-3 is a canary\n    server web-2:8000;');
    t.edit('legacy/nginx/default.conf', 'upstream django_backend {', '# arena-lint-disable upstream-missing-replica\nupstream django_backend {');
    t.edit('vendor/docker-compose.yml', '    image: postgres:15', '    # arena-lint-disable-next-line parse-error -- upstream file\n    image: postgres:15');
    expect(watched(t.dir)).toEqual([]);
  });

  it('an env file directive silences its parse error; a stale one is reported', () => {
    t = new TmpStack(REPO);
    t.edit('app/docker-compose.yml', '  expose: ["8000"]', '  expose: ["8000"]\n  env_file: app.env');
    t.write('app/app.env', 'DEBUG=0\n# arena-lint-disable-next-line parse-error -- generated by the deploy tool\n-not a line\n# arena-lint-disable-next-line parse-error\nWORKERS=8\n');
    // The three replicas share the env file: its directives still count once.
    expect(watched(t.dir).filter((l) => l.startsWith('app/'))).toEqual(['app/app.env:4 unused-suppression', 'app/nginx/default.conf:3 upstream-missing-replica']);
  });

  it('a host script and a sysctl file carry directives too', () => {
    t = new TmpStack(REPO);
    mkdirSync(join(t.dir, 'host', 'sysctl.d'), { recursive: true });
    t.write('host/tune.sh', '#!/bin/sh\n# arena-lint-disable-next-line replica-drift\nsysctl -w net.core.somaxconn=65535\n');
    t.write('host/sysctl.d/99-arena.conf', '; arena-lint-disable-next-line replica-drift\nnet.core.somaxconn = 65535\n');
    const found = watched(t.dir);
    expect(found).toContain('host/tune.sh:2 unused-suppression');
    expect(found).toContain('host/sysctl.d/99-arena.conf:1 unused-suppression');
  });
});
