/**
 * What the issue-10 compose/Django-side rules (collectstatic-race, static-files, sse-proxy-buffering,
 * streaming-sync-workers, healthcheck-mismatch) say about the real repositories of ../shared/corpus,
 * read as each project's maintainer would, and the findings other rules gained when the Django settings
 * discovery started to follow the container view. Every finding kept is listed with why it is right; a
 * new one fails this test until someone has read it. Skips visibly when the corpus is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus not found at ${CORPUS}: skipping the issue-10 compose/Django rules' corpus review`);

const IDS = new Set(['collectstatic-race', 'static-files', 'sse-proxy-buffering', 'streaming-sync-workers', 'healthcheck-mismatch']);

/**
 * The reviewed findings of these rules per repository (`rule file:line`); none today. Silence is reviewed too:
 * - kaleidos-ventures__taiga-docker: `location /events` holds connections for 7d with buffering at its
 *   default, but it passes Upgrade/Connection "upgrade" to taiga-events, a websocket server: nginx relays
 *   an upgraded socket unbuffered, so sse-proxy-buffering is right to stay silent (it once fired here:
 *   the websocket exclusion in rules/support/streaming.ts came from reading it).
 * - Kozimjondev__al_lahm_docker, Meoyoug__django-backend-youtube (4ba9a7b): `location /static { alias /vol/static; }`
 *   with STATIC_URL /static/static/ and STATIC_ROOT /vol/web/static, the volume mounted at /vol/web (app)
 *   and /vol/static (proxy): /static/static/x is /vol/static/static/x, which is STATIC_ROOT/x. Correct, so
 *   static-files is silent; the config is the template the proxy's run.sh renders, which the stack reads
 *   through the container view (an alias moved to /vol/static/x makes the rule fire on both settings).
 *   Their run.sh runs collectstatic before uwsgi in one container
 *   (Meoyoug 2f6ff37 runs it after a foreground uwsgi, so never): no replicas, no race.
 * - netbox-community__netbox-docker: `curl -f http://localhost:8080/login/` against the prebuilt netbox
 *   image, whose server arena-lint cannot read: healthcheck-mismatch stays silent (unknown).
 * - wger-project__docker: wget/python probes of prebuilt wger images: silent for the same reason.
 * - cookiecutter-django, paperless-ngx, openwisp, plane, IntelOwl: STATIC_ROOT/MEDIA_ROOT are built from
 *   `BASE_DIR`/`__file__`, which the Python evaluator does not resolve: static-files and
 *   collectstatic-race stay silent.
 */
const REVIEWED: Readonly<Record<string, readonly string[]>> = {};

/**
 * Findings of other rules that appeared when Django settings discovery began to use the settings module
 * the container view found (uWSGI `--module app.wsgi`, `COPY ./app /app` with `WORKDIR /app`); before,
 * these apps had no settings at all. Each read and kept:
 */
const FROM_SETTINGS_DISCOVERY: Readonly<Record<string, readonly string[]>> = {
  // docker-compose-deploy.yml sets no DEBUG, and settings.py:26 is `DEBUG = bool(int(os.environ.get("DEBUG", 1)))`:
  // the deployed app runs with DEBUG on. Right.
  Kozimjondev__al_lahm_docker: ['debug-in-production efcde8f/app/app/settings.py:26'],
  'Meoyoug__django-backend-youtube': [
    // `SECRET_KEY = 'test'` in the settings the deploy stack runs; compose's SECRET_KEY=${SECRET_KEY} is never read. Right.
    'hardcoded-secret 2f6ff37/app/app/settings.py:11',
    'hardcoded-secret 4ba9a7b/app/app/settings.py:11',
    // `DEBUG = True` in the same settings, in docker-compose-deploy.yml. Right.
    'debug-in-production 2f6ff37/app/app/settings.py:14',
    'debug-in-production 4ba9a7b/app/app/settings.py:14',
    // InMemoryChannelLayer while uwsgi runs 4 processes (scripts/run.sh:5) beside daphne: a group_send from
    // a view never reaches daphne's consumers. Right.
    'channel-layer-in-memory 2f6ff37/app/app/settings.py:142',
    // django lists no networks (default network), db only backend_network: `db` does not resolve from
    // django, and DATABASES HOST is DB_HOST=db. Right (4ba9a7b drops the networks: all on the default one).
    'network-unreachable 2f6ff37/docker-compose-deploy.yml:3',
  ],
};

describe.skipIf(!present)('issue-10 compose/Django rules on the corpus', () => {
  const dirs = present ? readdirSync(CORPUS).filter((d) => d.includes('__')).sort() : [];
  for (const name of dirs) {
    it(name, () => {
      const run = check({ dir: join(CORPUS, name), rules: RULES });
      const lineOf = (file: string, offset: number) => run.result.sources.get(file)!.text.slice(0, offset).split('\n').length;
      const all = run.result.findings.map((f) => ({ id: f.ruleId, at: `${f.ruleId} ${f.span.file}:${lineOf(f.span.file, f.span.start)}` }));
      const mine = all.filter((f) => IDS.has(f.id)).map((f) => f.at);
      expect([...new Set(mine)].sort()).toEqual([...(REVIEWED[name] ?? [])].sort());
      const everything = new Set(all.map((f) => f.at));
      for (const kept of FROM_SETTINGS_DISCOVERY[name] ?? []) expect(everything, `${kept} is still found`).toContain(kept);
    });
  }
});
