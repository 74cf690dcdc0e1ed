#!/usr/bin/env node

// src/launch.ts
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";
var bundle = join(dirname(fileURLToPath(import.meta.url)), "arena-lint.cjs");
var source = readFileSync(bundle, "utf8");
var useCache = !process.env.NODE_DISABLE_COMPILE_CACHE;
var cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "arena-lint");
var cacheName = `${"02f36fea4f3ea89f"}-${process.version}-${process.arch}.v8`;
var cacheFile = join(cacheDir, cacheName);
var cachedData;
if (useCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
  }
}
var script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}
})`, {
  filename: bundle,
  ...cachedData ? { cachedData } : {}
});
if (useCache && (!cachedData || script.cachedDataRejected)) {
  process.once("exit", () => {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 448 });
      for (const old of readdirSync(cacheDir)) if (old.endsWith(".v8") && old !== cacheName) rmSync(join(cacheDir, old), { force: true });
      const partial = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(partial, script.createCachedData(), { mode: 384 });
      renameSync(partial, cacheFile);
    } catch {
    }
  });
}
var module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
