import type { Finding } from '../core/finding.js';
import { createSourceFile, SourceSet, type SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';
import type { Stack } from '../stack/stack.js';
import { isPyDict, pyGet, type PyValue } from '../python/value.js';
import { once } from './stack-access.js';

/**
 * Secrets a stack writes down: literal passwords, keys and tokens, where they are, and how to show
 * them without showing them. The hardcoded-secret rule reports them; the engine redacts every
 * sensitive value from the sources and messages it hands to reporters, so no output format (code
 * frames, SARIF snippets and fingerprints, annotations, job summaries) can print one.
 */

/** Names that hold a secret: PASSWORD, SECRET_KEY, API_KEY, *_TOKEN (not *_FILE, *_PATH: those name where it is). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|SECRET_KEY|SECRETKEY|TOKEN|API_KEY|APIKEY|SECRET_ACCESS_KEY|PRIVATE_KEY|AUTH_KEY|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY|(^|_)PASS|(^|_)PWD|REQUIREPASS|MASTERAUTH)$/i;
/** A URL with a password in it: `postgres://user:pass@db/app`. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]*:([^\s@/'"]+)@/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && name !== 'PWD' && name !== 'OLDPWD' && !/_(FILE|PATH|DIR|HEADER|NAME|URL)$/i.test(name);
}

/** Not a secret but a stand-in for one: empty, a variable reference, a file path, a boolean. */
function isReference(value: string): boolean {
  const v = value.trim();
  return v === '' || v.includes('$') || /^(true|false|none|null|yes|no)$/i.test(v) || v.startsWith('/run/secrets/') || /^\{\{.*\}\}$/.test(v);
}

export type SecretPlace = 'compose environment' | 'compose variable default' | 'command line' | 'healthcheck' | 'settings' | 'pgbouncer userlist' | 'env file';

export interface WrittenSecret {
  /** What holds it: `POSTGRES_PASSWORD`, `SECRET_KEY`, `DATABASES["default"]["PASSWORD"]`, `userlist user "app"`. */
  readonly name: string;
  readonly place: SecretPlace;
  /** Exactly the secret's characters in its file. */
  readonly span: Span;
  /** The secret itself: for redaction only, never for output. */
  readonly value: string;
  readonly service?: ComposeService;
  /** False for secrets in places meant for them (env files, a `.env`): redacted, not reported. */
  readonly hardcoded: boolean;
  /**
   * Long enough and not one of the stack's own names (`postgres` as user, service and password), so
   * every occurrence anywhere is masked, not only the one written as the secret.
   */
  readonly distinctive?: boolean;
}

/** `********` and the length: enough to recognise which value it is, nothing of the value itself. */
export function redacted(value: string): string {
  return `******** (${value.length} characters)`;
}

const DEV_WORD = /(^|[-_./])(dev|devel|develop|development|local|localhost|test|tests|testing|ci|e2e|debug|override|example|examples|sample|demo)([-_./]|$)/i;

const PROD_WORD = /(^|[-_./])(prod|production|deploy|deployment|release|live)([-_./]|$)/i;
const COMPOSE_FILE = /(^|\/)(docker-compose|compose)[^/]*\.ya?ml$/;

/**
 * A stack meant for a developer's machine or CI: its compose file's path says so
 * (`docker-compose.dev.yml`, `local.yml`), a service runs Django's development server
 * (`manage.py runserver`), or a production variant sits beside it (`docker-compose.yml` next to
 * `docker-compose-deploy.yml` is the development one).
 */
export function isDevelopmentStack(stack: Stack): boolean {
  return once(stack, 'security.development', () => {
    // Any compose file merged into the project counts: a dev override makes the whole project a dev one.
    if (stack.project.files.some((f) => DEV_WORD.test(f.path))) return true;
    if (stack.services.some((s) => /\brunserver\b/.test(JSON.stringify(s.settings.get('command')?.data ?? '')))) return true;
    if (PROD_WORD.test(stack.name)) return false;
    return stack.siblingFiles.some((f) => f !== stack.name && COMPOSE_FILE.test(f) && PROD_WORD.test(f.split('/').pop()!));
  });
}

/** Settings for development or tests, by module name (`config.settings.local`, `mysite.settings_dev`). */
export function isDevelopmentSettings(module: string): boolean {
  return DEV_WORD.test(module);
}

/** Occurrences of `value` inside `span` (the text of a value may sit anywhere in a longer span). */
function spansOf(file: SourceFile | undefined, span: Span, value: string): Span[] {
  if (!file || value === '') return [];
  const out: Span[] = [];
  const text = file.text.slice(span.start, span.end);
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
    out.push({ file: span.file, start: span.start + at, end: span.start + at + value.length });
  }
  return out;
}

