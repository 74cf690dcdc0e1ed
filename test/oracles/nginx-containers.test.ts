import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContainerViews } from '../../src/container/view.js';
import { buildContainerNginx, nginxStartVerdict, runsNginx } from '../../src/inputs/nginx.js';
import { findComposeFiles } from '../../src/engine/run.js';
import { buildStack } from '../../src/stack/stack.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { specOf } from '../container/compose-adapter.js';
import { CORPUS_DIR } from './nginx-corpus.js';
import { nginxAvailable } from './nginx-harness.js';
import { canIsolateMounts, nginxTestContainer } from './nginx-container-harness.js';

/** Every nginx container of every corpus stack: the view arena-lint builds for it. */
function corpusContainers() {
  if (!existsSync(CORPUS_DIR)) return [];
  const ws = new Workspace(CORPUS_DIR);
  const out = [];
  for (const compose of findComposeFiles(ws)) {
    const stack = buildStack(ws, compose);
    const hosts = stack.services.flatMap((s) => [s.name, ...[s.containerName, s.hostname, ...s.networks.flatMap((n) => n.aliases)].flatMap((v) => (v?.kind === 'known' ? [v.value] : []))]);
    // Start order (depends_on first), so named volumes are filled the way Docker fills them.
    const order: typeof stack.services[number][] = [];
    const visit = (s: typeof stack.services[number], seen: Set<string>) => {
      if (order.includes(s) || seen.has(s.name)) return;
      seen.add(s.name);
      for (const d of s.dependsOn) { const dep = stack.service(d.name); if (dep) visit(dep, seen); }
      order.push(s);
    };
    stack.services.forEach((s) => visit(s, new Set()));
    const views = buildContainerViews(ws, order.map((s) => specOf(stack, s)));
    for (const [k, svc] of order.entries()) {
      const view = views[k]!;
      if (!runsNginx(view)) continue;
      out.push({ name: `${compose} ${svc.name}`, ws, view, hosts });
    }
  }
  return out;
}

const containers = corpusContainers();
if (!existsSync(CORPUS_DIR)) console.warn(`[oracle] no corpus at ${CORPUS_DIR}: skipping the nginx container oracle test`);
else if (!nginxAvailable || !canIsolateMounts) console.warn('[oracle] nginx or private mount namespaces unavailable: skipping the nginx container oracle test');

const undecided: string[] = [];

describe.skipIf(!nginxAvailable || !canIsolateMounts || containers.length === 0)('nginx -t agrees on whether each corpus nginx container starts', () => {
  it('finds the corpus nginx containers', () => {
    expect(containers.length).toBeGreaterThan(10);
  });
  afterAll(() => {
    if (undecided.length) console.warn(`[oracle] ${undecided.length} nginx containers with an unknown part (not run):\n  ${undecided.join('\n  ')}`);
  });
  it.each(containers.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const model = buildContainerNginx(c.ws, c.view);
    const ours = nginxStartVerdict(model);
    if (ours.starts === undefined) {
      // arena-lint does not claim a verdict: it must say why, and nginx -t cannot be run on files it cannot see.
      expect(ours.unknowns.length).toBeGreaterThan(0);
      undecided.push(`${c.name}: ${ours.unknowns.map((u) => `${u.what}: ${u.reason}`).join('; ')}`);
      return;
    }
    const real = nginxTestContainer(c.ws, c.view, model, c.hosts);
    const oursText = ours.problems.map((p) => `${p.message} at ${relative(CORPUS_DIR, join(CORPUS_DIR, p.span.file))}`).join('; ');
    expect({ starts: ours.starts, why: oursText }, `nginx: ${real.message ?? 'ok'} (blanked: ${real.blanked.join(' | ')})`).toMatchObject({ starts: real.accepted });
  });
});
