import { join } from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { TmpStack } from '../helpers/tmp-stack.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}, isTTY = false, cwd = FIXTURES) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY, env, cwd };
  const code = main(args, io);
  return { code, stdout, stderr };
}

// Stacks written for these tests, each firing exactly what the test needs whatever other rules exist.
const WEB = (n: number, workers: number) => `  web-${n}:\n    image: shop:1\n    command: gunicorn --bind 0.0.0.0:8000 --workers ${workers} shop.wsgi\n`;
const STACKS: Record<string, Record<string, string>> = {
  clean: { 'docker-compose.yml': 'services:\n  cache:\n    image: redis:7-alpine\n' },
  warnings: { 'docker-compose.yml': `services:\n${WEB(1, 4)}${WEB(2, 2)}${WEB(3, 4)}` },
  error: {
    'docker-compose.yml': `services:\n${WEB(1, 4)}  nginx:\n    image: nginx:1.27\n    volumes: ["./default.conf:/etc/nginx/conf.d/default.conf:ro"]\n    depends_on: [web-1]\n`,
    'default.conf': 'upstream app {\n    server web-1:8000;\n    server wbe-2:8000;\n}\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n}\n',
  },
};
const root = mkdtempSync(join(tmpdir(), 'arena-cli-'));
for (const [name, files] of Object.entries(STACKS)) {
  mkdirSync(join(root, name));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, name, file), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLEAN = join(root, 'clean');
const WARN_ONLY = join(root, 'warnings');
const ERROR = join(root, 'error');

describe('exit codes', () => {
  it('is 0 on a clean stack', () => expect(cli(['check', CLEAN]).code).toBe(0));
  it('is 0 with warnings only, 1 when they exceed --max-warnings', () => {
    expect(cli(['check', WARN_ONLY]).code).toBe(0);
    expect(cli(['check', WARN_ONLY, '--max-warnings', '0']).code).toBe(1);
    expect(cli(['check', WARN_ONLY, '--max-warnings', '1']).code).toBe(0);
  });
  it('is 1 with an error finding', () => expect(cli(['check', ERROR]).code).toBe(1));
  it('is 2 on usage errors, with one clear line and no stack trace', () => {
    for (const args of [['check', 'no-such-dir'], ['check', '--format', 'xml'], ['frobnicate'], ['check', '--bogus'], ['explain', 'no-such-rule'], ['check', '.', '--max-warnings', 'many']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^arena-lint: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
  it('is 2 on an invalid config, pointing at its line', () => {
    const t = new TmpStack(CLEAN);
    try {
      t.write('.arena-lint.yaml', 'rules:\n  replica-drift: loud\nfoo: 1\n');
      const r = cli(['check', t.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('.arena-lint.yaml:2:');
      expect(r.stderr).toContain('.arena-lint.yaml:3:1: unknown key "foo"');
    } finally {
      t.remove();
    }
  });
});

describe('options', () => {
  it('--quiet drops warnings', () => {
    expect(cli(['check', WARN_ONLY, '-f', 'plain']).stdout).toContain('[replica-drift]');
    expect(cli(['check', WARN_ONLY, '-f', 'plain', '--quiet']).stdout).toBe('');
  });
  it('rule severity comes from the config', () => {
    const t = new TmpStack(WARN_ONLY);
    try {
      t.write('.arena-lint.yaml', 'rules:\n  replica-drift: error\n');
      expect(cli(['check', t.dir]).code).toBe(1);
      t.write('.arena-lint.yaml', 'rules:\n  replica-drift: "off"\n');
      expect(cli(['check', t.dir, '-f', 'plain']).stdout).toBe('');
    } finally {
      t.remove();
    }
  });
  it('colours only on a terminal and respects NO_COLOR', () => {
    const esc = /\u001b\[/;
    expect(cli(['check', ERROR], {}, true).stdout).toMatch(esc);
    expect(cli(['check', ERROR], { NO_COLOR: '1' }, true).stdout).not.toMatch(esc);
    expect(cli(['check', ERROR], {}, false).stdout).not.toMatch(esc);
  });
  it('prints version, help, rules and explain', () => {
    expect(cli(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(cli(['--help']).stdout).toContain('arena-lint check [PATH...]');
    expect(cli(['rules']).stdout).toMatch(/^upstream-missing-replica\s+error\s+Reports/m);
    expect(cli(['explain', 'upstream-missing-replica']).stdout).toContain('Why it matters');
    expect(cli(['graph', ERROR, '--markdown']).stdout).toContain('```mermaid\nflowchart LR\n');
  });
});

describe('json output', () => {
  it('follows the contract', () => {
    const r = cli(['check', 'error', '--format', 'json'], {}, false, root);
    const report = JSON.parse(r.stdout);
    expect(report.version).toBe(2);
    expect(report.roots).toEqual(['error']);
    // Paths are relative to the working directory, as in every format; the message names the file
    // relative to its stack's folder.
    expect(report.stacks).toEqual([{ name: 'error/docker-compose.yml', files: ['error/default.conf', 'error/docker-compose.yml'] }]);
    expect(report.diagnostics).toEqual([
      {
        ruleId: 'upstream-unknown-server', severity: 'error',
        message: 'upstream app names host "wbe-2", which is no service, container_name or alias in docker-compose.yml',
        file: 'error/default.conf', line: 3, column: 12, endLine: 3, endColumn: 22, stack: 'error/docker-compose.yml', related: [],
      },
    ]);
    expect(report.summary).toEqual({ errors: 1, warnings: 0, infos: 0, files: 2, stacks: 1 });
  });
});
