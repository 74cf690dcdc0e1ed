import { defineRule } from '../src/engine/rule.js';
import { editSpan } from '../src/inputs/django.js';
import { pyTruthy } from '../src/python/value.js';
import { listenPorts } from '../src/stack/topology.js';
import { djangoRoutes, setting } from '../src/security/edge.js';
import { onEveryInterface, publishedPorts } from '../src/security/ports.js';
import { isDevelopmentStack } from '../src/security/secrets.js';

const TRUSTED = ['SECURE_PROXY_SSL_HEADER', 'USE_X_FORWARDED_HOST', 'USE_X_FORWARDED_PORT'] as const;

export default defineRule({
  meta: {
    id: 'app-port-published',
    description: 'Reports an app server port published on the host while Django trusts headers only nginx should set',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'For every app service that nginx proxies to, reports a `ports:` entry that publishes the app server\'s own port (gunicorn\'s `--bind`, uvicorn\'s `--port`) on every host interface while the Django settings it runs trust proxy headers: `SECURE_PROXY_SSL_HEADER` set, or `USE_X_FORWARDED_HOST` / `USE_X_FORWARDED_PORT` true. A port bound to loopback (`127.0.0.1:8000:8000`) is fine. Development stacks are not judged.',
      why: 'Those settings are safe only when nginx is the one setting the headers. A published app port lets any client talk to gunicorn directly, skip nginx (its rate limits, body size limits and TLS too) and send `X-Forwarded-Proto: https` or an X-Forwarded-Host of its choice, which Django then believes.',
    },
  },
  check({ stack, report, where }) {
    if (isDevelopmentStack(stack)) return;
    const seen = new Set<string>();
    for (const route of djangoRoutes(stack)) {
      const svc = route.app.service;
      if (seen.has(svc.name)) continue;
      seen.add(svc.name);
      const trusted = TRUSTED.flatMap((name) => {
        const s = setting(stack, route.app, name);
        if (s.kind !== 'set') return [];
        const on = name === 'SECURE_PROXY_SSL_HEADER' ? s.value.value !== null : pyTruthy(s.value) === true;
        return on ? [{ name, span: editSpan(s.value) }] : [];
      });
      if (trusted.length === 0) continue;
      const ports = listenPorts(route.app.app);
      if (!ports) continue;
      const appPorts = new Set(ports.map((p) => p.port));
      for (const p of publishedPorts(svc)) {
        if (!appPorts.has(p.target) || !onEveryInterface(p)) continue;
        const first = trusted[0]!;
        report({
          span: p.span,
          message: `${svc.name} publishes its app server port ${p.target} on every host interface${p.published ? ` (host port ${p.published})` : ''}, while its Django settings trust ${trusted.map((t) => t.name).join(' and ')} (${where(first.span)}): a client can skip nginx and send those headers itself`,
          related: trusted.map((t) => ({ span: t.span, message: `${t.name} is set here` })),
          hint: `remove the ports entry (nginx reaches ${svc.name} over the compose network) or bind it to loopback ("127.0.0.1:${p.published ?? p.target}:${p.target}")`,
        });
      }
    }
  },
});
