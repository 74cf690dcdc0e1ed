/**
 * Every finding arena-lint makes on the real repositories of ../shared/corpus, read as that project's
 * maintainer would, with why it is right. A new finding fails this test until someone has read it and
 * either fixed the model or written it down here. Two rule families keep their own ledgers beside
 * their rules: the security rules (test/security/corpus-security.test.ts) and the issue-10 nginx and
 * timeout rules (test/corpus-rules10.test.ts). Skips visibly when the corpus is absent.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { SECURITY_RULES } from '../rules/registry-security.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus not found at ${CORPUS}: skipping the corpus findings ledger`);

/** Ledgered in test/corpus-rules10.test.ts. */
const RULES10_LEDGER = new Set([
  'upstream-keepalive-timeout', 'proxy-read-timeout', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout', 'nginx-refuses-config',
  'websocket-upgrade-headers', 'upstream-max-conns', 'upstream-dns-cached', 'upstream-protocol-mismatch', 'django-settings-unknown-key',
  'conn-max-age-asgi', 'channel-layer-in-memory',
]);
const OTHER_LEDGERS = new Set([...SECURITY_RULES.map((r) => r.meta.id), ...RULES10_LEDGER]);

/** `repo rule file:line` -> why the finding is right. */
const ACCEPTED = new Map<string, string>();
const accept = (repo: string, rule: string, lines: readonly string[], why: string) => {
  for (const l of lines) ACCEPTED.set(`${repo} ${rule} ${l}`, why);
};

accept('Kozimjondev__al_lahm_docker', 'parse-error', ['efcde8f/proxy/default.conf.tpl:3'],
  '`server django_app:8001` has no `;`, so nginx stops at the `}` after it ("unexpected }"): the proxy image that run.sh renders this template into would not start. The later snapshot adds the semicolon.');
accept('Kozimjondev__al_lahm_docker', 'upstream-unknown-server', ['efcde8f/proxy/default.conf.tpl:2'],
  'the same upstream names `django_app`, but the compose service is `app` (and the image\'s APP_HOST is app): with the semicolon added nginx would still refuse to start ("host not found in upstream"). Two edits on two lines, so two findings.');
accept('Meoyoug__django-backend-youtube', 'upstream-port-mismatch', ['2f6ff37/proxy/default.conf.tpl:6'],
  'upstream daphne is `daphne:9000`, but compose starts `daphne -b 0.0.0.0 -p 8000`: every websocket request gets 502. The template reaches nginx through the proxy image\'s run.sh (envsubst into conf.d), which the container view follows.');
accept('Meoyoug__django-backend-youtube', 'network-unreachable', ['2f6ff37/docker-compose-deploy.yml:55'],
  'proxy (and db) list only backend_network, while django and daphne list no networks and so sit on the default network alone: nginx cannot resolve either upstream. One finding per upstream, both at the proxy\'s networks: line where the fix (adding the default network, or backend_network to the apps) goes.');

describe.skipIf(!present)('every corpus finding is one its maintainers would accept', () => {
  const repos = present ? readdirSync(CORPUS).filter((d) => d.includes('__')).sort() : [];
  const seen = new Set<string>();
  for (const repo of repos) {
    it(repo, () => {
      const run = check({ dir: join(CORPUS, repo), rules: RULES });
      for (const f of run.result.findings) {
        if (OTHER_LEDGERS.has(f.ruleId)) continue;
        const file = run.result.sources.get(f.span.file)!;
        const line = file.lineStarts.filter((s) => s <= f.span.start).length;
        const key = `${repo} ${f.ruleId} ${f.span.file}:${line}`;
        seen.add(key);
        expect(ACCEPTED.get(key), `new finding, read it as the maintainer would: ${key}: ${f.message}`).toBeDefined();
      }
    });
  }
  it('every accepted finding is still found (or the ledger is out of date)', () => {
    expect([...ACCEPTED.keys()].filter((k) => !seen.has(k))).toEqual([]);
  });
});
