import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, REPO, tempDir } from '../integration/helpers.js';

// dist/arena-lint.js compiles the CLI bundle with a V8 code cache kept in the user's cache folder
// (src/launch.ts). What a user must be able to rely on: the cache changes nothing a run prints or
// returns, a broken or foreign cache file is replaced rather than trusted, and it can be turned off.
const CLI = join(REPO, 'dist', 'arena-lint.js');
const STACK = join(REPO, 'fixtures', 'arena-scaled');
afterAll(removeTempDirs);

function check(cacheHome: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  Object.assign(env, extraEnv);
  return spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'plain'], { encoding: 'utf8', env, cwd: STACK });
}

const cacheFiles = (home: string): string[] => {
  try {
    return readdirSync(join(home, 'arena-lint')).filter((f) => f.endsWith('.v8'));
  } catch {
    return [];
  }
};

const treeFiles = (home: string): string[] => {
  try {
    return readdirSync(join(home, 'arena-lint', 'python-trees'));
  } catch {
    return [];
  }
};

describe('the compile cache of the arena-lint command', () => {
  const expected = readFileSync(join(STACK, 'expected.txt'), 'utf8');

  it('is written by the first run into $XDG_CACHE_HOME/arena-lint, and the runs after it print the same', () => {
    const home = tempDir('cache');
    const first = check(home);
    expect(first.status, first.stderr).toBe(1);
    expect(first.stdout).toBe(expected);
    const files = cacheFiles(home);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`));
    const second = check(home);
    expect(second.status).toBe(1);
    expect(second.stdout).toBe(expected);
    expect(second.stderr).toBe('');
  });

  it('replaces a cache file that is not V8 code, with the run unchanged', () => {
    const home = tempDir('cache-bad');
    check(home);
    const [name] = cacheFiles(home);
    writeFileSync(join(home, 'arena-lint', name!), 'not a code cache');
    const r = check(home);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe('');
    expect(readFileSync(join(home, 'arena-lint', name!)).length).toBeGreaterThan(1000);
  });

  it('removes the caches of other builds and Node versions when it writes its own', () => {
    const home = tempDir('cache-old');
    check(home);
    const [name] = cacheFiles(home);
    writeFileSync(join(home, 'arena-lint', '0000000000000000-v0.0.0-x64.v8'), 'old');
    // A foreign file beside it is left alone.
    writeFileSync(join(home, 'arena-lint', 'notes.txt'), 'mine');
    writeFileSync(join(home, 'arena-lint', name!), 'stale');
    check(home);
    expect(cacheFiles(home)).toEqual([name]);
    expect(readdirSync(join(home, 'arena-lint'))).toContain('notes.txt');
  });

  it('is neither read nor written with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const home = tempDir('cache-off');
    const r = check(home, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(expected);
    expect(cacheFiles(home)).toEqual([]);
    expect(treeFiles(home)).toEqual([]);
  });

  it('runs as usual when the cache folder cannot be written', () => {
    const home = tempDir('cache-ro');
    // A file where the cache folder would be: mkdir fails, the run does not.
    writeFileSync(join(home, 'arena-lint'), 'in the way');
    const r = check(home);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe('');
  });
});

// The command also keeps the Python syntax trees it parsed (src/parsers/python-tree-cache.ts), by
// content, beside the code cache: a hook checks the same settings.py commit after commit.
describe('the Python tree cache of the arena-lint command', () => {
  const expected = readFileSync(join(STACK, 'expected.txt'), 'utf8');

  it('keeps the tree of the settings.py it read, and the runs after it print the same', () => {
    const home = tempDir('trees');
    expect(check(home).stdout).toBe(expected);
    const files = treeFiles(home);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2-[0-9a-f]{8}-[0-9a-f]{8}-3297\.pytree$/);
    const second = check(home);
    expect(second.status).toBe(1);
    expect(second.stdout).toBe(expected);
    expect(second.stderr).toBe('');
  });

  it('parses again, and rewrites the entry, when the stored tree is damaged', () => {
    const home = tempDir('trees-bad');
    check(home);
    const [name] = treeFiles(home);
    const path = join(home, 'arena-lint', 'python-trees', name!);
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 7));
    const r = check(home);
    expect(r.stdout).toBe(expected);
    expect(r.stderr).toBe('');
    expect(readFileSync(path).equals(good)).toBe(true);
  });
});
