import type { Fix, TextEdit } from '../src/core/fix.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { defineRule } from '../src/engine/rule.js';
import { addNamesAfter, dependsOnNode, namesIn, parseForEdit } from '../src/fix/yaml.js';
import type { ReplicaTier, Stack } from '../src/stack/stack.js';
import { listNames, passTargets, resolvedUpstreams } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'depends-on-missing-replica',
    description: "Reports a replica that the nginx service's depends_on leaves out",
    defaultSeverity: 'warning',
    category: 'topology',
    fixable: 'sometimes',
    docs: {
      what: "For each nginx service, arena-lint collects the replica tiers it proxies to (through upstream servers or `proxy_pass` hosts) or already lists in `depends_on`. Every replica of such a tier that nginx names in its configuration, and every replica of a tier that `depends_on` lists in part, must be in the nginx service's `depends_on`.",
      why: 'nginx resolves upstream host names when it starts; if it starts before `web-15` exists, it exits with `host not found in upstream "web-15:8000"`. `depends_on` is what orders start-up, and the seed plan lists every replica there by hand ("Update nginx\'s depends_on to include new containers").',
      notes: 'The fix adds each missing replica after the listed replica before it, copying that entry as written (list item or long-form entry with its `condition`); it is not offered when depends_on comes from a merge key or is not written in the compose file.',
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) {
      const svc = proxy.service;
      const deps = new Set(svc.dependsOn.map((d) => d.name));
      const named = new Map<string, ComposeService>();
      for (const u of resolvedUpstreams(stack)) {
        if (u.proxy !== proxy) continue;
        for (const s of u.servers) if (s.service) named.set(s.service.name, s.service);
      }
      for (const p of proxy.nginx.proxyPasses) {
        if (p.upstream) continue;
        for (const t of passTargets(stack, p)) named.set(t.name, t);
      }
      for (const tier of stack.tiers) {
        const listedSome = tier.replicas.some((r) => deps.has(r.name));
        const needed = tier.replicas.filter((r) => named.has(r.name) || listedSome);
        const missing = needed.filter((r) => !deps.has(r.name) && r !== svc);
        if (missing.length === 0 || needed.length === 0) continue;
        const lastListed = [...svc.dependsOn].reverse().find((d) => tier.replicas.some((r) => r.name === d.name));
        const at = lastListed?.span ?? svc.dependsOnSpan ?? svc.nameSpan;
        const why = named.has(missing[0]!.name) ? 'nginx proxies to' : 'the tier is listed in part';
        report({
          span: at,
          message: `${svc.name}'s depends_on lacks ${listNames(missing.map((m) => m.name))} (${why} ${missing.length === 1 ? 'it' : 'them'}; ${where(missing[0]!.nameSpan)})`,
          related: missing.map((m) => ({ span: m.nameSpan, message: `${m.name} is defined here` })),
          hint: `add ${missing.map((m) => m.name).slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''} to ${svc.name}'s depends_on`,
          ...dependsOnFix(stack, svc, tier, missing),
        });
      }
    }
  },
});

/** Adds each missing replica after the listed replica of the tier before it (or the last one listed). */
function dependsOnFix(stack: Stack, svc: ComposeService, tier: ReplicaTier, missing: readonly ComposeService[]): { fix?: Fix } {
  const file = svc.dependsOnSpan && stack.sources.get(svc.dependsOnSpan.file);
  const doc = file && parseForEdit(file);
  const list = doc && dependsOnNode(doc, svc.name);
  if (!file || !list) return {};
  const listed = namesIn(list);
  const order = tier.replicas.map((r) => r.name);
  const present = order.filter((n) => listed.includes(n));
  if (present.length === 0) return {};
  const after = new Map<string, string[]>();
  for (const m of missing) {
    const i = order.indexOf(m.name);
    const anchor = [...present].reverse().find((n) => order.indexOf(n) < i) ?? present[present.length - 1]!;
    after.set(anchor, [...(after.get(anchor) ?? []), m.name]);
  }
  const edits: TextEdit[] = [];
  for (const [anchor, names] of after) {
    const e = addNamesAfter(file, list, anchor, names);
    if (!e) return {};
    edits.push(e);
  }
  return { fix: { title: `add ${listNames(missing.map((m) => m.name))} to ${svc.name}'s depends_on`, edits, safe: true } };
}
