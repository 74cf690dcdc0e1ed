/**
 * Every finding arena-lint makes on the real repositories of ../shared/corpus, read as that project's
 * maintainer would, with why it is right. A new finding fails this test until someone has read it and
 * either fixed the model or written it down here. Two rule families keep their own ledgers beside
 * their rules: the security rules (test/security/corpus-security.test.ts) and the issue-10 nginx and
 * timeout rules (test/corpus-rules10.test.ts). Skips visibly when the corpus is absent.
 */
import { SECURITY_RULES } from '../rules/registry-security.js';
import { CorpusLedger } from './helpers/corpus-ledger.js';

/** Ledgered in test/corpus-rules10.test.ts. */
const RULES10_LEDGER = new Set([
  'upstream-keepalive-timeout', 'proxy-read-timeout', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout', 'nginx-refuses-config',
  'websocket-upgrade-headers', 'upstream-max-conns', 'upstream-dns-cached', 'upstream-protocol-mismatch', 'django-settings-unknown-key',
  'conn-max-age-asgi', 'channel-layer-in-memory',
]);
/** Ledgered in test/corpus-rules10b.test.ts. */
const RULES10B_LEDGER = ['collectstatic-race', 'static-files', 'sse-proxy-buffering', 'streaming-sync-workers', 'healthcheck-mismatch'];
const OTHER_LEDGERS = new Set([...SECURITY_RULES.map((r) => r.meta.id), ...RULES10_LEDGER, ...RULES10B_LEDGER]);

const ledger = new CorpusLedger('every corpus finding is one its maintainers would accept', (id) => !OTHER_LEDGERS.has(id));
const accept = ledger.accept.bind(ledger);

accept('Kozimjondev__al_lahm_docker', 'parse-error', ['efcde8f/proxy/default.conf.tpl:3'],
  '`server django_app:8001` has no `;`, so nginx stops at the `}` after it ("unexpected }"): the proxy image that run.sh renders this template into would not start. The later snapshot adds the semicolon.');
accept('Kozimjondev__al_lahm_docker', 'upstream-unknown-server', ['efcde8f/proxy/default.conf.tpl:2'],
  'the same upstream names `django_app`, but the compose service is `app` (and the image\'s APP_HOST is app): with the semicolon added nginx would still refuse to start ("host not found in upstream"). Two edits on two lines, so two findings.');
accept('Meoyoug__django-backend-youtube', 'upstream-port-mismatch', ['2f6ff37/proxy/default.conf.tpl:6'],
  'upstream daphne is `daphne:9000`, but compose starts `daphne -b 0.0.0.0 -p 8000`: every websocket request gets 502. The template reaches nginx through the proxy image\'s run.sh (envsubst into conf.d), which the container view follows.');
accept('Meoyoug__django-backend-youtube', 'network-unreachable', ['2f6ff37/docker-compose-deploy.yml:55'],
  'proxy (and db) list only backend_network, while django and daphne list no networks and so sit on the default network alone: nginx cannot resolve either upstream. One finding per upstream, both at the proxy\'s networks: line where the fix (adding the default network, or backend_network to the apps) goes.');
accept('Meoyoug__django-backend-youtube', 'network-unreachable', ['2f6ff37/docker-compose-deploy.yml:3'],
  'django lists no networks (the default network alone) and db only backend_network, while DATABASES HOST is DB_HOST=db: Django cannot resolve its database. Seen since the settings of this uWSGI `--module` app are found through the container view (test/corpus-rules10b.test.ts); 4ba9a7b drops the networks.');
accept('makeplane__plane', 'config-not-loaded', ['nginx/nginx-single-docker-image.conf:1'],
  'info: the file sits in the proxy\'s build context (nginx/), but neither nginx/Dockerfile nor Dockerfile.dev copies it and no other Dockerfile of the tree does: it belongs to the all-in-one image built elsewhere, so arena-lint says it did not check it instead of judging a config no container of these stacks runs.');

ledger.run();