/** The line(s) around a span, to find a value whose span is its whole entry. */
function lineSpan(file: SourceFile, span: Span): Span {
  const start = file.text.lastIndexOf('\n', Math.max(0, span.start - 1)) + 1;
  let end = file.text.indexOf('\n', span.end);
  if (end < 0) end = file.text.length;
  return { file: span.file, start, end };
}

/** Secrets on a command line or in a shell string: `--requirepass x`, `-a x` (redis-cli), `PGPASSWORD=x`, `user:pass@`. */
export function commandLineSecrets(text: string): Array<{ name: string; start: number; end: number }> {
  const out: Array<{ name: string; start: number; end: number }> = [];
  const add = (name: string, m: RegExpMatchArray, group: number) => {
    const v = m[group]!;
    if (isReference(v)) return;
    const start = m.index! + m[0].lastIndexOf(v);
    out.push({ name, start, end: start + v.length });
  };
  for (const m of text.matchAll(/--(requirepass|masterauth|password|passwd|pass)(?:=|\s+)(["']?)([^\s"'`;&|]+)\2/gi)) add(`--${m[1]}`, m, 3);
  if (/\bredis-cli\b/.test(text)) for (const m of text.matchAll(/(?:^|\s)-a\s+(["']?)([^\s"'`;&|]+)\1/g)) add('redis-cli -a', m, 2);
  if (/\b(mysql|mysqladmin|mariadb)\b/.test(text)) for (const m of text.matchAll(/(?:^|\s)-p([^\s"'`;&|]+)/g)) add('mysql -p', m, 1);
  for (const m of text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=(["']?)([^\s"'`;&|]+)\2/g)) if (isSecretName(m[1]!)) add(m[1]!, m, 3);
  for (const m of text.matchAll(URL_PASSWORD)) add('a URL password', m, 1);
  return out;
}

function composeSecrets(stack: Stack, svc: ComposeService, out: WrittenSecret[]): void {
  const composeFile = stack.sources.get(stack.compose.path);
  for (const e of svc.environment) {
    const v = e.value;
    if (v.kind !== 'known') continue;
    const fromEnvFile = v.span.file !== e.span.file;
    const file = stack.sources.get(v.span.file);
    const raw = composeFile?.text.slice(e.span.start, e.span.end) ?? '';
    const isDefault = !fromEnvFile && /\$\{[A-Za-z_]\w*:?-/.test(raw);
    const place: SecretPlace = fromEnvFile ? 'env file' : isDefault ? 'compose variable default' : 'compose environment';
    const found: Array<{ name: string; value: string }> = [];
    if (isSecretName(e.key) && !isReference(v.value)) found.push({ name: e.key, value: v.value });
    for (const m of v.value.matchAll(URL_PASSWORD)) if (!isReference(m[1]!)) found.push({ name: `the password in ${e.key}`, value: m[1]! });
    for (const f of found) {
      const where = file ? (spansOf(file, v.span, f.value)[0] ?? spansOf(file, lineSpan(file, v.span), f.value)[0]) : undefined;
      if (!where) continue;
      out.push({ name: f.name, place, span: where, value: f.value, service: svc, hardcoded: !fromEnvFile });
    }
  }
  // env_file entries are where secrets belong: redacted, never reported.
  for (const [key, v] of stack.env(svc)) {
    if (v.kind !== 'known' || v.span.file === composeFile?.path || !isSecretName(key) || isReference(v.value)) continue;
    const file = stack.sources.get(v.span.file);
    const where = file ? spansOf(file, lineSpan(file, v.span), v.value)[0] : undefined;
    if (where) out.push({ name: key, place: 'env file', span: where, value: v.value, service: svc, hardcoded: false });
  }
  // Command lines and healthchecks are visible to `docker inspect` and `ps` on the host.
  const lines: Array<{ place: SecretPlace; key: string }> = [
    { place: 'command line', key: 'command' },
    { place: 'command line', key: 'entrypoint' },
    { place: 'healthcheck', key: 'healthcheck' },
  ];
  for (const l of lines) {
    const setting = svc.settings.get(l.key);
    if (!setting || !composeFile || setting.span.file !== composeFile.path) continue;
    // The list form (`["CMD", "redis-cli", "-a", "pw"]`) is read as the words it runs.
    const data = l.key === 'healthcheck' ? (setting.data as { test?: unknown } | null)?.test : setting.data;
    const words = Array.isArray(data) ? data.map(String).join(' ') : typeof data === 'string' ? data : '';
    // The setting's span is its key; its value runs to the next key of the service.
    const next = [...svc.settings.values()].map((x) => x.span.start).filter((start) => start > setting.span.start).sort((a, b) => a - b)[0];
    const region = { file: setting.span.file, start: setting.span.start, end: next ?? svc.span.end };
    for (const found of commandLineSecrets(words)) {
      const value = words.slice(found.start, found.end);
      for (const span of spansOf(composeFile, region, value)) {
        out.push({ name: found.name, place: l.place, span, value, service: svc, hardcoded: true });
      }
    }
  }
}

function settingsSecrets(stack: Stack, out: WrittenSecret[]): void {
  const seen = new Set<string>();
  for (const app of stack.data.apps) {
    const names = app.settings?.names;
    if (!names) continue;
    const module = app.settingsModule.kind === 'known' ? app.settingsModule.value : '';
    const production = !isDevelopmentSettings(module) && !isDevelopmentStack(stack);
    const consider = (name: string, v: PyValue | undefined) => {
      if (v?.kind !== 'known' || typeof v.value !== 'string' || isReference(v.value)) return;
      const key = `${v.span.file}:${v.span.start}`;
      if (seen.has(key)) return;
      seen.add(key);
      const file = stack.sources.get(v.span.file);
      // A value fed from the environment is the env file's; one written in Python is the settings'.
      const fromPython = v.span.file.endsWith('.py');
      const where = file ? (spansOf(file, v.span, v.value)[0] ?? spansOf(file, lineSpan(file, v.span), v.value)[0]) : undefined;
      if (!where) return;
      out.push({ name, place: fromPython ? 'settings' : 'env file', span: where, value: v.value, service: app.service, hardcoded: fromPython && production });
    };
    for (const [name, v] of names) if (isSecretName(name)) consider(name, v);
    const dbs = names.get('DATABASES');
    if (dbs?.kind === 'known' && isPyDict(dbs.value)) {
      for (const e of dbs.value.entries) {
        if (e.key.kind === 'known' && typeof e.key.value === 'string') consider(`DATABASES["${e.key.value}"]["PASSWORD"]`, pyGet(e.value, 'PASSWORD'));
      }
    }
  }
}

/** `"user" "password"` lines of the auth_file each pgbouncer container reads. */
function userlistSecrets(stack: Stack, out: WrittenSecret[]): void {
  for (const pgb of stack.data.pgbouncers) {
    // Read with the pgbouncer's ini while the stack was built (stage 1).
    const file = pgb.authFile;
    if (!file) continue;
    for (const m of file.text.matchAll(/^[ \t]*"((?:[^"]|"")*)"[ \t]+"((?:[^"]|"")*)"/gm)) {
      const password = m[2]!;
      if (password === '') continue;
      const start = m.index + m[0].length - 1 - password.length;
      out.push({ name: `userlist user "${m[1]}"`, place: 'pgbouncer userlist', span: { file: file.path, start, end: start + password.length }, value: password, service: pgb.service, hardcoded: !isDevelopmentStack(stack) });
    }
  }
}

/** Every secret value the stack writes down, once per place. */
export function writtenSecrets(stack: Stack): readonly WrittenSecret[] {
  return once(stack, 'written-secrets', () => {
    const out: WrittenSecret[] = [];
    for (const svc of stack.services) composeSecrets(stack, svc, out);
    settingsSecrets(stack, out);
    userlistSecrets(stack, out);
    // The .env beside the compose file feeds `${VAR}`: its secrets are redacted like any.
    for (const e of stack.dotenv?.entries ?? []) {
      if (e.value.kind === 'known' && isSecretName(e.key) && !isReference(e.value.value)) {
        const file = stack.sources.get(e.value.span.file);
        const where = file ? spansOf(file, lineSpan(file, e.value.span), e.value.value)[0] : undefined;
        if (where) out.push({ name: e.key, place: 'env file', span: where, value: e.value.value, hardcoded: false });
      }
    }
    const names = new Set<string>();
    for (const svc of stack.services) {
      names.add(svc.name);
      if (svc.image?.kind === 'known') for (const part of svc.image.value.split(/[/:@]/)) names.add(part);
    }
    const seen = new Set<string>();
    return out.filter((s) => {
      const k = `${s.span.file}:${s.span.start}:${s.span.end}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    // A plain word (`postgres`, `password`) is masked where it is the secret, not wherever the word occurs.
    }).map((s) => ({ ...s, distinctive: s.value.length >= MIN_SCRUB && !/^[A-Za-z]+$/.test(s.value) && !names.has(s.value) }));
  });
}

// -----------------------------------------------------------------------------------------------
// redaction

const MASK = '*';
/** Secrets shorter than this are only masked where they are written, not searched for elsewhere. */
const MIN_SCRUB = 6;

/**
 * The sources reporters see, with every secret's characters replaced by `*` (same length, so every
 * offset, line and column stays right), and the findings with every secret value masked in their
 * messages and hints. The workspace keeps the real text, for fixes and for the rules themselves.
 */
export function redactRun(sources: SourceSet, findings: readonly Finding[], secrets: readonly WrittenSecret[]): { sources: SourceSet; findings: Finding[] } {
  if (secrets.length === 0) return { sources, findings: [...findings] };
  const byFile = new Map<string, Span[]>();
  const values = [...new Set(secrets.filter((s) => s.distinctive).map((s) => s.value))].sort((a, b) => b.length - a.length);
  for (const s of secrets) {
    const list = byFile.get(s.span.file) ?? [];
    list.push(s.span);
    byFile.set(s.span.file, list);
  }
  const out = new SourceSet();
  for (const file of sources.all()) {
    const spans = byFile.get(file.path) ?? [];
    let text = file.text;
    if (spans.length || values.some((v) => text.includes(v))) {
      // Spans are UTF-16 offsets into the string, like split('').
      const arr = text.split('');
      for (const sp of spans) for (let i = sp.start; i < sp.end && i < arr.length; i++) if (arr[i] !== '\n') arr[i] = MASK;
      text = arr.join('');
      for (const v of values) text = text.split(v).join(MASK.repeat(v.length));
    }
    out.add(text === file.text ? file : createSourceFile(file.path, text));
  }
  const scrub = (s: string) => values.reduce((acc, v) => acc.split(v).join(MASK.repeat(8)), s);
  const clean = findings.map((f) => ({
    ...f,
    message: scrub(f.message),
    related: f.related.map((r) => ({ ...r, message: scrub(r.message) })),
    ...(f.hint !== undefined ? { hint: scrub(f.hint) } : {}),
  }));
  return { sources: out, findings: clean };
}
