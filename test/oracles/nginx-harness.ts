import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createSourceFile, positionAt } from '../../src/core/source.js';
import { parseNginx, walkNginx } from '../../src/parsers/nginx.js';
import { runToExit } from '../helpers/oracle.js';

/** The real `nginx -t` as ground truth (Debian package `nginx`). */
export const nginxAvailable: boolean = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;

/**
 * A private mount and network namespace lets nginx bind any port and resolve upstream names from a
 * hosts file of our own, without touching the machine's.
 */
const canIsolate: boolean = nginxAvailable && spawnSync('unshare', ['-mn', 'true'], { stdio: 'ignore' }).status === 0;

export interface NginxVerdict {
  readonly accepted: boolean;
  readonly message?: string;
  /** The file nginx names, relative to the test directory. */
  readonly file?: string;
  readonly line?: number;
}

/** nginx's messages for errors of the file's syntax; anything else is about meaning (see ngx_conf_file.c). */
const SYNTAX_MESSAGE = /^(unexpected |directive "[^"]*" (is not terminated by|has no opening)|too long parameter)/;

export function isSyntaxMessage(message: string): boolean {
  return SYNTAX_MESSAGE.test(message);
}

/**
 * Runs `nginx -t` on `files` (relative path -> text) written to a fresh prefix directory, with `main`
 * as the configuration file and each name in `hosts` resolving to its own loopback address.
 */
export function nginxTest(files: Readonly<Record<string, string>>, main: string, hosts: readonly string[] = []): NginxVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'arena-nginx-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const hostsFile = join(dir, 'hosts.oracle');
    writeFileSync(hostsFile, ['127.0.0.1 localhost', ...hosts.map((h, i) => `127.0.${1 + (i >> 8)}.${(i % 250) + 2} ${h}`)].join('\n') + '\n');
    const nginxArgs = ['-t', '-q', '-p', `${dir}/`, '-c', join(dir, main), '-e', 'stderr'];
    const run = canIsolate
      ? runToExit('unshare', ['-mn', '--', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec nginx "$@"', hostsFile, ...nginxArgs])
      : runToExit('nginx', nginxArgs);
    if (run.status === 0) return { accepted: true };
    const emerg = /\[emerg\] \d+#\d+: (.*?)(?: in (\S+):(\d+))?$/m.exec(run.stderr ?? '');
    if (!emerg) return { accepted: false, message: (run.stderr ?? '').trim() || `exit ${run.status}` };
    return {
      accepted: false,
      message: emerg[1]!,
      ...(emerg[2] ? { file: relative(dir, emerg[2]), line: Number(emerg[3]) } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The minimal wrapper for a fragment: main context (whole file), http-level or server-level snippet. */
export function wrapperFor(text: string, snippetPath: string): { main: string; wrapper?: string } {
  const doc = parseNginx(createSourceFile('probe', text)).doc;
  const names = new Set(doc?.directives.map((d) => d.name));
  if (names.has('http') || names.has('events') || names.has('stream')) return { main: snippetPath };
  const atServerLevel = [...names].some((n) => n === 'location' || n === 'listen' || n === 'server_name' || n === 'root');
  const inner = atServerLevel ? `server {\n    listen 127.0.0.1:8080;\n    include ${snippetPath};\n}` : `include ${snippetPath};`;
  return { main: 'nginx.conf', wrapper: `events {}\nhttp {\n${inner}\n}\n` };
}

export interface CorpusRun {
  /** The first syntax error nginx reports; undefined when nginx read the whole file. */
  readonly syntaxError?: { message: string; line: number };
  /** Set when nginx stopped on something it could not get past; its syntax is checked only before this line. */
  readonly checkedBefore?: number;
  /** The meaning errors that were blanked out to read further. */
  readonly blanked: readonly string[];
}

const HOST_NOT_FOUND = /^host not found in (?:upstream|resolver) "([^"/:]+)/;

/**
 * Feeds a real config through `nginx -t` until nginx has read all of it. A meaning error (missing
 * certificate, unknown user, missing include) stops nginx before it reads on, so the directive it
 * names is blanked, newlines kept so every line number stays, and nginx runs again.
 */
export function runCorpusFile(text: string): CorpusRun {
  const snippet = 'snippet.conf';
  const { main, wrapper } = wrapperFor(text, snippet);
  const hosts: string[] = [];
  const blanked: string[] = [];
  let current = text;
  for (let attempt = 0; attempt < 40; attempt++) {
    const files: Record<string, string> = { [snippet]: current };
    if (wrapper) files[main] = wrapper;
    const verdict = nginxTest(files, main, hosts);
    if (verdict.accepted) return { blanked };
    const message = verdict.message ?? '';
    if (verdict.file !== snippet || verdict.line === undefined) {
      // Reported after the whole file was read (hashes, upstream checks) or in a file of ours.
      return { blanked: [...blanked, message] };
    }
    if (isSyntaxMessage(message)) return { syntaxError: { message, line: verdict.line }, blanked };
    const host = HOST_NOT_FOUND.exec(message)?.[1];
    if (host && canIsolate && !hosts.includes(host)) {
      hosts.push(host);
      continue;
    }
    const blankedText = blankDirectiveEndingOn(current, verdict.line);
    if (blankedText === undefined) return { checkedBefore: verdict.line, blanked: [...blanked, message] };
    blanked.push(`${verdict.line}: ${message}`);
    current = blankedText;
  }
  return { checkedBefore: 0, blanked };
}

/** Replaces the simple directive whose `;` is on `line` with spaces; undefined when there is none. */
function blankDirectiveEndingOn(text: string, line: number): string | undefined {
  const file = createSourceFile('probe', text);
  const doc = parseNginx(file).doc;
  let target: { start: number; end: number } | undefined;
  walkNginx(doc?.directives ?? [], (d) => {
    if (!d.block && text[d.span.end - 1] === ';' && positionAt(file, d.span.end - 1).line === line) target ??= d.span;
  });
  if (!target) return undefined;
  return text.slice(0, target.start) + text.slice(target.start, target.end).replace(/[^\n]/g, ' ') + text.slice(target.end);
}

