import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  explainCpus,
  explainMemory,
  formatBytes,
  formatCpus,
  parseComposeCpus,
  parseComposeMemory,
  parseConfigMemory,
  UNIT_GRAMMAR_NAMES,
} from '../../src/reference/units.js';
import { assertProperty } from '../helpers/property.js';

const KiB = 1024;
const MiB = KiB ** 2;
const GiB = KiB ** 3;

describe('parseComposeMemory (docker/go-units RAMInBytes)', () => {
  it.each([
    // The seed plan's limits: every compose prefix is binary.
    ['2048M', 2048 * MiB],
    ['1024M', 1024 * MiB],
    ['512M', 512 * MiB],
    ['8192M', 8192 * MiB],
    ['2g', 2 * GiB],
    ['2gb', 2 * GiB],
    ['2GiB', 2 * GiB],
    ['2 G', 2 * GiB],
    ['1.5GB', 1.5 * GiB],
    ['1.5gb', 1.5 * GiB],
    ['512k', 512 * KiB],
    ['100b', 100],
    ['100', 100],
    ['1T', KiB ** 4],
    ['0.5m', 0.5 * MiB],
  ])('%s = %d bytes', (raw, bytes) => {
    expect(parseComposeMemory(raw)).toBe(bytes);
  });

  it('truncates fractional bytes like go-units (int64 conversion)', () => {
    expect(parseComposeMemory('1.5')).toBe(1);
    expect(parseComposeMemory('0.1k')).toBe(102);
  });

  it.each(['', 'M', '2 GB ', '2  G', '-1g', '2gi', '2mbb', '2x', '2 g b', 'g2', '1,5g', 'one'])('rejects %j', (raw) => {
    expect(parseComposeMemory(raw)).toBeUndefined();
  });

  it('takes a YAML integer as bytes and rejects negative or fractional numbers', () => {
    expect(parseComposeMemory(2147483648)).toBe(2 * GiB);
    expect(parseComposeMemory(-1)).toBeUndefined();
    expect(parseComposeMemory(1.5)).toBeUndefined();
  });

  it('property: agrees with k/m/g times 1024^n for any whole amount', () => {
    assertProperty('host/compose-memory', 
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.constantFrom(['k', 1], ['m', 2], ['g', 3]), fc.constantFrom('', 'b', 'ib'), fc.boolean(), (n, [p, power], tail, upper) => {
        const suffix = upper ? `${p}${tail}`.toUpperCase() : `${p}${tail}`;
        expect(parseComposeMemory(`${n}${suffix}`)).toBe(n * KiB ** power);
      }),
    );
  });
});

describe('parseComposeCpus', () => {
  it.each([
    ['2.0', 2],
    ['1.0', 1],
    ['0.5', 0.5],
    ['1.5', 1.5],
    [1.5, 1.5],
    [2, 2],
    ['.25', 0.25],
    ['0', 0],
  ] as const)('%j = %d CPUs', (raw, cpus) => {
    expect(parseComposeCpus(raw)).toBe(cpus);
  });

  it.each(['', '2 cpus', '-1', '1,5', 'Infinity', 'NaN', '2c'] as const)('rejects %j', (raw) => {
    expect(parseComposeCpus(raw)).toBeUndefined();
  });

  it('rejects negative and non-finite numbers', () => {
    expect(parseComposeCpus(-0.5)).toBeUndefined();
    expect(parseComposeCpus(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseComposeCpus(Number.NaN)).toBeUndefined();
  });
});

describe('parseConfigMemory (GB means GiB)', () => {
  it.each([
    ['96GiB', 96 * GiB],
    ['96GB', 96 * GiB],
    ['96 GB', 96 * GiB],
    ['96G', 96 * GiB],
    ['200MiB', 200 * MiB],
    ['200mb', 200 * MiB],
    ['2g', 2 * GiB],
    ['1.5GiB', 1.5 * GiB],
    ['240 GB', 240 * GiB],
    ['4096', 4096],
    ['512B', 512],
  ] as const)('%s = %d bytes', (raw, bytes) => {
    expect(parseConfigMemory(raw)).toBe(bytes);
  });

  it.each(['', 'GB', '96Gi', '96 gigabytes', '-2G', '96iB', '96PB', '1e3G'])('rejects %j', (raw) => {
    expect(parseConfigMemory(raw)).toBeUndefined();
  });

  it('reads numbers as bytes', () => {
    expect(parseConfigMemory(103079215104)).toBe(96 * GiB);
    expect(parseConfigMemory(-1)).toBeUndefined();
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1024, '1.0 KiB'],
    [2048 * MiB, '2.0 GiB'],
    [512 * MiB, '512.0 MiB'],
    [1.5 * GiB, '1.5 GiB'],
    [96 * GiB, '96.0 GiB'],
    // Rounding up to 1024 of a unit moves to the next unit.
    [1024 * MiB - 1, '1.0 GiB'],
    [KiB ** 4 * 3, '3.0 TiB'],
  ])('formatBytes(%d) = %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it.each([
    [1, '1 CPU'],
    [2, '2 CPUs'],
    [1.5, '1.5 CPUs'],
    [0.25, '0.25 CPUs'],
    [35, '35 CPUs'],
    [1 / 3, '0.333 CPUs'],
  ])('formatCpus(%d) = %s', (n, text) => {
    expect(formatCpus(n)).toBe(text);
  });

  it('explains how a value was read, naming the grammar', () => {
    expect(explainMemory('2048M', 'compose-memory')).toBe('2048M = 2.0 GiB (compose units, 1024-based)');
    expect(explainMemory('96GB', 'config-memory')).toBe(`96GB = 96.0 GiB (${UNIT_GRAMMAR_NAMES['config-memory']})`);
    expect(explainMemory('2 cpus', 'compose-memory')).toBeUndefined();
    expect(explainCpus('2.0')).toBe("'2.0' = 2 CPUs (compose cpus, a decimal number of CPUs)");
    expect(explainCpus(1.5)).toBe('1.5 = 1.5 CPUs (compose cpus, a decimal number of CPUs)');
    expect(explainCpus('two')).toBeUndefined();
  });
});
