import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import { CONFIG_FILE_NAMES } from '../../src/engine/config.js';

function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  const code = main(args, io);
  return { code, stdout, stderr };
}

const root = mkdtempSync(join(tmpdir(), 'arena-habits-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

const WEB = (n: number, workers: number) => `  web-${n}:\n    image: shop:1\n    command: gunicorn --bind 0.0.0.0:8000 --workers ${workers} shop.wsgi\n`;
// Three replicas that disagree (replica-drift warnings) and an upstream with a typo (an error).
const DRIFT = `services:\n${WEB(1, 4)}${WEB(2, 2)}${WEB(3, 4)}`;
const TYPO = {
  compose: `services:\n${WEB(1, 4)}  nginx:\n    image: nginx:1.27\n    volumes: ["./default.conf:/etc/nginx/conf.d/default.conf:ro"]\n    depends_on: [web-1]\n`,
  nginx: 'upstream app {\n    server web-1:8000;\n    server wbe-2:8000;\n}\nserver {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n}\n',
};
write({
  'drift/docker-compose.yml': DRIFT,
  'typo/docker-compose.yml': TYPO.compose,
  'typo/default.conf': TYPO.nginx,
  'prod-only/production.yml': DRIFT,
  'prod-only/README.md': 'deploy notes\n',
  'empty/notes.txt': 'nothing here\n',
});

describe('no silent green', () => {
  it('exits 2 when no stack is found, saying what was looked for, where, and what came close', () => {
    const r = cli(root, ['check', 'prod-only']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('arena-lint: no stack found in prod-only: looked for compose files named docker-compose*.yml, docker-compose*.yaml, compose*.yml, compose*.yaml in prod-only and every folder under it (2 files seen)');
    expect(r.stderr).toContain('prod-only/production.yml has a top-level services: key but not a compose file\'s name; check it with `arena-lint check prod-only/production.yml`');
    expect(r.stderr).toContain('--no-error-on-empty');
    const typo = cli(root, ['check', 'empty']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^arena-lint: no stack found in empty: .*\(1 file/);
  });

  it('exits 0 with --no-error-on-empty, still saying that nothing was checked', () => {
    const r = cli(root, ['check', 'empty', '--no-error-on-empty']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^arena-lint: no stack found in empty/);
    expect(r.stdout).toContain('0 stacks, 0 files checked, no problems');
  });

  it('checks a compose file named on the command line, whatever its name', () => {
    const r = cli(root, ['check', 'prod-only/production.yml', '-f', 'plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('prod-only/production.yml:');
    expect(r.stdout).toContain('[replica-drift]');
  });

  it('ends the default output with how many checks could not run and why, pointing at --verbose', () => {
    const r = cli(root, ['check', 'drift']);
    const last = r.stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^\d+ checks? could not run: .*no host configured \(\d+\).*; see --verbose, and `arena-lint init` to configure the host$/);
    // Machine formats stay parseable.
    expect(() => JSON.parse(cli(root, ['check', 'drift', '-f', 'json']).stdout)).not.toThrow();
    expect(cli(root, ['check', 'drift', '-f', 'plain']).stdout).not.toContain('could not run');
  });
});

describe('command-line habits', () => {
  it('checks several paths in one run, with paths relative to the working directory in every format', () => {
    const r = cli(root, ['check', 'drift', 'typo', '-f', 'plain']);
    expect(r.code).toBe(1);
    const files = r.stdout.split('\n').filter((l) => l && !l.startsWith(' ')).map((l) => l.split(':')[0]);
    expect(new Set(files)).toEqual(new Set(['drift/docker-compose.yml', 'typo/default.conf']));
    const json = JSON.parse(cli(root, ['check', 'drift', 'typo', '-f', 'json']).stdout);
    expect(json.roots).toEqual(['drift', 'typo']);
    expect(json.stacks.map((s: { name: string }) => s.name)).toEqual(['drift/docker-compose.yml', 'typo/docker-compose.yml']);
    const stylish = cli(root, ['check', 'typo']).stdout;
    expect(stylish).toContain('typo/default.conf');
    const github = cli(root, ['check', 'typo', '-f', 'github']).stdout;
    expect(github).toContain('file=typo/default.conf,line=3');
    const sarif = JSON.parse(cli(root, ['check', 'typo', '-f', 'sarif']).stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('typo/default.conf');
    // The same stack checked from inside its folder keeps its fingerprint.
    const inside = JSON.parse(cli(join(root, 'typo'), ['check', '.', '-f', 'sarif']).stdout);
    expect(inside.runs[0].results[0].partialFingerprints).toEqual(sarif.runs[0].results[0].partialFingerprints);
  });

  it('--rule ID:severity, --select and --ignore change rules for one run', () => {
    expect(cli(root, ['check', 'drift']).code).toBe(0);
    expect(cli(root, ['check', 'drift', '--rule', 'replica-drift:error']).code).toBe(1);
    expect(cli(root, ['check', 'typo', '--ignore', 'upstream-unknown-server']).code).toBe(0);
    const only = cli(root, ['check', 'drift', 'typo', '--select', 'replica-drift', '-f', 'plain']).stdout;
    expect(only).toContain('[replica-drift]');
    expect(only).not.toContain('[upstream-unknown-server]');
    const bad = cli(root, ['check', 'drift', '--rule', 'replica-drfit:error']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('arena-lint: --rule: unknown rule "replica-drfit"; did you mean "replica-drift"? (see `arena-lint rules`)\n');
    expect(cli(root, ['check', 'drift', '--rule', 'replica-drift:loud']).stderr).toContain('severity must be one of error, warning, info, off');
    expect(cli(root, ['check', 'drift', '--rule', 'replica-drift']).stderr).toContain('--rule needs ID:SEVERITY');
  });

  it('--print-config prints the configuration a check would use, with the command line on top', () => {
    write({ 'drift/.arena-lint.yaml': 'rules:\n  replica-drift: error\nhost:\n  cpus: 8\n' });
    try {
      const r = cli(root, ['check', 'drift', '--print-config', '--rule', 'depends-on-missing-replica:off']);
      expect(r.code).toBe(0);
      const printed = JSON.parse(r.stdout);
      expect(printed.configFile).toBe('drift/.arena-lint.yaml');
      expect(printed.host).toEqual({ cpus: 8 });
      expect(printed.rules['replica-drift']).toBe('error');
      expect(printed.rules['depends-on-missing-replica']).toBe('off');
      expect(printed.rules['upstream-missing-replica']).toBe('error');
      expect(printed.commandLine).toEqual({ 'depends-on-missing-replica': 'off' });
      expect(JSON.parse(cli(root, ['check', 'typo', '--print-config']).stdout).configFile).toBeNull();
    } finally {
      rmSync(join(root, 'drift/.arena-lint.yaml'));
    }
  });

  it('--help names every config file name the docs name', () => {
    const help = cli(root, ['--help']).stdout;
    for (const name of CONFIG_FILE_NAMES) expect(help).toContain(name);
    for (const flag of ['--rule', '--select', '--ignore', '--print-config', '--no-error-on-empty', 'junit', 'gitlab', 'arena-lint init']) expect(help).toContain(flag);
  });
});
