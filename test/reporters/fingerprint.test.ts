import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { copyFinding, defaultEntityKey, entityHash, withLazyFingerprint } from '../../src/reporters/fingerprint.js';

const at = { file: 'nginx/default.conf', start: 10, end: 20 };

describe('the default entity key', () => {
  it('keeps the names and masks counts, values and where the other end is', () => {
    expect(defaultEntityKey('upstream app lists 3 of 4 web replicas; web-16 is missing (docker-compose.yml:20)')).toBe('upstream app lists # of # web replicas; web-16 is missing');
    expect(defaultEntityKey('closes after --keep-alive 2s (default) (docker-compose.loadbalanced.yml:6): x')).toBe('closes after --keep-alive #s : x');
    // Digits inside names stay: they tell replicas and instance types apart.
    expect(defaultEntityKey('pgbouncer 1.18.0 (edoburu/pgbouncer:1.18.0) on c5.12xlarge')).toBe('pgbouncer # (edoburu/pgbouncer:#) on c5.12xlarge');
  });

  it('is the same when a value moves from a default to the config file', () => {
    expect(defaultEntityKey('= 160 RPS < capacity.targetRps 500 (default), at 500 ms')).toBe(defaultEntityKey('= 170 RPS < capacity.targetRps 1000 (.arena-lint.yaml:14), at 500 ms'));
    expect(defaultEntityKey('> host.cpus 4 (/tmp/x/.arena-lint.yaml:14): y')).toBe(defaultEntityKey('> host.cpus 4 (.arena-lint.yaml:14): y'));
  });
});

describe('entityHash', () => {
  const base = { ruleId: 'upstream-missing-replica', stack: 'docker-compose.yml', span: at, message: 'upstream app lists 3 of 4 web replicas; web-16 is missing (docker-compose.yml:20)' };
  it('ignores where the finding is in its file, and counts that change', () => {
    expect(entityHash({ ...base, span: { ...at, start: 99, end: 120 }, message: base.message.replace('3 of 4', '4 of 5').replace(':20', ':26') })).toBe(entityHash(base));
  });
  it('changes with the rule, the stack, the file, the names, or the key a rule passes', () => {
    const h = entityHash(base);
    expect(entityHash({ ...base, ruleId: 'x' })).not.toBe(h);
    expect(entityHash({ ...base, stack: 'other.yml' })).not.toBe(h);
    expect(entityHash({ ...base, span: { ...at, file: 'nginx/other.conf' } })).not.toBe(h);
    expect(entityHash({ ...base, message: base.message.replace('web-16', 'web-17') })).not.toBe(h);
    expect(entityHash({ ...base, key: 'app/web-16' })).toBe(entityHash({ ...base, message: 'reworded', key: 'app/web-16' }));
  });
});

describe('the fingerprint the engine records (hashed when first read)', () => {
  const finding: Finding = { ruleId: 'upstream-missing-replica', severity: 'error', message: 'upstream app lists 3 of 4 web replicas', span: at, related: [], stack: 'docker-compose.yml' };
  const eager = { ...finding, fingerprint: entityHash(finding) };

  it('is the hash of the finding as recorded, an enumerable property in the same place', () => {
    const lazy = withLazyFingerprint(finding);
    expect(lazy.fingerprint).toBe(eager.fingerprint);
    expect(Object.keys(lazy)).toEqual(Object.keys(eager));
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    expect({ ...withLazyFingerprint(finding) }).toEqual(eager);
  });

  it('survives copyFinding moving the finding to another path, unhashed until read', () => {
    const moved = { span: { ...at, file: `deploy/${at.file}` }, stack: 'deploy/docker-compose.yml' };
    const copy = copyFinding(withLazyFingerprint(finding), moved);
    expect(Object.getOwnPropertyDescriptor(copy, 'fingerprint')?.get).toBeTypeOf('function');
    expect(JSON.stringify(copy)).toBe(JSON.stringify({ ...eager, ...moved }));
    expect(copy.fingerprint).toBe(eager.fingerprint);
    expect(copy.fingerprint).not.toBe(entityHash(copy));
    // Without a lazy fingerprint it is a plain spread.
    expect(copyFinding(eager, moved)).toEqual({ ...eager, ...moved });
    expect(copyFinding(finding, { message: 'x' })).toEqual({ ...finding, message: 'x' });
  });
});
