import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, removeTempDirs, run, tempDir } from './helpers.js';

const BUNDLES = ['dist/action.js', 'dist/arena-lint.js', 'dist/arena-lint.cjs', 'dist/package.json'];

/** The committed version of a file, or undefined outside a git checkout (or when it is not committed). */
function committed(path: string): string | undefined {
  const r = spawnSync('git', ['show', `HEAD:${path}`], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

// `npm test` rebuilds dist/ before the tests, so only the committed copy can tell whether the
// dist/ a user's workflow runs is current.
const inGit = committed('package.json') !== undefined;
if (!inGit) console.warn('[dist.test] not a git checkout: cannot compare the committed dist/ with a fresh build; skipping');

afterAll(removeTempDirs);

describe.skipIf(!inGit)('committed dist/', () => {
  let out = '';
  let build: ReturnType<typeof run>;
  beforeAll(() => {
    out = tempDir('dist');
    build = run(process.execPath, [join(REPO, 'scripts/build.mjs'), '--outdir', out], { cwd: REPO });
  });

  it.each(BUNDLES)('%s equals a fresh build of the sources', (bundle) => {
    expect(build.status, build.stderr).toBe(0);
    const fresh = readFileSync(join(out, bundle.replace(/^dist\//, '')), 'utf8');
    const stale = committed(bundle) !== fresh;
    expect(stale, `${bundle} is stale: run \`npm run build\` and commit dist/`).toBe(false);
  });
});

// V8 keeps a source with any character outside ASCII as a two-byte string: two em-dashes in a
// comment of the 1.7 MB CLI bundle cost every run about 80 ms (scripts/build.mjs, keepAscii).
describe.each(['dist/arena-lint.cjs', 'dist/arena-lint.js', 'dist/action.js'])('%s', (bundle) => {
  it('is ASCII only', () => {
    const text = readFileSync(join(REPO, bundle), 'utf8');
    const at = text.search(/[^\x00-\x7f]/);
    expect(at, at >= 0 ? `non-ASCII at offset ${at}: ${text.slice(Math.max(0, at - 40), at + 10)}` : '').toBe(-1);
  });
});

describe('the action bundle', () => {
  const text = readFileSync(join(REPO, 'dist/action.js'), 'utf8');
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

  it('needs nothing but Node itself (the runner installs no packages)', () => {
    const imported = [...text.matchAll(/^import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    const dynamic = [...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    const all = [...imported, ...required, ...dynamic];
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((m) => !builtins.has(m ?? ''))).toEqual([]);
  });
});

describe('the Python parser tables in the CLI bundle', () => {
  // scripts/build.mjs writes @lezer/python's tables decoded (base64) so no start decodes them.
  const text = readFileSync(join(REPO, 'dist/arena-lint.cjs'), 'utf8');

  it('are the tables lezer decodes from @lezer/python', async () => {
    const { parser } = (await import('@lezer/python')) as unknown as { parser: { states: Uint32Array; data: Uint16Array; goto: Uint16Array; tokenizers: Array<{ data?: unknown }> } };
    const table = (field: string): number[] => {
      const m = new RegExp(`\\n  ${field}: __lezerTable\\("([A-Za-z0-9+/=]*)", (Uint16Array|Uint32Array)\\)`).exec(text);
      expect(m, field).not.toBeNull();
      const bytes = Buffer.from(m![1]!, 'base64');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      const width = m![2] === 'Uint32Array' ? 4 : 2;
      return Array.from({ length: bytes.length / width }, (_, i) => (width === 4 ? view.getUint32(i * 4, true) : view.getUint16(i * 2, true)));
    };
    expect(table('states')).toEqual([...parser.states]);
    expect(table('stateData')).toEqual([...parser.data]);
    expect(table('goto')).toEqual([...parser.goto]);
    const tokenData = parser.tokenizers.find((t) => t.data instanceof Uint16Array)?.data as Uint16Array;
    expect(table('tokenData')).toEqual([...tokenData]);
  });
});
