import type { RelatedLocation } from '../src/core/finding.js';
import type { Span } from '../src/core/value.js';
import { defineRule } from '../src/engine/rule.js';
import { parseStartupOptions, startupParameterSupport, versionAtLeast, type StartupParameterVerdict } from '../src/reference/pgbouncer-settings.js';
import { pyGet } from '../src/python/value.js';
import { pyText } from '../src/inputs/django.js';
import { describePgbouncer, pgbouncerText, type PgbouncerService } from '../src/inputs/pgbouncer.js';
import { groupBy, spanKey, type RoutedDatabase } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';

/** libpq connection keywords that travel in the startup packet (the rest are client-side: timeouts, keepalives, SSL). */
const STARTUP_KEYWORDS = ['options', 'application_name', 'client_encoding'];

interface Verdict {
  readonly routed: RoutedDatabase & { route: { kind: 'pgbouncer' } };
  readonly span: Span;
  /** What Django sends: `options "-c statement_timeout=30000"`. */
  readonly sent: string;
  /** The setting name that does not arrive, for the where-to-set-it hint. */
  readonly setting: string;
  readonly verdict: StartupParameterVerdict;
}

export default defineRule({
  meta: {
    id: 'pgbouncer-startup-parameter',
    description: 'Reports a startup parameter Django sends that pgbouncer refuses or silently drops',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Django passes `DATABASES[...]["OPTIONS"]` to libpq; `options`, `application_name` and `client_encoding` travel in the startup packet, which pgbouncer inspects. arena-lint judges each one with the behaviour of the pgbouncer release the image tag names (the newest when unknown), its `ignore_startup_parameters` and `track_extra_parameters`. Before 1.20, `options` is refused unless ignored; since 1.20 each `-c name=value` inside it is judged alone: tracked parameters pass, ignored ones are dropped, others are refused. A refusal is an error; a silent drop is a warning, because the setting Django thinks it applies (often `statement_timeout`) never applies.',
      why: 'A refused startup parameter fails every connection ("unsupported startup parameter: options"), so the whole web tier returns 500s as soon as it touches the database. A dropped one fails silently: queries run without the timeout the settings promise. statement_timeout cannot be tracked by pgbouncer (PostgreSQL does not report it), so set it on the server: `ALTER ROLE ... SET statement_timeout`, the database, or postgres `-c statement_timeout=...`. https://www.pgbouncer.org/config.html#ignore_startup_parameters',
      notes: 'Values set only through connection strings or `DATABASE_URL` parsers the evaluator cannot follow stay unknown and are not reported.',
    },
  },
  check({ stack, report, where, unknown }) {
    const tier = stack.data;
    const found: Verdict[] = [];
    for (const routed of tier.databases) {
      if (routed.route.kind !== 'pgbouncer') continue;
      const pgb = routed.route.pgbouncer;
      // track_extra_parameters exists since 1.20; older releases track only their fixed list.
      const tracks = versionAtLeast(pgb.version, '1.20');
      const track = tracks ? pgbouncerText(pgb, 'track_extra_parameters') : undefined;
      const ignore = pgbouncerText(pgb, 'ignore_startup_parameters');
      for (const keyword of STARTUP_KEYWORDS) {
        const value = pyText(pyGet(routed.db.options, keyword));
        if (!value) continue;
        if (value.kind === 'unknown') {
          unknown(`OPTIONS ${keyword} of "${routed.db.alias}" is unknown: ${value.reason}`, value.span);
          continue;
        }
        const missing = [track, ignore].find((v) => v?.kind === 'unknown');
        if (missing?.kind === 'unknown') {
          unknown(`startup parameter handling of ${pgb.service.name} is unknown: ${missing.reason}`, missing.span);
          continue;
        }
        const settings = { ...(track?.kind === 'known' ? { trackExtraParameters: track.value } : {}), ...(ignore.kind === 'known' ? { ignoreStartupParameters: ignore.value } : {}) };
        const verdict = startupParameterSupport(keyword, pgb.version, settings);
        const r = { routed: routed as Verdict['routed'], span: value.span };
        if (verdict.handling === 'parsed') {
          for (const opt of parseStartupOptions(value.value)) {
            const inner = startupParameterSupport(opt.name, pgb.version, settings, true);
            if (inner.handling === 'rejected' || inner.handling === 'ignored') found.push({ ...r, sent: `-c ${opt.name}=${opt.value} in options`, setting: `${opt.name}=${opt.value}`, verdict: inner });
          }
        } else if (verdict.handling === 'rejected' || verdict.handling === 'ignored') {
          const settingsInside = parseStartupOptions(value.value).map((o) => `${o.name}=${o.value}`).join(', ');
          found.push({ ...r, sent: `${keyword} ${JSON.stringify(value.value)}`, setting: keyword === 'options' && settingsInside ? settingsInside : `${keyword}=${value.value}`, verdict });
        }
      }
    }
    for (const group of groupBy(found, (f) => `${spanKey(f.span)}|${f.sent}|${f.routed.route.pgbouncer.service.name}`)) {
      const f = group[0]!;
      const pgb = f.routed.route.pgbouncer;
      const who = listNames(group.map((g) => g.routed.db.app.service.name), 3);
      const related = relatedFor(pgb);
      const backend = f.routed.route.database ? tier.backendOf(pgb, f.routed.route.database) : undefined;
      const instead = backend
        ? `set it on the server instead: postgres -c ${f.setting} on ${backend.service.name} (${where(backend.anchor)}), or ALTER ROLE ... SET`
        : 'set it on the server instead (ALTER ROLE ... SET, ALTER DATABASE ... SET, or postgresql.conf)';
      if (f.verdict.handling === 'rejected') {
        report({
          span: f.span,
          message: `Database "${f.routed.db.alias}" of ${who} sends ${f.sent} to ${describePgbouncer(pgb)}, which refuses it: ${f.verdict.reason}; every connection fails with "unsupported startup parameter"`,
          related,
          hint: `remove it from OPTIONS and ${instead}`,
        });
      } else {
        report({
          span: f.span,
          severity: 'warning',
          message: `Database "${f.routed.db.alias}" of ${who} sends ${f.sent} to ${describePgbouncer(pgb)}, which drops it (${f.verdict.reason}): ${f.setting} never reaches PostgreSQL`,
          related,
          hint: instead,
        });
      }
    }
  },
});

function relatedFor(pgb: PgbouncerService): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const ignore = pgb.settings.get('ignore_startup_parameters');
  if (ignore) out.push({ span: ignore.span, message: ignore.kind === 'known' ? `ignore_startup_parameters = ${ignore.value || '(empty)'}${ignore.isDefault ? ' (default)' : ''}` : 'ignore_startup_parameters' });
  if (pgb.image) out.push({ span: pgb.image.span, message: `${describePgbouncer(pgb)} from the image tag` });
  return out;
}
