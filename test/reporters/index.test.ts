import { describe, expect, it } from 'vitest';
import { formatGitlab, formatJson, formatJunit, formatters, formatPlain, formatSarif, formatStylish, isFormatName } from '../../src/reporters/index.js';
import { options, sampleResult } from './build-result.js';

describe('formatters', () => {
  it('maps every --format name to its reporter', () => {
    const r = sampleResult();
    const o = options();
    expect(Object.keys(formatters).sort()).toEqual(['github', 'gitlab', 'json', 'junit', 'markdown', 'plain', 'sarif', 'stylish']);
    expect(formatters.stylish(r, o)).toBe(formatStylish(r, o));
    expect(formatters.json(r, o)).toBe(formatJson(r, o));
    expect(formatters.sarif(r, o)).toBe(formatSarif(r, o));
    expect(formatters.plain(r, o)).toBe(formatPlain(r));
    expect(formatters.junit(r, o)).toBe(formatJunit(r, o));
    expect(formatters.gitlab(r, o)).toBe(formatGitlab(r, o));
  });

  it('recognises only its own names', () => {
    expect(isFormatName('sarif')).toBe(true);
    expect(isFormatName('toString')).toBe(false);
    expect(isFormatName('junit')).toBe(true);
    expect(isFormatName('xml')).toBe(false);
  });
});
