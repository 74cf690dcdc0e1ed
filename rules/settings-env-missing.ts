import type { Span } from '../src/core/value.js';
import { defineRule, type Report } from '../src/engine/rule.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { djangoDatabases, pyText, type DjangoProcess } from '../src/inputs/django.js';
import { instructionWords } from '../src/parsers/dockerfile.js';
import { groupBy } from '../src/stack/data-tier.js';
import type { Stack } from '../src/stack/stack.js';
import { listNames } from '../src/stack/topology.js';
import { redisSettingUrls, redisUrl } from './support/redis-roles.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Why a service's environment may hold more than arena-lint sees; undefined when it is fully known. */
function environmentGap(stack: Stack, svc: ComposeService): string | undefined {
  const gap = stack.unknowns.find((u) => u.what === `env_file of ${svc.name}`);
  if (gap) return gap.reason;
  const base = unreadBaseImage(stack, svc);
  if (base) return base;
  const view = stack.view(svc);
  if (!view?.process) return 'the container\'s process is unknown';
  // A start script that sources a file arena-lint cannot see, or branches it cannot decide, may export anything.
  const script = view.unknowns.find((u) => ['script', 'branch', 'command', 'process', 'supervisord'].includes(u.what));
  if (script) return `${script.what}: ${script.reason}`;
  const argv = view.process.argv.map((w) => (w.value.kind === 'known' ? w.value.value : undefined));
  if (argv.some((w) => w === undefined)) return 'a word of the command is unknown';
  // gunicorn --env / -e sets variables for the application only.
  if (argv.some((w) => w === '--env' || w === '-e' || w!.startsWith('--env='))) return 'the app server sets variables itself (--env)';
  return undefined;
}

/** Official images whose ENV lines are known not to set application variables. */
const PLAIN_BASES = /^(docker\.io\/)?(library\/)?(python|debian|ubuntu|alpine|buildpack-deps|busybox)(:|@|$)/;

/** A base image whose ENV lines arena-lint cannot read (a prebuilt app image, a private base) may set any variable. */
function unreadBaseImage(stack: Stack, svc: ComposeService): string | undefined {
  const dockerfile = stack.image(svc).dockerfile;
  if (!dockerfile) return svc.image?.kind === 'known' ? `the image ${svc.image.value} may set variables in its ENV` : 'the image is unknown';
  const stages = new Set<string>();
  for (const ins of dockerfile.instructions) {
    if (ins.keyword !== 'FROM') continue;
    const words = instructionWords(ins).words.map((w) => (w.value.kind === 'known' ? w.value.value : undefined)).filter((w) => w === undefined || !w.startsWith('--'));
    const image = words[0];
    if (image === undefined) return 'a FROM line names an image that is unknown';
    if (!stages.has(image.toLowerCase()) && !PLAIN_BASES.test(image)) return `the base image ${image} may set variables in its ENV`;
    if (words[1]?.toLowerCase() === 'as' && words[2]) stages.add(words[2].toLowerCase());
  }
  return undefined;
}

function inside(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && outer.start <= inner.start && inner.end <= outer.end;
}

interface Missing {
  readonly key: string;
  readonly service: ComposeService;
  readonly build: (who: string) => Report;
}

