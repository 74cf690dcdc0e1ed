import { defineRule } from '../src/engine/rule.js';
import { pyNumber } from '../src/inputs/django.js';
import { dataTier, groupBy, spanKey } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'conn-max-age-asgi',
    description: 'Reports persistent database connections (CONN_MAX_AGE above 0 or None) in a Django app served by an ASGI server',
    defaultSeverity: 'warning',
    category: 'data',
    docs: {
      what: 'Reads `CONN_MAX_AGE` of every database in the settings each app container loads, and the app server it runs: uvicorn, daphne, or gunicorn with an ASGI worker class (`uvicorn.workers.UvicornWorker`) serve ASGI. The rule reports a `CONN_MAX_AGE` above 0 (or `None`, forever) in a container that serves ASGI, naming the server.',
      why: 'Django keeps connections per thread and per async context. Under ASGI each request runs in a context of its own, so a persistent connection is never reused by the next request; with `CONN_MAX_AGE` it is not closed at the end of the request either, and open connections pile up until they age out, towards PostgreSQL\'s `max_connections` or pgbouncer\'s `max_client_conn`. Django\'s documentation says to disable persistent connections under ASGI and pool elsewhere (https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections).',
      notes: 'A settings module shared by a WSGI web tier and an ASGI Channels tier is reported for the ASGI services only; setting `CONN_MAX_AGE` from an environment variable that the ASGI service sets to 0 silences it. A server whose protocol cannot be told from its command keeps the rule silent.',
    },
  },
  check({ stack, report, where }) {
    const found = [];
    for (const { db } of stack.data.databases) {
      if (db.app.app.protocol !== 'asgi') continue;
      const age = pyNumber(db.connMaxAge);
      if (!age || age.kind === 'unknown' || age.value === 0) continue;
      found.push({ db, age });
    }
    for (const group of groupBy(found, (f) => spanKey(f.age.span))) {
      const { db, age } = group[0]!;
      const services = [...new Set(group.map((g) => g.db.app.service.name))];
      const server = db.app.app;
      const ageText = age.value === null ? 'None (forever)' : `${age.value}s`;
      report({
        span: age.span,
        message: `CONN_MAX_AGE ${ageText} of database "${db.alias}" keeps connections open in ${listNames(services, 3)}, which serve${services.length === 1 ? 's' : ''} ASGI (${server.server.kind}${server.gunicorn?.workerClass.kind === 'known' ? ` -k ${server.gunicorn.workerClass.value}` : ''}; ${where(server.server.span)}): each request's async context opens its own connection, none is reused, and each stays open for CONN_MAX_AGE, so connections pile up towards the database's limit`,
        related: [{ span: server.server.span, message: `${services[0]} serves ASGI here` }],
        hint: 'set CONN_MAX_AGE to 0 for the ASGI service (e.g. read it from an environment variable), and pool with pgbouncer or Django 5.1\'s "pool" option instead',
      });
    }
  },
});
