import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import { RULE_FIXTURES } from '../helpers/fixtures.js';
import { runAction } from '../integration/runner.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'arena-cli-fix-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
const CASE = join(RULE_FIXTURES, 'upstream-missing-replica', 'invalid-web-3-missing');

function copy(): string {
  const dir = mkdtempSync(join(tmpRoot, 'c-'));
  cpSync(CASE, dir, { recursive: true, filter: (p) => !p.includes('expected.') });
  return dir;
}

function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  return { code: main(args, io), stdout, stderr };
}

describe('check --diff, --fix', () => {
  it('stylish marks the fixable findings and says how many --fix would fix', () => {
    const r = cli(['check', '.'], copy());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error {2}\[\*\] upstream django_streaming lists 2 of 3 web replicas/);
    expect(r.stdout).toMatch(/\n✖ 3 problems \(2 errors, 1 warning, 0 infos\)\n\[\*\] 2 problems fixable with `arena-lint check --fix` \(see them with `--diff`\)\n/);
  });

  it('--diff prints what --fix would write and writes nothing (exit 1: there is something to fix)', () => {
    const dir = copy();
    const conf = readFileSync(join(dir, 'nginx/default.conf'), 'utf8');
    const r = cli(['check', '--diff', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe([
      '--- a/nginx/default.conf',
      '+++ b/nginx/default.conf',
      '@@ -1,5 +1,6 @@',
      ' upstream django_backend {',
      '     keepalive 32;',
      '+    keepalive_timeout 4s;',
      '     server web-1:8000;',
      '     server web-2:8000;',
      '     server web-3:8000;',
      '@@ -7,6 +8,7 @@',
      ' upstream django_streaming {',
      '     server web-1:8000;',
      '     server web-2:8000;',
      '+    server web-3:8000;',
      ' }',
      ' ',
      ' server {',
      '',
    ].join('\n'));
    expect(r.stderr).toBe('2 fixes in 1 file (run `arena-lint check --fix` to apply)\n');
    expect(readFileSync(join(dir, 'nginx/default.conf'), 'utf8')).toBe(conf);
  });

  it('--fix writes, reports what is left, and a second --fix changes nothing', () => {
    const dir = copy();
    const r = cli(['check', '--fix', '--format', 'plain', '.'], dir);
    expect(r.stderr).toBe('fixed 2 problems in 1 file: nginx/default.conf\n');
    // Only the finding no rule can fix is left (a warning: exit 0).
    expect(r.stdout).toBe('docker-compose.yml:44:3 warning nginx has no CPU and no memory limit: nothing stops it from taking the whole host\'s CPU and memory [resource-limits-missing]\n');
    expect(r.code).toBe(0);
    const fixed = readFileSync(join(dir, 'nginx/default.conf'), 'utf8');
    expect(fixed).toBe(readFileSync(join(CASE, 'expected.fixed/nginx/default.conf'), 'utf8'));
    const again = cli(['check', '--fix', '.'], dir);
    expect(again).toEqual({ code: 0, stdout: expect.stringMatching(/✖ 1 problem \(0 errors, 1 warning, 0 infos\)\n(?!\[\*\])/), stderr: '' });
    expect(readFileSync(join(dir, 'nginx/default.conf'), 'utf8')).toBe(fixed);
    expect(cli(['check', '--diff', '.'], dir)).toEqual({ code: 0, stdout: '', stderr: 'no fixes available\n' });
  });
});

describe('unsafe fixes and the Action', () => {
  it('--diff leaves out a fix that changes behaviour; --unsafe-fixes shows it', () => {
    const dir = mkdtempSync(join(tmpRoot, 'arena-'));
    cpSync(join(RULE_FIXTURES, '..', 'arena-current'), dir, { recursive: true });
    const safe = cli(['check', '--diff', '.'], dir);
    expect(safe.stdout).toContain('+        "DISABLE_SERVER_SIDE_CURSORS": True,\n');
    expect(safe.stdout).not.toContain('-            "options": "-c statement_timeout=30000"');
    const unsafe = cli(['check', '--diff', '--unsafe-fixes', '.'], dir);
    expect(unsafe.stdout).toContain('-            "options": "-c statement_timeout=30000",  # 30 second query timeout\n');
    const stylish = cli(['check', '.'], dir);
    expect(stylish.stdout).toContain('1 more fix changes behaviour and is applied only with `--fix --unsafe-fixes`');
  });

  it("the Action's job summary shows the diff of the fixes --fix would make", () => {
    const workspace = copy();
    const r = runAction(workspace, { 'fail-on': 'none' });
    expect(r.status).toBe(0);
    expect(r.summary).toContain('### Fixes arena-lint can make\n\n2 fixes in 1 file; `arena-lint check --fix` applies them:\n\n```diff\n--- a/nginx/default.conf\n+++ b/nginx/default.conf\n');
    expect(r.summary).toContain('+    server web-3:8000;\n');
    // The summary shows the fixes; the Action writes nothing.
    expect(readFileSync(join(workspace, 'nginx/default.conf'), 'utf8')).toBe(readFileSync(join(CASE, 'nginx/default.conf'), 'utf8'));
  });
});
