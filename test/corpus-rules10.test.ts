/**
 * What the issue-10 rules say about the real repositories of ../shared/corpus, read as each project's
 * maintainer would. Every finding kept is listed here with why it is right; a new one fails this
 * test until someone has read it. Skips visibly when the corpus is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus not found at ${CORPUS}: skipping the issue-10 rules' corpus review`);

const IDS = new Set([
  'upstream-keepalive-timeout', 'proxy-read-timeout', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout', 'nginx-refuses-config',
  'websocket-upgrade-headers', 'upstream-max-conns', 'upstream-dns-cached', 'upstream-protocol-mismatch', 'django-settings-unknown-key',
  'conn-max-age-asgi', 'channel-layer-in-memory',
]);

/**
 * The reviewed findings per repository (`rule file:line`). Silence is reviewed too:
 * - kaleidos-ventures__taiga-docker: `/events` proxies websockets with HTTP/1.1, Upgrade and
 *   Connection "upgrade": complete, so websocket-upgrade-headers is right to stay silent.
 * - wger-project__docker: `/` and `/ps/` set all three; proxy_read_timeout 86400s faces the web
 *   service of the prebuilt wger/server image, whose command arena-lint cannot read, so
 *   proxy-read-timeout is silent (unknown, not judged).
 * - every nginx container: nginx-refuses-config agrees with the real nginx -t
 *   (test/nginx-refuses-config.oracle.test.ts), and nginx accepts all of them.
 */
const REVIEWED: Readonly<Record<string, readonly string[]>> = {
  // 2f6ff37: `/ws/` proxies to daphne without Upgrade/Connection, so every websocket handshake arrives
  // as a plain GET (4ba9a7b adds the headers). The file reaches nginx through the proxy's run.sh
  // (envsubst into conf.d), which the container view follows.
  // InMemoryChannelLayer (settings.py:142) while scripts/run.sh starts uwsgi with 4 processes beside the
  // daphne service: a group_send from a view never reaches daphne's consumers. Seen once the Django
  // settings of a uWSGI `--module` app were found through the container view (test/corpus-rules10b.test.ts).
  'Meoyoug__django-backend-youtube': ['websocket-upgrade-headers 2f6ff37/proxy/default.conf.tpl:21', 'channel-layer-in-memory 2f6ff37/app/app/settings.py:142'],
};

describe.skipIf(!present)('issue-10 rules on the corpus', () => {
  const dirs = present ? readdirSync(CORPUS).filter((d) => d.includes('__')).sort() : [];
  for (const name of dirs) {
    it(name, () => {
      const run = check({ dir: join(CORPUS, name), rules: RULES });
      const lineOf = (file: string, offset: number) => run.result.sources.get(file)!.text.slice(0, offset).split('\n').length;
      const mine = run.result.findings.filter((f) => IDS.has(f.ruleId)).map((f) => `${f.ruleId} ${f.span.file}:${lineOf(f.span.file, f.span.start)}`);
      expect([...new Set(mine)].sort()).toEqual([...(REVIEWED[name] ?? [])].sort());
    });
  }
});
