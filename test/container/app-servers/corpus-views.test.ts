/**
 * Every service of every corpus stack, through the container view: which app server it runs (from
 * compose, the Dockerfile, entrypoint scripts, supervisord) and which Django settings module that
 * process loads. The corpus is read in place; skipped visibly when absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findComposeFiles } from '../../../src/engine/run.js';
import { buildStack } from '../../../src/stack/stack.js';
import type { Value } from '../../../src/core/value.js';
import { Workspace } from '../../../src/workspace/workspace.js';

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
    for (const svc of stack.services) out.push({ compose, name: svc.name, ws, view: stack.view(svc)! });
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

/**
 * Per corpus repository, whether the Django settings its app server loads are found, and when not,
 * why (what `arena-lint inspect` shows for the web service). Read by hand, 2026-12-01.
 */
const DJANGO_VERDICTS: ReadonlyArray<{ repo: string; found: boolean; why: string; shows?: RegExp }> = [
  { repo: 'DefectDojo__django-DefectDojo', found: true, why: 'uwsgi exec\'d by docker/entrypoint-uwsgi.sh behind wait-for-it.sh; dojo.settings.settings from dojo/wsgi.py' },
  { repo: 'Kozimjondev__al_lahm_docker', found: true, why: 'uwsgi from the image\'s run script' },
  { repo: 'Meoyoug__django-backend-youtube', found: true, why: 'uwsgi and daphne from compose and the image' },
  { repo: 'makeplane__plane', found: true, why: 'the api image\'s start script runs gunicorn with plane.settings.production' },
  { repo: 'WeblateOrg__docker', found: false, why: 'the web service runs the prebuilt weblate/weblate image; its code is not in the tree', shows: /weblate\/weblate/ },
  { repo: 'getsentry__self-hosted', found: false, why: 'sentry runs from getsentry/sentry images whose code is not in the tree', shows: /sentry/ },
  { repo: 'kaleidos-ventures__taiga-docker', found: false, why: 'taiga-back is the prebuilt taigaio/taiga-back image', shows: /taigaio\/taiga-back/ },
  { repo: 'netbox-community__netbox-docker', found: false, why: 'netbox runs the prebuilt netboxcommunity/netbox image', shows: /netboxcommunity\/netbox/ },
  { repo: 'wger-project__docker', found: false, why: 'web runs the prebuilt wger/server image', shows: /wger\/server/ },
  { repo: 'zulip__docker-zulip', found: false, why: 'the Dockerfile unpacks the Zulip server from a tarball a RUN step makes', shows: /made by a RUN step/ },
  { repo: 'openwisp__docker-openwisp', found: false, why: 'the dashboard image is FROM openwisp/openwisp-base, built outside compose; its init_command.sh is not in what the image shows', shows: /init_command\.sh is not in the container's files/ },
  { repo: 'paperless-ngx__paperless-ngx', found: false, why: 'the compose files run the prebuilt ghcr.io/paperless-ngx image; the devcontainer\'s s6 services start from a base image', shows: /paperless-ngx/ },
  { repo: 'intelowlproject__IntelOwl', found: false, why: 'the main project is docker/default.yml plus overrides, chosen by the Python `start` script: no compose-named file, so a `stacks:` entry in .arena-lint.yaml declares it', shows: /integrations\// },
  { repo: 'pulp__pulp-oci-images', found: false, why: 'pulp runs the prebuilt pulp/pulp image', shows: /pulp/ },
];

describe.skipIf(!present)('Django settings per corpus repository: found, or why not', () => {
  const byRepo = new Map<string, typeof views>();
  const views = corpusViews();
  for (const v of views) {
    const repo = v.compose.split('/')[0]!;
    byRepo.set(repo, [...(byRepo.get(repo) ?? []), v]);
  }
  for (const { repo, found, why, shows } of DJANGO_VERDICTS) {
    it(`${repo}: ${found ? 'found' : 'not found'} (${why})`, () => {
      const mine = byRepo.get(repo) ?? [];
      expect(mine.length, `${repo} has no stack`).toBeGreaterThan(0);
      const withSettings = mine.filter((v) => v.view.django?.settingsFile);
      if (found) expect(withSettings.length).toBeGreaterThan(0);
      else {
        expect(withSettings.map((v) => `${v.compose} ${v.name}`)).toEqual([]);
        const text = mine.map((v) => [v.compose, v.view.image?.kind === 'known' ? v.view.image.value : '', ...v.view.unknowns.map((u) => u.reason)].join(' ')).join('\n');
        expect(text).toMatch(shows!);
      }
    });
  }
});
