import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main, type CliIO } from '../../src/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { TmpStack } from '../helpers/tmp-stack.js';

function cli(cwd: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  const code = main(args, io);
  return { code, stdout, stderr };
}

const schema = JSON.parse(readFileSync(join(FIXTURES, '..', 'schemas', 'arena-lint.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** The seed's current stack without the config the fixture carries: what a new user has. */
function seedStack(): TmpStack {
  const t = new TmpStack(join(FIXTURES, 'arena-current'));
  rmSync(join(t.dir, '.arena-lint.yaml'));
  return t;
}

let t: TmpStack | undefined;
afterEach(() => t?.remove());

describe('arena-lint init', () => {
  it('writes a commented, schema-valid config for the seed stack, after which the host rules run', () => {
    t = seedStack();
    const before = cli(t.dir, ['check', '.', '--verbose']);
    expect(before.stderr).toContain('[host-capacity] docker-compose.loadbalanced.yml: no host: in the configuration');
    expect(before.stdout).toMatch(/checks? could not run: .*no host configured/);

    const r = cli(t.dir, ['init', '--host', 'aws/c5.12xlarge', '--target-rps', '1000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote .arena-lint.yaml for 1 stack (docker-compose.loadbalanced.yml)');
    expect(r.stdout).toContain('turns on capacity-target, host-capacity, which stayed silent without a host');

    const text = t.read('.arena-lint.yaml');
    expect(text).toMatch(/^# arena-lint configuration/);
    expect(text).toContain('  instance: aws/c5.12xlarge   # 48 vCPUs, 96.0 GiB');
    const data = parse(text) as Record<string, unknown>;
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data).toEqual({ host: { instance: 'aws/c5.12xlarge' }, capacity: { targetRps: 1000 } });
    // The stacks found are listed, commented, so a compose file added later is not left out.
    expect(text).toContain('# stacks:\n#   - "docker-compose.loadbalanced.yml"\n');

    const after = cli(t.dir, ['check', '.', '--verbose', '-f', 'plain']);
    expect(after.stderr).not.toContain('[host-capacity]');
    expect(after.stderr).not.toContain('the config plans no capacity');
    // capacity-target now compares with the 1000 RPS given.
    expect(after.stdout).toMatch(/= 160 RPS < capacity\.targetRps 1000 \(\.arena-lint\.yaml:\d+\).*\[capacity-target\]/);
  });

  it('takes --cpus and --memory instead of an instance type', () => {
    t = seedStack();
    expect(cli(t.dir, ['init', '.', '--cpus', '4', '--memory', '8GiB']).code).toBe(0);
    const data = parse(t.read('.arena-lint.yaml')) as { host: unknown };
    expect(data.host).toEqual({ cpus: 4, memory: '8GiB' });
    expect(validate(data)).toBe(true);
    // The seed's reservations (10 x web 0.5 CPUs and more) do not fit 4 CPUs.
    expect(cli(t.dir, ['check', '.', '-f', 'plain']).stdout).toMatch(/CPU reservations .* = 5\.75 CPUs > host\.cpus 4 \(\.arena-lint\.yaml:\d+\).*\[host-capacity\]/);
  });

  it('refuses what it cannot write well, with exit 2 and a reason', () => {
    t = seedStack();
    const typo = cli(t.dir, ['init', '--host', 'aws/c5.12xlarg']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown instance type "aws/c5.12xlarg"; did you mean "aws/c5.12xlarge"');
    expect(cli(t.dir, ['init', '--host', 'aws/c5.12xlarge', '--cpus', '4']).stderr).toContain('give --host, or --cpus and --memory, not both');
    expect(cli(t.dir, ['init', '--memory', 'lots']).stderr).toContain('cannot read "lots" as memory');
    expect(existsSync(join(t.dir, '.arena-lint.yaml'))).toBe(false);
    const bare = cli(t.dir, ['init']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain('still silent: host-capacity (give --host, or --cpus and --memory)');
    expect(validate(parse(t.read('.arena-lint.yaml')))).toBe(true);
    const again = cli(t.dir, ['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('.arena-lint.yaml exists; pass --force');
    expect(cli(t.dir, ['init', '--force', '--host', 'aws/c5.12xlarge']).code).toBe(0);
    const empty = mkdtempSync(join(tmpdir(), 'arena-init-'));
    try {
      writeFileSync(join(empty, 'production.yml'), 'services: {}\n');
      const r = cli(empty, ['init']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no compose file found in . (looked for docker-compose*.yml, compose*.yml and .yaml)');
      expect(existsSync(join(empty, '.arena-lint.yaml'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
