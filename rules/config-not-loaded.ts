import { defineRule } from '../src/engine/rule.js';
import { loadedConfigPaths } from '../src/stack/unloaded-configs.js';

export default defineRule({
  meta: {
    id: 'config-not-loaded',
    description: 'Says which nginx configs of the repository no container loads, and why: replaced by a mount, included by nothing, or never copied',
    defaultSeverity: 'info',
    category: 'topology',
    docs: {
      what: "For every nginx container, lists the nginx configs of the repository (files with a top-level `server`, `upstream`, `location`, `http` or `map` block) that the container is given but does not load, and why: copied into the image and then replaced or hidden by a later layer (a compose bind mount over the file or its folder); visible in the container but included by nothing nginx loads (`conf.d/*.conf` does not match `lb.conf.disabled`); or in the image's build context but copied by no Dockerfile instruction. A file that some container of any stack of the repository loads is never reported; one that several stacks leave unloaded is reported once.",
      why: "arena-lint checks what the containers load, so a file no container loads gets no other finding, however wrong it is. That silence is right, but it surprises whoever edits the file and expects nginx to pick it up: the edit has no effect until the mount, the include or the COPY that would load it exists. This rule says so, at info level, so the fix can go where it takes effect.",
      notes: 'Silent where nginx\'s include chain is not fully known (an include of a file arena-lint cannot see may load it), and for build contexts whose Dockerfile has a COPY arena-lint cannot follow.',
    },
  },
  check({ stack, stacks, report }) {
    const loadedAnywhere = new Set(stacks.flatMap((s) => s.proxies.flatMap((p) => loadedConfigPaths(p.nginx))));
    // Reported by the first stack (in report order) that leaves the file unloaded, so the same file is one finding.
    const firstStack = new Map<string, string>();
    for (const s of stacks) for (const p of s.proxies) for (const u of p.unloaded) if (!firstStack.has(u.path)) firstStack.set(u.path, s.name);
    const done = new Set<string>();
    for (const proxy of stack.proxies) {
      for (const u of proxy.unloaded) {
        if (loadedAnywhere.has(u.path) || firstStack.get(u.path) !== stack.name || done.has(u.path)) continue;
        done.add(u.path);
        report({
          span: { file: u.path, start: 0, end: 0 },
          message: `no container loads ${u.path}: in ${proxy.service.name}, it ${u.reason}; nothing in it is checked`,
          related: u.related,
          hint: u.why === 'shadowed' ? 'edit the file that replaces it, or drop the mount or COPY that is not used' : u.why === 'not-included' ? 'rename it to match an include (conf.d/*.conf), include it, or delete it' : 'COPY it in the Dockerfile, or delete it',
        });
      }
    }
  },
});
