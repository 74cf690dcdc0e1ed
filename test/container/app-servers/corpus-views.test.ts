/**
 * Every service of every corpus stack, through the container view: which app server it runs (from
 * compose, the Dockerfile, entrypoint scripts, supervisord) and which Django settings module that
 * process loads. The corpus is read in place; skipped visibly when absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildContainerView } from '../../../src/container/view.js';
import { findComposeFiles } from '../../../src/engine/run.js';
import { buildStack } from '../../../src/stack/stack.js';
import type { Value } from '../../../src/core/value.js';
import { Workspace } from '../../../src/workspace/workspace.js';
import { specOf } from '../compose-adapter.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`SKIPPED app server corpus views test: corpus not found at ${CORPUS}`);

const show = (v: Value<unknown>) => (v.kind === 'known' ? String(v.value) : '?');

function corpusViews() {
  if (!present) return [];
  const ws = new Workspace(CORPUS);
  const out = [];
  for (const compose of findComposeFiles(ws)) {
    const stack = buildStack(ws, compose);
    for (const svc of stack.services) out.push({ compose, name: svc.name, ws, view: buildContainerView({ ws }, specOf(stack, svc)) });
  }
  return out;
}

describe.skipIf(!present)('app servers and Django settings of the corpus services, through their container views', () => {
  const views = corpusViews();
  it('lists them', () => {
    const lines = views.filter((v) => v.view.appServer || v.view.django).map(({ compose, name, view }) => {
      const a = view.appServer;
      const d = view.django;
      return `${compose} ${name}: ${a ? `${a.kind} bind=${show(a.bind)} procs=${show(a.processes)} threads=${show(a.threads)} ${show(a.interface)}` : 'no app server'}; ${d ? `settings ${show(d.settingsModule)} -> ${d.settingsFile ?? '(not found)'}` : 'no Django'}`;
    });
    console.info(`${lines.length} services run an app server or Django:\n  ${lines.join('\n  ')}`);
    expect(lines.length).toBeGreaterThan(0);
  });

  // A service whose process is an app server and whose repository holds the Django project it loads:
  // the settings file must be found, from the process alone.
  it('every app server process that loads a Django wsgi/asgi module in the repository finds its settings file', () => {
    const withApp = views.filter((v) => v.view.appServer);
    expect(withApp.length).toBeGreaterThanOrEqual(4);
    for (const { compose, name, view } of withApp) {
      const d = view.django;
      expect(d, `${compose} ${name}: no Django entry`).toBeDefined();
      expect(d!.settingsFile, `${compose} ${name}: settings ${show(d!.settingsModule)} not resolved`).toMatch(/settings(\/[\w]+)?\.py$|settings\/__init__\.py$/);
      // Every step of how it was found is a real line.
      for (const s of d!.via) expect(s.file.length, `${compose} ${name}`).toBeGreaterThan(0);
    }
  });
});
