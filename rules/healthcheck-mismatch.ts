import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import type { ComposeService } from '../src/inputs/compose.js';
import type { AppService, Stack } from '../src/stack/stack.js';
import { listenPorts } from '../src/stack/topology.js';

/** `http://localhost:8000/health/`: the container probing itself. */
const LOCAL_URL = /\bhttps?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(?=[/\s'"]|$)/;

/**
 * Official python images whose variants ship without curl (slim: neither curl nor wget; alpine:
 * busybox's wget, no curl). The full Debian-based tags (`python:3.12`, `-bookworm`) have both.
 */
const MISSING_PROGRAMS: ReadonlyArray<{ readonly image: RegExp; readonly programs: readonly string[]; readonly what: string }> = [
  { image: /^(docker\.io\/)?(library\/)?python:[\w.-]*-?slim(-[\w.]+)?$/, programs: ['curl', 'wget'], what: 'the official python slim image ships neither curl nor wget' },
  { image: /^(docker\.io\/)?(library\/)?python:[\w.-]*alpine[\w.]*$/, programs: ['curl'], what: 'the official python alpine image ships no curl (only busybox wget)' },
];

export default defineRule({
  meta: {
    id: 'healthcheck-mismatch',
    description: "Reports a compose healthcheck that probes a port the app server does not listen on, or runs curl or wget in an image that has none",
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "Reads each app service's compose `healthcheck.test`. When it requests the container itself (`curl`/`wget` `http://localhost:PORT/...`), the port (80 when none is written) must be one the app server binds (gunicorn `--bind`, uvicorn/daphne `--port`, and the other settings sources the container view reads). When the test runs `curl` or `wget` and the container runs an official python image that ships without it (`python:*-slim`: neither; `python:*-alpine`: no curl) with no Dockerfile step that mentions the program, the rule reports the missing program.",
      why: "A healthcheck that cannot succeed marks a working container `unhealthy`: services that wait for it with `condition: service_healthy` never start, Swarm and autoheal setups restart it in a loop, and `docker compose up --wait` fails. `curl: not found` exits 127 on every probe, as does a connection refused on the wrong port, and nothing in the logs of the app itself shows why (https://docs.docker.com/reference/compose-file/services/#healthcheck).",
      notes: "Only the official python images are known to lack the programs: any other image, a Dockerfile that mentions curl/wget anywhere (an `apt-get install curl`), or a supervisor running several programs in the container keeps the program check silent. A probe of another host, a port from a variable, a unix-socket bind or a uWSGI socket (binary protocol) keeps the port check silent.",
    },
  },
  check({ stack, report, where }) {
    for (const svc of stack.services) {
      const test = healthcheckTest(svc);
      if (!test || !svc.healthcheckSpan) continue;
      const app = stack.app(svc);
      const view = stack.view(svc);
      if (!app || !view) continue;
      if (view.process?.children?.length) continue;
      const span = svc.healthcheckSpan;

      const program = /^\s*(curl|wget)\b/.exec(test)?.[1] ?? /(?:^|[;&|]\s*)(curl|wget)\b/.exec(test)?.[1];
      const missing = program ? missingProgram(stack, svc, program, where) : undefined;
      if (program && missing) {
        report({
          span,
          message: `${svc.name}'s healthcheck runs ${program} (${JSON.stringify(test)}), but ${missing.why}: every probe fails because ${program} is not found, and the container stays unhealthy however well ${app.server.kind} runs`,
          related: [{ span: missing.span, message: `${svc.name} runs ${missing.image}` }],
          hint: program === 'curl' ? `probe with python instead: test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:PORT/')"], or install curl in the image` : `install ${program} in the image, or probe with python's urllib`,
          key: `${svc.name}:program:${program}`,
        });
        continue;
      }

      const url = LOCAL_URL.exec(test);
      if (!url) continue;
      const probed = Number(url[2] ?? (url[0].startsWith('https') ? 443 : 80));
      const listening = appPorts(app);
      if (!listening || listening.ports.length === 0 || listening.ports.some((p) => p.port === probed)) continue;
      const first = listening.ports[0]!;
      report({
        span,
        message: `${svc.name}'s healthcheck probes ${url[0]} (port ${probed}${url[2] ? '' : ', the default'}), but ${app.server.kind} binds port ${listening.ports.map((p) => p.port).join(', ')} (${where(first.span)}${first.isDefault ? ', its default' : ''}): nothing in the container answers on ${probed}, so every probe fails and the container stays unhealthy`,
        related: [{ span: first.span, message: `${app.server.kind} listens on ${first.port}` }],
        hint: `probe port ${first.port} in the healthcheck`,
        key: `${svc.name}:port:${probed}`,
      });
    }
  },
});

/** The healthcheck's command as one string: `CMD` words joined, `CMD-SHELL` and string forms as written. */
function healthcheckTest(svc: ComposeService): string | undefined {
  if (svc.healthcheckDisabled) return undefined;
  const data = svc.settings.get('healthcheck')?.data;
  if (typeof data !== 'object' || data === null || !('test' in data)) return undefined;
  const test = (data as { test: unknown }).test;
  if (typeof test === 'string') return test.includes('$') ? undefined : test;
  if (!Array.isArray(test) || !test.every((w) => typeof w === 'string')) return undefined;
  const [form, ...rest] = test as string[];
  if ((form !== 'CMD' && form !== 'CMD-SHELL') || rest.some((w) => w.includes('$'))) return undefined;
  return rest.join(' ');
}

/** TCP ports the app server listens on with HTTP, as the container view read them. */
function appPorts(app: AppService): { ports: Array<{ port: number; span: Span; isDefault: boolean }> } | undefined {
  const f = app.facts;
  if (f) {
    if (f.listenProtocol.kind !== 'known' || f.listenProtocol.value !== 'http') return undefined;
    if (f.bind.kind !== 'known' || f.bind.value.startsWith('unix:')) return undefined;
    if (f.port.kind === 'known' && app.server.kind !== 'gunicorn') return { ports: [{ port: f.port.value, span: f.port.span, isDefault: f.port.isDefault === true }] };
  }
  const ports = listenPorts(app);
  return ports ? { ports } : undefined;
}

/** Why the container's image has no `program`, when that can be known; undefined otherwise. */
function missingProgram(stack: Stack, svc: ComposeService, program: string, where: (span: Span) => string): { why: string; image: string; span: Span } | undefined {
  const view = stack.view(svc);
  const image = view?.image;
  if (image?.kind !== 'known') return undefined;
  const known = MISSING_PROGRAMS.find((m) => m.image.test(image.value) && m.programs.includes(program));
  if (!known) return undefined;
  if (svc.build) {
    // Built from the image: any step that names the program may install or copy it.
    const df = stack.image(svc).dockerfile;
    if (!df || df.instructions.some((i) => i.keyword !== 'FROM' && new RegExp(`\\b${program}\\b`).test(i.args.text))) return undefined;
    if (df.instructions.filter((i) => i.keyword === 'FROM').length !== 1) return undefined;
  }
  return { why: `${svc.name} runs ${image.value} (${where(image.span)}), and ${known.what}`, image: image.value, span: image.span };
}
