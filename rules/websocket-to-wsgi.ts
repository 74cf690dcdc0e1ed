import { defineRule } from '../src/engine/rule.js';
import { inherited } from '../src/inputs/nginx.js';
import { listNames, passTargets } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'websocket-to-wsgi',
    description: 'Reports a location that upgrades connections to websockets but proxies to WSGI app servers',
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: 'A location that sets `proxy_set_header Upgrade $http_upgrade` (directly or inherited) is meant for websockets. arena-lint follows its `proxy_pass` to the upstream servers and their services, and reads each service\'s app server: gunicorn with a sync, gthread, gevent or eventlet worker serves WSGI, which has no websocket support; uvicorn and daphne, or gunicorn with `uvicorn.workers.UvicornWorker`, serve ASGI and are fine.',
      why: 'Django Channels consumers only run under ASGI. Behind a WSGI gunicorn the upgrade request reaches Django as plain HTTP and fails (404 or 400), so every websocket connection fails, however the nginx side is tuned. The seed\'s `django_websocket` upstream points at replicas running `arena_backend.wsgi` with gthread workers.',
    },
  },
  check({ stack, report, where, unknown }) {
    for (const proxy of stack.proxies) {
      for (const loc of proxy.nginx.locations) {
        const pass = loc.proxyPass;
        if (!pass || pass.kind !== 'proxy_pass') continue;
        const upgrades = inherited(loc.node, 'proxy_set_header').some((h) => h.directive.args[0]?.value.toLowerCase() === 'upgrade');
        if (!upgrades) continue;
        const targets = passTargets(stack, pass);
        for (const t of targets) if (!stack.app(t)?.protocol) unknown(`cannot tell whether ${t.name} serves WSGI or ASGI from its command`, pass.node.directive.span);
        const wsgi = targets.filter((s) => stack.app(s)?.protocol === 'wsgi');
        if (wsgi.length === 0) continue;
        const first = stack.app(wsgi[0]!)!;
        const worker = first.gunicorn?.workerClass.kind === 'known' ? first.gunicorn.workerClass.value : 'sync';
        const appName = first.gunicorn?.app?.kind === 'known' ? ` ${first.gunicorn.app.value}` : '';
        report({
          span: pass.node.directive.span,
          message: `location ${loc.match} upgrades to websockets, but ${pass.target.value} reaches ${listNames(wsgi.map((s) => s.name), 3)}, which run${wsgi.length === 1 ? 's' : ''} WSGI gunicorn (${worker} workers${appName}; ${where(first.server.span)})`,
          related: [{ span: first.server.span, message: `${wsgi[0]!.name} starts a WSGI server here` }],
          hint: 'proxy websockets to an ASGI server (uvicorn, daphne, or gunicorn -k uvicorn.workers.UvicornWorker on the asgi module)',
        });
      }
    }
  },
});
