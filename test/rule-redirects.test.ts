/**
 * `timeout-chain` was split into four rules; the old id must keep working wherever users wrote it
 * (config `rules:`/`overrides`, suppression comments), and say what it became (explain, schema, docs).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../src/cli.js';
import { createSourceFile } from '../src/core/source.js';
import { RULE_REDIRECTS, settingIn } from '../src/core/rule-redirects.js';
import { loadConfig } from '../src/engine/config.js';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { RULE_FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

const SPLIT = ['upstream-keepalive-timeout', 'proxy-read-timeout', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout'];
// Fires upstream-keepalive-timeout at nginx/app.conf:3 (`keepalive 16;`, default keepalive_timeout 60s vs --keep-alive 2).
const KEEPALIVE = join(RULE_FIXTURES, 'upstream-keepalive-timeout', 'invalid-default-60s');
// Fires proxy-read-timeout at nginx/app.conf:12 (proxy_read_timeout 120s vs sync --timeout 30).
const READ = join(RULE_FIXTURES, 'proxy-read-timeout', 'invalid-worker-killed-first');

let tmp: TmpStack[] = [];
afterEach(() => {
  tmp.forEach((t) => t.remove());
  tmp = [];
});

function stack(fixture: string, config?: string): TmpStack {
  const t = new TmpStack(fixture);
  tmp.push(t);
  if (config !== undefined) t.write('.arena-lint.yaml', config);
  return t;
}

function findings(t: TmpStack) {
  return check({ dir: t.dir, rules: RULES }).result.findings.map((f) => `${f.ruleId} ${f.severity}`);
}

describe('the timeout-chain redirect', () => {
  it('is one table entry naming four rules that exist', () => {
    const r = RULE_REDIRECTS.find((x) => x.from === 'timeout-chain');
    expect(r?.to).toEqual(SPLIT);
    for (const id of SPLIT) expect(RULES.map((x) => x.meta.id)).toContain(id);
    expect(RULES.map((x) => x.meta.id)).not.toContain('timeout-chain');
  });

  it('lets a rule\'s own id win over the alias in one mapping, whatever the order', () => {
    expect(settingIn({ 'timeout-chain': 'off', 'proxy-read-timeout': 'warning' }, 'proxy-read-timeout')).toBe('warning');
    expect(settingIn({ 'proxy-read-timeout': 'warning', 'timeout-chain': 'off' }, 'proxy-read-timeout')).toBe('warning');
    expect(settingIn({ 'timeout-chain': 'off' }, 'conn-max-age-idle-timeout')).toBe('off');
    expect(settingIn({ 'timeout-chain': 'off' }, 'replica-drift')).toBeUndefined();
  });

  it('turns all four off from rules:, and is accepted by the schema', () => {
    expect(findings(stack(KEEPALIVE))).toContain('upstream-keepalive-timeout error');
    expect(findings(stack(READ))).toContain('proxy-read-timeout error');
    expect(findings(stack(KEEPALIVE, 'rules:\n  timeout-chain: off\n'))).not.toContain('upstream-keepalive-timeout error');
    expect(findings(stack(READ, 'rules:\n  timeout-chain: off\n')).filter((f) => f.startsWith('proxy-read-timeout'))).toEqual([]);
    const { problems } = loadConfig(createSourceFile('.arena-lint.yaml', 'rules:\n  timeout-chain: warning\n'));
    expect(problems).toEqual([]);
  });

  it('sets a severity for all four, and the new id overrides it for one', () => {
    expect(findings(stack(READ, 'rules:\n  timeout-chain: warning\n'))).toContain('proxy-read-timeout warning');
    expect(findings(stack(READ, 'rules:\n  proxy-read-timeout: info\n  timeout-chain: off\n'))).toContain('proxy-read-timeout info');
  });

  it('works in overrides for some files', () => {
    const f = findings(stack(READ, 'overrides:\n  - files: ["nginx/**"]\n    rules:\n      timeout-chain: off\n'));
    expect(f.filter((x) => x.startsWith('proxy-read-timeout'))).toEqual([]);
  });

  it('silences all four in an arena-lint-disable comment, and an unused one is "suppresses nothing", not "unknown rule"', () => {
    const t = stack(READ);
    t.edit('nginx/app.conf', '        proxy_read_timeout 120s;', '        # arena-lint-disable-next-line timeout-chain -- long reports\n        proxy_read_timeout 120s;');
    expect(findings(t).filter((x) => /^(proxy-read-timeout|unused-suppression)/.test(x))).toEqual([]);
    const u = stack(READ);
    u.edit('nginx/app.conf', '    listen 80;', '    # arena-lint-disable-next-line timeout-chain\n    listen 80;');
    const run = check({ dir: u.dir, rules: RULES }).result.findings.filter((f) => f.ruleId === 'unused-suppression');
    expect(run.map((f) => f.message)).toEqual(['arena-lint-disable-next-line timeout-chain suppresses nothing']);
  });

  it('is explained as what it became', () => {
    let out = '';
    const io: CliIO = { stdout: (s) => (out += s), stderr: () => {}, isTTY: false, env: {}, cwd: '.' };
    expect(main(['explain', 'timeout-chain'], io)).toBe(0);
    expect(out).toContain('timeout-chain was split in 0.2.0 into 4 rules');
    for (const id of SPLIT) expect(out).toMatch(new RegExp(`^  ${id} +\\S`, 'm'));
    expect(out).toContain('still works as an alias');
  });
});


describe('the timeout-chain redirect on the command line', () => {
  it('expands in --ignore, --select and --rule', async () => {
    const { ruleSettingsOf } = await import('../src/commands/check.js');
    const ignored = ruleSettingsOf({ ignore: ['timeout-chain'] });
    expect(Object.keys(ignored).sort()).toEqual([...SPLIT].sort());
    expect(ruleSettingsOf({ rule: ['timeout-chain:warning', 'proxy-read-timeout:off'] })).toMatchObject({ 'proxy-read-timeout': 'off', 'pgbouncer-query-timeout': 'warning' });
    const selected = ruleSettingsOf({ select: ['timeout-chain'] });
    for (const id of SPLIT) expect(selected[id]).toBeUndefined();
    expect(selected['replica-drift']).toBe('off');
  });
});
