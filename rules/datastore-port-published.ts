import { defineRule } from '../src/engine/rule.js';
import type { Span } from '../src/core/value.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { pgbouncerText } from '../src/inputs/pgbouncer.js';
import { redisValue } from '../src/inputs/redis.js';
import { onEveryInterface, publishedPorts } from '../src/security/ports.js';
import { isDevelopmentStack, writtenSecrets } from '../src/security/secrets.js';

interface Datastore {
  readonly service: ComposeService;
  readonly kind: string;
  /** Why it answers without a password, with where that is set; undefined when it asks for one or we cannot tell. */
  readonly open?: { readonly why: string; readonly span?: Span };
}

const MEMCACHED = /(^|\/)memcached(:|@|$)/;

export default defineRule({
  meta: {
    id: 'datastore-port-published',
    description: 'Reports Postgres, pgbouncer, Redis or memcached published on every host interface',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'Reports a `ports:` entry of a Postgres, pgbouncer, Redis or memcached service that binds every host interface (`"6379:6379"`, `"5432"`, or a long entry without `host_ip`) rather than loopback (`"127.0.0.1:6379:6379"`). It is a warning when the datastore asks for a password, and an error when it answers without one: Redis without `requirepass`, Postgres with `POSTGRES_HOST_AUTH_METHOD=trust`, pgbouncer with `auth_type = trust` or `any`, and memcached (no authentication unless built with SASL). Stacks for development (compose files named `*dev*`, `*local*`, `*.override.*`, ...) are not reported.',
      why: 'The app reaches its datastores over the compose network; a published port only adds a way in from outside. Docker writes its own iptables rules for published ports, ahead of ufw or firewalld, so the host firewall does not close it. An open Redis on the internet is found and taken over within minutes (it can write files through CONFIG SET); a Postgres with trust auth hands out the whole database.',
      notes: 'If a tool on the host needs the port, bind it to loopback (`127.0.0.1:5432:5432`) or use an SSH tunnel.',
    },
  },
  check({ stack, report, where }) {
    if (isDevelopmentStack(stack)) return;
    const tier = stack.data;
    const stores: Datastore[] = [];
    for (const r of tier.redis) {
      const pass = redisValue(r, 'requirepass');
      // The official image runs redis-server with no password unless the command or redis.conf sets one.
      const image = r.service.image?.kind === 'known' ? r.service.image.value : '';
      const env = stack.env(r.service);
      const plainImage = /^(docker\.io\/)?(library\/)?(redis|valkey\/valkey)(:|@|$)/.test(image) && !env.has('REDIS_PASSWORD') && !env.has('REDIS_ARGS');
      const unset = pass.kind === 'unknown' && plainImage && !r.args.has('requirepass') && !r.conf && !r.unreadConfig;
      const open = unset || (pass.kind === 'known' && pass.value === '') ? { why: 'Redis has no requirepass', ...(pass.kind === 'known' && !pass.isDefault ? { span: pass.span } : {}) } : undefined;
      stores.push({ service: r.service, kind: 'Redis', ...(open ? { open } : {}) });
    }
    for (const p of tier.postgres) {
      const auth = stack.env(p.service).get('POSTGRES_HOST_AUTH_METHOD');
      const open = auth?.kind === 'known' && auth.value === 'trust' ? { why: 'POSTGRES_HOST_AUTH_METHOD=trust lets anyone log in without a password', span: auth.span } : undefined;
      stores.push({ service: p.service, kind: 'Postgres', ...(open ? { open } : {}) });
    }
    for (const b of tier.pgbouncers) {
      const auth = pgbouncerText(b, 'auth_type');
      const open = auth.kind === 'known' && (auth.value === 'trust' || auth.value === 'any') ? { why: `pgbouncer's auth_type = ${auth.value} asks for no password`, ...(auth.isDefault ? {} : { span: auth.span }) } : undefined;
      stores.push({ service: b.service, kind: 'pgbouncer', ...(open ? { open } : {}) });
    }
    for (const s of stack.services) {
      const image = s.image?.kind === 'known' ? s.image.value : '';
      if (MEMCACHED.test(image) && !stores.some((x) => x.service === s)) stores.push({ service: s, kind: 'memcached', open: { why: 'memcached has no authentication' } });
    }
    for (const store of stores) {
      for (const port of publishedPorts(store.service)) {
        if (!onEveryInterface(port)) continue;
        const hostPort = port.published !== undefined ? `host port ${port.published}` : 'a random host port';
        const open = store.open;
        const at = open?.span ? ` (${where(open.span)})` : '';
        // A password written in the repository protects nothing from someone who has read it.
        const written = writtenSecrets(stack).find((x) => x.service === store.service && x.hardcoded);
        const behind = written ? `behind a password written in the repository (${written.name}, ${where(written.span)})` : 'behind its password only';
        report({
          span: port.span,
          severity: open ? 'error' : 'warning',
          message: open
            ? `${store.service.name} (${store.kind}) publishes port ${port.target} on every host interface (${hostPort}), and ${open.why}${at}: anyone who can reach the host can read and change its data`
            : `${store.service.name} (${store.kind}) publishes port ${port.target} on every host interface (${hostPort}): it is reachable from every network the host is on, ${behind}, and Docker's port rules bypass the host firewall`,
          ...(open?.span ? { related: [{ span: open.span, message: open.why }] } : written ? { related: [{ span: written.span, message: `${written.name} is written here` }] } : {}),
          hint: `bind it to loopback ("127.0.0.1:${port.published ?? port.target}:${port.target}") or remove the ports entry; the app reaches ${store.service.name} over the compose network`,
        });
      }
    }
  },
});
