import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { brokenPort, CLEAN_STACK, hasProgram, REPO, removeTempDirs, run, tempDir, writeFiles } from './helpers.js';

const hasNpm = hasProgram('npm');
if (!hasNpm) console.warn('[npm-pack.test] npm not installed (Debian: apt-get install npm); skipping the pack-and-install test');

afterAll(removeTempDirs);

// Settings of an `npm test` run (npm_config_*) must not leak into the user's npm.
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

describe.skipIf(!hasNpm)('npm pack, then install the tarball into an empty project', () => {
  const packDir = tempDir('pack');
  const project = tempDir('npm-user');
  const clean = tempDir('clean-stack');
  const broken = tempDir('broken-stack');
  let packed: string[] = [];
  const npx = (...args: string[]) => run('npx', ['--no-install', 'arena-lint', ...args], { cwd: project, env });

  beforeAll(() => {
    const pack = run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: REPO, env });
    if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!info) throw new Error('npm pack printed no package');
    packed = info.files.map((f) => f.path);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'npm-user', private: true }));
    // Runtime dependencies come from the registry (or npm's cache), as for any user.
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(packDir, info.filename)], { cwd: project, env });
    if (install.status !== 0) throw new Error(`npm install of the tarball failed: ${install.stderr}`);
    writeFiles(clean, CLEAN_STACK);
    writeFiles(broken, brokenPort());
  });

  it('ships the CLI bundle and what users read, not the sources, tests or the action bundle', () => {
    for (const bin of Object.values(pkg.bin)) expect(packed).toContain(bin);
    // It makes the .js launcher CommonJS (the package itself is "type": "module").
    expect(packed).toContain('dist/package.json');
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'schemas/arena-lint.schema.json']));
    expect(packed.filter((p) => /^(src|test|fixtures|rules|scripts|bench)\//.test(p) || p === 'dist/action.js')).toEqual([]);
  });

  it('declares the Node versions it runs on', () => {
    expect(pkg.engines.node).toBe('>=20');
    const installedPkg = JSON.parse(readFileSync(join(project, 'node_modules/arena-lint/package.json'), 'utf8')) as typeof pkg;
    expect(installedPkg.engines).toEqual(pkg.engines);
  });

  it('npx arena-lint --version and --help work', () => {
    const version = npx('--version');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = npx('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('arena-lint check');
  });

  it('npx arena-lint check passes a clean stack and fails a broken one with the finding', () => {
    const ok = npx('check', clean);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('no problems');
    const bad = npx('check', broken, '--format', 'plain');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('nginx/default.conf:4:20 error proxy_pass connects to web on port 8001');
    expect(bad.stdout).toContain('[upstream-port-mismatch]');
  });

  it('npx arena-lint rules and explain work from the installed package', () => {
    const rules = npx('rules');
    expect(rules.status).toBe(0);
    expect(rules.stdout).toMatch(/^upstream-port-mismatch\s+error\s/m);
    const explain = npx('explain', 'upstream-port-mismatch');
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain('upstream-port-mismatch');
  });
});
