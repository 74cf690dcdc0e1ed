import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, plainAndExpected, runFixture } from './helpers/fixtures.js';

// The seed's stacks, whole: every rule runs, expected.txt holds every finding.
describe.each(['arena-current', 'arena-scaled'])('%s', (name) => {
  const dir = join(FIXTURES, name);
  it('reports exactly the expected findings', () => {
    const { actual, expected } = plainAndExpected(dir);
    expect(actual).toBe(expected);
  });
  it('models the whole stack', () => {
    const r = runFixture(dir);
    expect(r.stacks.map((s) => s.name)).toEqual(['docker-compose.loadbalanced.yml']);
    const files = r.stacks[0]!.files;
    expect(files).toContain('nginx/load-balancer.conf');
    expect(files).toContain('nginx/nginx.conf');
  });
});
