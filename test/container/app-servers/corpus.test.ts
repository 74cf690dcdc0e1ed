/**
 * Every app server command in the real repositories of ../shared/corpus (Dockerfile CMD/ENTRYPOINT,
 * entrypoint and start scripts, supervisord `command=`, compose `command:`, Procfiles, bash arrays
 * that hold an argv), read the way a container would run it. For each one the reader must name the
 * right program, give every fact as a value or as an unknown with a reason, and agree with each
 * option the command line writes literally. The corpus is read in place, never copied.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { known, unknown, type Value } from '../../../src/core/value.js';
import { readAppServerReading } from '../../../src/container/app-servers/index.js';
import { locateServer } from '../../../src/container/app-servers/argv.js';
import { ContainerFs } from '../../../src/container/filesystem.js';
import type { AppServerFacts, ContainerProcess } from '../../../src/container/types.js';
import { literalText } from '../../../src/parsers/mapped-text.js';
import { splitShellWords, wordsFromList, type ShellWord } from '../../../src/parsers/shell-words.js';
import { Workspace } from '../../../src/workspace/workspace.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`SKIPPED app server corpus test: corpus not found at ${CORPUS}`);

const SERVER = /\b(gunicorn|uvicorn|daphne|uwsgi|granian)\b/;
const SKIP_FILE = /(^|\/)(PROVENANCE\.txt|README[^/]*|requirements[^/]*|Pipfile[^/]*|[^/]*\.(md|py|txt|tsv|html|json|lock|toml|cfg))$/;

interface Found {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly words: ShellWord[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && statSync(p).size < 200_000) out.push(p);
  }
  return out;
}

/** A word that a shell would expand is unknown, as the process reader leaves it when the variable is not set. */
function expandable(words: ShellWord[]): ShellWord[] {
  return words.map((w) => (w.value.kind === 'known' && /\$|%\(ENV_/.test(w.value.value) ? { ...w, value: unknown(`${w.value.value} expands a shell variable`, w.value.span) } : w));
}

/** The app server commands of one file, with the words a container would run. */
function commandsIn(root: string, abs: string): Found[] {
  const file = relative(root, abs);
  if (SKIP_FILE.test(file)) return [];
  const text = readFileSync(abs, 'utf8');
  if (!SERVER.test(text)) return [];
  const out: Found[] = [];
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const start = offset;
    let logical = lines[i]!;
    let j = i;
    for (;;) {
      // A backslash continues a shell or Dockerfile line (Dockerfile comment lines inside it are dropped);
      // an indented line continues a supervisord `command =` value.
      const next = lines[j + 1];
      if (next === undefined) break;
      if (/\\\s*$/.test(logical)) {
        offset += lines[j]!.length + 1;
        j++;
        if (next.trim().startsWith('#')) {
          logical = `${logical.replace(/\\\s*$/, ' ')}\\`;
          continue;
        }
        logical = `${logical.replace(/\\\s*$/, ' ')}${next}`;
      } else if (/^\s*command\s*=/.test(lines[i]!) && /^\s+\S/.test(next) && !/^\s*\w+\s*=/.test(next)) {
        offset += lines[j]!.length + 1;
        j++;
        logical = `${logical} ${next.trim()}`;
      } else break;
    }
    offset += lines[j]!.length + 1;
    const lineNo = i + 1;
    i = j;
    const t = logical.trim();
    if (t.startsWith('#') || !SERVER.test(t)) continue;
    const at = start + logical.indexOf(t);
    let words: ShellWord[] | undefined;
    const exec = /^(CMD|ENTRYPOINT)\s+(\[.*\])\s*$/.exec(t);
    const shellForm = /^(CMD|ENTRYPOINT)\s+(.*)$/.exec(t);
    const ini = /^command\s*=\s*(.*)$/.exec(t);
    const yamlCmd = /^-?\s*command:\s*(.*)$/.exec(t);
    const proc = /^web:\s*(.*)$/.exec(t);
    const arr = /^[A-Z_][A-Z0-9_]*=\((.*)\)\s*$/.exec(t);
    const pick = (m: RegExpExecArray, group: number): ShellWord[] => {
      const s = m[group]!;
      const from = at + t.indexOf(s, m[0].length - s.length - (m[0].length - m[0].trimEnd().length));
      return splitShellWords(literalText(file, s, from));
    };
    if (exec) {
      try {
        const items = JSON.parse(exec[2]!) as unknown[];
        if (items.every((x) => typeof x === 'string')) words = wordsFromList((items as string[]).map((s) => literalText(file, s, at + t.indexOf(JSON.stringify(s).slice(1, -1)))));
      } catch {
        words = undefined;
      }
    } else if (shellForm) words = pick(shellForm, 2);
    else if (ini) words = pick(ini, 1);
    else if (yamlCmd) {
      const v = yamlCmd[1]!.replace(/^(["'])(.*)\1$/, '$2');
      words = splitShellWords(literalText(file, v, at + t.indexOf(v)));
    } else if (proc) words = pick(proc, 1);
    else if (arr) words = pick(arr, 1);
    else words = splitShellWords(literalText(file, t, at));
    if (!words || !locateServer(words)) continue;
    out.push({ file, line: lineNo, text: t.length > 140 ? `${t.slice(0, 137)}...` : t, words: expandable(words) });
  }
  return out;
}

/** Literal option values a command line writes, and the fact each one sets. */
const LITERAL: Record<string, Record<string, keyof AppServerFacts>> = {
  gunicorn: { '-w': 'processes', '--workers': 'processes', '-b': 'bind', '--bind': 'bind', '-k': 'workerClass', '--worker-class': 'workerClass', '--threads': 'threads', '-t': 'requestTimeoutSeconds', '--timeout': 'requestTimeoutSeconds', '--backlog': 'backlog' },
  uvicorn: { '--port': 'port', '--workers': 'processes', '--timeout-keep-alive': 'keepAliveSeconds', '--backlog': 'backlog' },
  daphne: { '-p': 'port', '--port': 'port', '-t': 'requestTimeoutSeconds', '--http-timeout': 'requestTimeoutSeconds' },
  uwsgi: { '--socket': 'bind', '-s': 'bind', '--http-socket': 'bind', '--processes': 'processes', '--workers': 'processes', '-p': 'processes', '--threads': 'threads', '--harakiri': 'requestTimeoutSeconds', '--listen': 'backlog' },
  granian: { '--port': 'port', '--workers': 'processes', '--blocking-threads': 'threads', '--backlog': 'backlog' },
};

function textOf(v: Value<unknown>): string {
  return v.kind === 'known' ? String(v.value) : `? (${v.reason})`;
}

describe.skipIf(!present)('app server commands in the real-world corpus', () => {
  const repos = present ? readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  const found: Array<Found & { repo: string }> = [];
  for (const r of repos) for (const abs of walk(join(CORPUS, r))) for (const f of commandsIn(join(CORPUS, r), abs)) found.push({ ...f, repo: r });

  it('finds app server commands of every program the corpus uses', () => {
    const kinds = new Set(found.map((f) => locateServer(f.words)!.kind));
    console.info(`${found.length} app server commands in the corpus:\n${found.map((f) => `  ${f.repo}/${f.file}:${f.line}  ${f.text}`).join('\n')}`);
    expect(found.length).toBeGreaterThanOrEqual(15);
    expect([...kinds].sort()).toEqual(['daphne', 'granian', 'gunicorn', 'uvicorn', 'uwsgi']);
  });

  for (const f of found) {
    it(`${f.repo}/${f.file}:${f.line}`, () => {
      const ws = new Workspace(join(CORPUS, f.repo));
      const process: ContainerProcess = {
        argv: f.words,
        argvSpan: f.words[0]!.value.span,
        workingDir: unknown('the working directory is not modelled by this test', f.words[0]!.value.span),
        environment: new Map(),
        steps: [],
      };
      const reading = readAppServerReading(process, new ContainerFs(ws, []), ws)!;
      const server = locateServer(f.words)!;
      expect(reading.facts.kind).toBe(server.kind);
      for (const [name, v] of Object.entries(reading.facts)) {
        if (name === 'kind' || name === 'configFiles') continue;
        const value = v as Value<unknown>;
        if (value.kind === 'unknown') expect(value.reason.length, `${name} is unknown without a reason`).toBeGreaterThan(10);
        else expect(value.span.file, `${name} points into a file`).toBeTruthy();
      }
      // Each option the command writes literally is the fact's value (or why not: a variable, a config file's say).
      const args = server.argv.slice(1);
      const table = LITERAL[server.kind]!;
      for (let i = 0; i < args.length; i++) {
        const w = args[i]!.value;
        if (w.kind !== 'known') continue;
        const [opt, inline] = w.value.includes('=') && w.value.startsWith('--') ? [w.value.slice(0, w.value.indexOf('=')), w.value.slice(w.value.indexOf('=') + 1)] : [w.value, undefined];
        const fact = table[opt];
        if (!fact) continue;
        const raw = inline ?? (args[i + 1]?.value.kind === 'known' ? (args[i + 1]!.value as { value: string }).value : undefined);
        const got = reading.facts[fact] as Value<unknown>;
        if (raw === undefined) {
          expect(got.kind, `${opt} with a value that cannot be known gives an unknown ${fact}`).toBe('unknown');
          continue;
        }
        // The last occurrence wins; compare only that one.
        if (args.slice(i + 2).some((x) => x.value.kind === 'known' && (x.value.value === opt || x.value.value.startsWith(`${opt}=`)))) continue;
        const expected = fact === 'bind' ? raw.replace(/^:/, server.kind === 'uwsgi' ? '0.0.0.0:' : ':').replace(/^\//, 'unix:/') : raw;
        expect(textOf(got), `${opt} ${raw} -> ${fact}`).toBe(fact === 'workerClass' ? expected.replace(/^egg:gunicorn#/, '') : expected);
      }
    });
  }
});

void known;
