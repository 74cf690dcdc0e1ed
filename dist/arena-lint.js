#!/usr/bin/env node
"use strict";

// src/launch.ts
var import_node_fs = require("node:fs");
var import_node_module = require("node:module");
var import_node_path2 = require("node:path");
var import_node_vm = require("node:vm");

// src/core/cache-dir.ts
var import_node_os = require("node:os");
var import_node_path = require("node:path");
function userCacheDir(env = process.env) {
  if (env.NODE_DISABLE_COMPILE_CACHE) return void 0;
  return (0, import_node_path.join)(env.XDG_CACHE_HOME || (0, import_node_path.join)((0, import_node_os.homedir)(), ".cache"), "arena-lint");
}

// src/launch.ts
var bundle = (0, import_node_path2.join)(__dirname, "arena-lint.cjs");
var source = (0, import_node_fs.readFileSync)(bundle, "utf8");
var cacheDir = userCacheDir();
var cacheName = `${"29fe7963eefd1ca0"}-${process.version}-${process.arch}.v8`;
var cacheFile = cacheDir === void 0 ? void 0 : (0, import_node_path2.join)(cacheDir, cacheName);
var cachedData;
if (cacheFile !== void 0) {
  try {
    cachedData = (0, import_node_fs.readFileSync)(cacheFile);
  } catch {
  }
}
var script = new import_node_vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}
})`, {
  filename: bundle,
  ...cachedData ? { cachedData } : {}
});
if (cacheDir !== void 0 && cacheFile !== void 0 && (!cachedData || script.cachedDataRejected)) {
  process.once("exit", () => {
    try {
      (0, import_node_fs.mkdirSync)(cacheDir, { recursive: true, mode: 448 });
      for (const old of (0, import_node_fs.readdirSync)(cacheDir)) if (old.endsWith(".v8") && old !== cacheName) (0, import_node_fs.rmSync)((0, import_node_path2.join)(cacheDir, old), { force: true });
      const partial = `${cacheFile}.${process.pid}.tmp`;
      (0, import_node_fs.writeFileSync)(partial, script.createCachedData(), { mode: 384 });
      (0, import_node_fs.renameSync)(partial, cacheFile);
    } catch {
    }
  });
}
var bundleModule = { exports: {} };
script.runInThisContext()(bundleModule.exports, (0, import_node_module.createRequire)(bundle), bundleModule, bundle, __dirname);
