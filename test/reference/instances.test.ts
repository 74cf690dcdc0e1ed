import { describe, expect, it } from 'vitest';
import { editDistance, INSTANCE_TYPES, lookupInstance, suggestInstances } from '../../src/reference/instances.js';

const GiB = 1024 ** 3;

describe('lookupInstance', () => {
  it.each([
    // The seed plan's three recommendations.
    ['aws/c5.12xlarge', 'aws/c5.12xlarge', 48, 96],
    ['c5.12xlarge', 'aws/c5.12xlarge', 48, 96],
    ['gcp/c2-standard-60', 'gcp/c2-standard-60', 60, 240],
    ['azure/F48s v2', 'azure/Standard_F48s_v2', 48, 96],
    ['Standard_F48s_v2', 'azure/Standard_F48s_v2', 48, 96],
    ['f48sv2', 'azure/Standard_F48s_v2', 48, 96],
    // Siblings.
    ['c5.large', 'aws/c5.large', 2, 4],
    ['c5.9xlarge', 'aws/c5.9xlarge', 36, 72],
    ['c5.18xlarge', 'aws/c5.18xlarge', 72, 144],
    ['C5.24XLARGE', 'aws/c5.24xlarge', 96, 192],
    ['m5.24xlarge', 'aws/m5.24xlarge', 96, 384],
    ['m5.large', 'aws/m5.large', 2, 8],
    ['r5.12xlarge', 'aws/r5.12xlarge', 48, 384],
    ['r5.24xlarge', 'aws/r5.24xlarge', 96, 768],
    ['ec2/r5.large', 'aws/r5.large', 2, 16],
    ['c2-standard-4', 'gcp/c2-standard-4', 4, 16],
    ['c2-standard-30', 'gcp/c2-standard-30', 30, 120],
    ['google/n2-standard-128', 'gcp/n2-standard-128', 128, 512],
    ['n2-standard-2', 'gcp/n2-standard-2', 2, 8],
    ['F72s_v2', 'azure/Standard_F72s_v2', 72, 144],
    ['F2s_v2', 'azure/Standard_F2s_v2', 2, 4],
    ['Standard_D4s_v5', 'azure/Standard_D4s_v5', 4, 16],
    ['D96ads_v5', 'azure/Standard_D96ads_v5', 96, 384],
    ['D2_v5', 'azure/Standard_D2_v5', 2, 8],
  ] as const)('%s is %s: %d vCPU, %d GiB', (query, name, cpus, gib) => {
    const hit = lookupInstance(query);
    expect(hit).toMatchObject({ name, cpus, memoryBytes: gib * GiB });
  });

  it('does not match a name under the wrong provider or a size that does not exist', () => {
    expect(lookupInstance('azure/c5.12xlarge')).toBeUndefined();
    expect(lookupInstance('c5.16xlarge')).toBeUndefined();
    expect(lookupInstance('c2-standard-64')).toBeUndefined();
    expect(lookupInstance('')).toBeUndefined();
  });

  it('has one entry per canonical name and consistent providers', () => {
    const names = INSTANCE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of INSTANCE_TYPES) {
      expect(t.name.startsWith(`${t.provider}/`)).toBe(true);
      expect(lookupInstance(t.name)).toBe(t);
    }
  });
});

describe('suggestInstances', () => {
  it('suggests near misses, best first', () => {
    expect(suggestInstances('c5.12xlrge')[0]).toBe('aws/c5.12xlarge');
    expect(suggestInstances('azure/c5.12xlarge')[0]).toBe('aws/c5.12xlarge');
    expect(suggestInstances('F48s v3')[0]).toBe('azure/Standard_F48s_v2');
    expect(suggestInstances('c2-standard-64')).toContain('gcp/c2-standard-4');
    // All at distance 1; ties go by name, so the c5 sizes come before the m5/r5 16xlarge.
    expect(suggestInstances('c5.16xlarge')).toEqual(['aws/c5.12xlarge', 'aws/c5.18xlarge', 'aws/m5.16xlarge']);
  });

  it('suggests nothing for a name far from every entry', () => {
    expect(suggestInstances('my-laptop')).toEqual([]);
    expect(suggestInstances('')).toEqual([]);
  });

  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
