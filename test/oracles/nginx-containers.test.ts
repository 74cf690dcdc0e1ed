import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContainerNginx, nginxStartVerdict } from '../../src/inputs/nginx.js';
import { findComposeFiles } from '../../src/engine/run.js';
import { buildStack } from '../../src/stack/stack.js';
import { Workspace } from '../../src/workspace/workspace.js';
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
    const hosts = stack.workloads.flatMap((w) => w.hostnames.flatMap((v) => (v.kind === 'known' ? [v.value] : [])));
    // The stack's proxies are its nginx containers, their views built in start order as Docker fills named volumes.
    for (const p of stack.proxies) out.push({ name: `${compose} ${p.service.name}`, ws, view: stack.view(p.service)!, hosts });
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