export default defineRule({
  meta: {
    id: 'settings-env-missing',
    description: 'Reports settings that read an environment variable nothing sets, or fall back to localhost for a service that is another container',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'The Django settings of every app and worker service are evaluated with the environment its container gets (env_file lines, `environment:`, the Dockerfile\'s ENV). arena-lint reports a read without a default of a variable that environment does not set (`os.environ["X"]`, django-environ `env("X")`, decouple `config("X")`): Python raises at import and the container does not start. It also reports a read whose default is used and points at `localhost`/`127.0.0.1` for Redis (a cache, Celery or Channels URL) or the database HOST, while Redis or Postgres (or pgbouncer) runs in another container of the stack.',
      why: 'A missing variable raises KeyError, ImproperlyConfigured or UndefinedValueError when Django loads the settings: every start fails, often only in the one service (the Celery worker) whose environment was forgotten. Inside a container localhost is the container itself, so a fallback of `redis://localhost:6379/0` is refused on every connection while compose sets only REDIS_HOST. https://docs.docker.com/compose/how-tos/networking/',
      notes: 'Silent whenever the container\'s environment is not fully known: an env_file that is missing or outside the folder, a .env the settings load (load_dotenv, Env.read_env, decouple\'s settings.ini), a command word that is unknown, a start script that sources a file it cannot see or branches it cannot decide, or an app server that sets variables (`gunicorn --env`). So is a service whose image arena-lint cannot read the ENV of: a prebuilt image without a Dockerfile, or a base image other than the official python/debian/ubuntu/alpine ones. A service with `network_mode: host` or `service:...` may reach the other on localhost and is not judged.',
    },
  },
  check({ stack, report, where, unknown }) {
    const found: Missing[] = [];
    const processes: DjangoProcess[] = [...stack.data.apps, ...stack.data.workers];
    const redisRunning = stack.data.redis.map((r) => r.service);
    const databaseRunning = [...stack.data.postgres.map((p) => p.service), ...stack.data.pgbouncers.map((p) => p.service)];
    for (const p of processes) {
      const settings = p.settings;
      if (!settings || settings.envUnset.length === 0) continue;
      const svc = p.service;
      const gap = environmentGap(stack, svc);
      if (gap) {
        unknown(`the environment of ${svc.name} is not fully known: ${gap}`, svc.nameSpan);
        continue;
      }
      const env = stack.view(svc)?.environment;
      const unsetHere = settings.envUnset.filter((r) => !env?.has(r.name));
      for (const read of unsetHere) {
        const raise = settings.raises.find((x) => x.span.file === read.span.file && x.span.start === read.span.start && x.span.end === read.span.end);
        if (!raise) continue;
        found.push({
          key: `raise|${read.span.file}|${read.span.start}`, service: svc,
          build: (who) => ({
            span: read.span,
            message: `the settings read ${read.name} without a default, but nothing in the environment of ${who} sets it (environment:, env_file, Dockerfile ENV): importing the settings raises ${raise.message.split(':')[0]}, so the container exits at start`,
            related: [{ span: svc.nameSpan, message: `${svc.name}'s environment lacks ${read.name}` }],
            hint: `set ${read.name} in ${svc.name}'s environment: (or an env_file), or give the read a default`,
            key: `${stack.name}/${read.name}`,
          }),
        });
      }
      const mode = svc.networkMode;
      if (mode && (mode.kind === 'unknown' || /^(host|service:|container:)/.test(mode.value))) continue;
      const fallbacks: Array<{ what: string; value: string; span: Span; target: ComposeService[] }> = [];
      for (const u of redisSettingUrls(settings.names)) {
        if (u.url.kind !== 'known' || u.url.via?.length) continue;
        const t = redisUrl(u.url.value);
        if (t && LOCAL_HOSTS.has(t.host)) fallbacks.push({ what: u.label, value: u.url.value, span: u.url.span, target: redisRunning });
      }
      const dbs = djangoDatabases(p);
      for (const db of Array.isArray(dbs) ? dbs : []) {
        const host = pyText(db.host);
        if (host?.kind === 'known' && !host.via?.length && LOCAL_HOSTS.has(host.value)) fallbacks.push({ what: `DATABASES["${db.alias}"] HOST`, value: host.value, span: host.span, target: databaseRunning });
      }
      for (const f of fallbacks) {
        const others = f.target.filter((s) => s !== svc);
        if (others.length === 0) continue;
        const read = unsetHere.find((r) => inside(f.span, r.span) || inside(r.span, f.span));
        if (!read) continue;
        found.push({
          key: `local|${read.span.file}|${read.span.start}|${f.what}`, service: svc,
          build: (who) => ({
            span: read.span,
            message: `${f.what} is ${f.value}, the default of ${read.name}, which nothing in the environment of ${who} sets (${where(read.span)}); inside a container localhost is the container itself, not ${listNames(others.map((o) => o.name), 2)}, so every connection is refused`,
            related: [{ span: others[0]!.nameSpan, message: `${others[0]!.name} runs in its own container` }, { span: svc.nameSpan, message: `${svc.name}'s environment lacks ${read.name}` }],
            hint: `set ${read.name} in ${svc.name}'s environment: to point at ${others[0]!.name}`,
            key: `${stack.name}/${read.name}/${f.what}`,
          }),
        });
      }
    }
    for (const group of groupBy(found, (f) => f.key)) report(group[0]!.build(listNames([...new Set(group.map((g) => g.service.name))], 3)));
  },
});
