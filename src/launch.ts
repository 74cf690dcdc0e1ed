// The `arena-lint` command. It runs the CLI bundle (dist/arena-lint.cjs, built from src/bin.ts) with
// a V8 code cache, because a pre-commit hook or CI step pays start-up on every run and compiling the
// 1.5 MB bundle was a sixth of a check of the seed's stack. Node 22 has module.enableCompileCache
// for this; Node 20, which arena-lint supports, has only vm.Script's cachedData, so this is the
// same mechanism by hand.
//
// The cache lives in the user's own cache folder ($XDG_CACHE_HOME or ~/.cache, never the checked
// folder or a shared /tmp, where another user could plant code), one file per bundle build, Node
// version and architecture. V8 checks the data and rejects what does not fit (another V8, other
// flags), and then the bundle is compiled as without a cache. Any failure to read or write the cache
// only costs the time it would have saved. NODE_DISABLE_COMPILE_CACHE=1, Node's own switch for its
// compile cache, turns it off.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { userCacheDir } from './core/cache-dir.js';

/** A hash of the bundle's text, written in by scripts/build.mjs: a rebuilt bundle gets a new cache. */
declare const __ARENA_LINT_BUNDLE_HASH__: string;

// dist/package.json makes this file CommonJS, as `node dist/arena-lint.js` then starts without
// Node's ES module loader (a few ms on every run), so __dirname is dist/.
const bundle = join(__dirname, 'arena-lint.cjs');
const source = readFileSync(bundle, 'utf8');
// Undefined when NODE_DISABLE_COMPILE_CACHE is set.
const cacheDir = userCacheDir();
const cacheName = `${__ARENA_LINT_BUNDLE_HASH__}-${process.version}-${process.arch}.v8`;
const cacheFile = cacheDir === undefined ? undefined : join(cacheDir, cacheName);

let cachedData: Buffer | undefined;
if (cacheFile !== undefined) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: this run compiles the bundle and writes one.
  }
}

// The wrapper Node puts around a CommonJS module, so the bundle runs as `node dist/arena-lint.cjs` would.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
});

if (cacheDir !== undefined && cacheFile !== undefined && (!cachedData || script.cachedDataRejected)) {
  // Written at exit, after the run, so the functions it compiled on the way are in the cache too.
  process.once('exit', () => {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      // Caches of other builds and Node versions are of no further use.
      for (const old of readdirSync(cacheDir)) if (old.endsWith('.v8') && old !== cacheName) rmSync(join(cacheDir, old), { force: true });
      const partial = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      // A rename, so a run started meanwhile reads the old file or the whole new one.
      renameSync(partial, cacheFile);
    } catch {
      // A read-only home or a full disk: the next run compiles again.
    }
  });
}

const bundleModule = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(bundleModule.exports, createRequire(bundle), bundleModule, bundle, __dirname);
