import { SECURITY_RULES } from '../../rules/registry-security.js';
import { CorpusLedger } from '../helpers/corpus-ledger.js';

// The security rules on the real repositories of ../shared/corpus: every finding they make there is
// listed below with why that project's maintainers should accept it. A new finding fails this test
// until someone has read it the way the maintainer would and either fixed the rule or added it here.
const IDS = new Set(SECURITY_RULES.map((r) => r.meta.id));

const ledger = new CorpusLedger('security rules on the real-world corpus', (id) => IDS.has(id));
const accept = ledger.accept.bind(ledger);

accept('DefectDojo__django-DefectDojo', 'hardcoded-secret',
  ['docker-compose.yml:51', 'docker-compose.yml:54', 'docker-compose.yml:73', 'docker-compose.yml:76', 'docker-compose.yml:94', 'docker-compose.yml:97', 'docker-compose.yml:112', 'docker-compose.yml:118', 'docker-compose.yml:131'],
  'the production compose file gives DD_SECRET_KEY, DD_CREDENTIAL_AES_256_KEY and the database password literal defaults (`${DD_SECRET_KEY:-hhZCp...}`): every install that forgets to set them signs sessions and encrypts stored credentials with a key published on GitHub. One line per service that repeats the default, each needs its own edit.');
accept('getsentry__self-hosted', 'hardcoded-secret', ['docker-compose.yml:292', 'docker-compose.yml:712'],
  'AWS_SECRET_ACCESS_KEY / AWS_SECRET_KEY "sentry" for the bundled object store are the same in every self-hosted install; whoever reaches that service (a published port, an SSRF) knows them.');
accept('kaleidos-ventures__taiga-docker', 'hardcoded-secret', ['docker-compose.penpot.yml:71'],
  'POSTGRES_PASSWORD=penpot is written in the compose file users run as is; the database password of every such install is public.');
accept('makeplane__plane', 'hardcoded-secret',
  ['deploy/selfhost/docker-compose.yml:5', 'deploy/selfhost/docker-compose.yml:17', 'deploy/selfhost/docker-compose.yml:22', 'deploy/selfhost/docker-compose.yml:35', 'deploy/selfhost/docker-compose.yml:50', 'deploy/selfhost/docker-compose.yml:51', 'deploy/selfhost/docker-compose.yml:52'],
  'the self-hosting compose file defaults POSTGRES_PASSWORD, MINIO_ROOT_PASSWORD, AWS_SECRET_ACCESS_KEY, RABBITMQ_DEFAULT_PASS, SECRET_KEY and the passwords inside DATABASE_URL/AMQP_URL (`${VAR:-...}`): an install whose plane.env misses one runs with the published value, silently. The issue names exactly this (`${DB_PASSWORD:-changeme}`).');
accept('paperless-ngx__paperless-ngx', 'hardcoded-secret',
  ['docker/compose/docker-compose.mariadb-tika.yml:49', 'docker/compose/docker-compose.mariadb-tika.yml:50', 'docker/compose/docker-compose.mariadb.yml:45', 'docker/compose/docker-compose.mariadb.yml:46', 'docker/compose/docker-compose.portainer.yml:48', 'docker/compose/docker-compose.postgres-tika.yml:48', 'docker/compose/docker-compose.postgres.yml:44'],
  'these are the compose files the docs tell users to download and run; the database (root) passwords are literal "paperless" in every install that does not edit them. The env file next to them is where they belong.');
accept('pulp__pulp-oci-images', 'hardcoded-secret', ['images/compose/compose.yml:9', 'images/compose/compose.yml:65', 'images/compose/compose.folders.yml:9', 'images/compose/compose.folders.yml:65'],
  'POSTGRES_PASSWORD and PULP_DEFAULT_ADMIN_PASSWORD are "password" in the compose files users start pulp with.');
accept('pulp__pulp-oci-images', 'datastore-port-published', ['images/compose/compose.yml:6', 'images/compose/compose.folders.yml:6'],
  'Postgres is published as "5432:5432" on every host interface, guarded only by the password "password" written three lines below; pulp reaches it over the compose network, so binding it to 127.0.0.1 loses nothing. A warning, not an error: it does ask for a password.');
accept('makeplane__plane', 'forwarded-proto', ['nginx/nginx.conf.template:36'],
  'plane.settings.production trusts `X-Forwarded-Proto: https`, but the proxy only sets it as a response header (`add_header X-Forwarded-Proto`), never on the request (`proxy_set_header`): whatever the client sends reaches Django, so any client over plain HTTP can claim https (secure cookies, redirects, `request.is_secure()`).');
accept('Kozimjondev__al_lahm_docker', 'debug-in-production', ['efcde8f/app/app/settings.py:26'],
  'docker-compose-deploy.yml sets no DEBUG and settings.py reads `DEBUG = bool(int(os.environ.get("DEBUG", 1)))`: the deployed app runs with DEBUG on. Seen since the settings of a uWSGI `--module` app are found through the container view (test/corpus-rules10b.test.ts).');
accept('Meoyoug__django-backend-youtube', 'debug-in-production', ['2f6ff37/app/app/settings.py:14', '4ba9a7b/app/app/settings.py:14'],
  '`DEBUG = True` in the settings docker-compose-deploy.yml runs (found through the container view: COPY ./app /app, WORKDIR /app).');
accept('Meoyoug__django-backend-youtube', 'hardcoded-secret', ['2f6ff37/app/app/settings.py:11', '4ba9a7b/app/app/settings.py:11'],
  "`SECRET_KEY = 'test'` in the deployed settings; compose passes SECRET_KEY=${SECRET_KEY}, which the settings never read.");
accept('Kozimjondev__al_lahm_docker', 'nginx-alias-traversal', ['efcde8f/proxy/default.conf.tpl:11'],
  '`location /static { alias /vol/static; }`: nginx maps by prefix, so /static-x/... is served from /vol/static-x/...; harmless while /vol holds only static, a leak once another folder beside it starts with "static". Adding the slash to both is the fix gixy suggests too.');
accept('Meoyoug__django-backend-youtube', 'nginx-alias-traversal', ['4ba9a7b/proxy/default.conf.tpl:27'],
  'the same `location /static { alias /vol/static; }` prefix mapping as above, in the proxy image run.sh renders.');

ledger.run();
