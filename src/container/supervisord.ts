import { posix } from 'node:path';
import { known, type Span, type Value } from '../core/value.js';
import type { Workspace } from '../workspace/workspace.js';
import { literalText, MappedTextBuilder, type MappedText } from '../parsers/mapped-text.js';
import { splitShellWords, wordsFromList, type ShellWord } from '../parsers/shell-words.js';
import type { ContainerFs } from './filesystem.js';
import type { ProcessStep, UnknownPart } from './types.js';

/**
 * Process supervisors inside a container: supervisord's `[program:x]` sections (with `[include]`
 * files and `%(ENV_X)s` expansions) and s6 services (s6-overlay v2 `/etc/services.d/*\/run`, v3
 * `s6-rc.d/*` longruns, run scripts in sh or execline). Each program is handed back as an argv to
 * follow like the main process. Nothing is run.
 */

export interface SupervisedProgram {
  readonly name: string;
  readonly argv: readonly ShellWord[];
  readonly env: ReadonlyMap<string, Value<string>>;
  readonly workdir?: Value<string>;
  readonly steps: readonly ProcessStep[];
  readonly span: Span;
}

export interface Supervised {
  readonly programs: readonly SupervisedProgram[];
  readonly steps: readonly ProcessStep[];
  readonly unknowns: readonly UnknownPart[];
  readonly files: readonly string[];
}

interface IniEntry {
  readonly key: string;
  readonly value: MappedText;
  readonly span: Span;
}

interface IniSection {
  readonly name: string;
  readonly entries: IniEntry[];
  readonly span: Span;
}

/** supervisord's ini dialect: `;` comments at line start or after whitespace, indented continuation lines. */
export function parseSupervisorIni(path: string, text: string): IniSection[] {
  const sections: IniSection[] = [];
  let cur: IniSection | undefined;
  let last: { key: string; parts: { start: number; text: string }[]; span: Span } | undefined;
  const flush = () => {
    if (!last || !cur) return;
    const b = new MappedTextBuilder(path, last.span);
    last.parts.forEach((p, i) => {
      if (i > 0) b.pushChar(' ', p.start, p.start);
      b.pushMapped(literalText(path, p.text, p.start));
    });
    cur.entries.push({ key: last.key, value: b.build(), span: last.span });
    last = undefined;
  };
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const noComment = line.replace(/(^|\s);.*$/, '');
    if (/^\s/.test(line) && last && noComment.trim()) {
      const lead = noComment.length - noComment.trimStart().length;
      last.parts.push({ start: lineStart + lead, text: noComment.trim() });
      last.span = { ...last.span, end: lineStart + noComment.trimEnd().length };
      continue;
    }
    if (!noComment.trim()) continue;
    flush();
    const sec = /^\s*\[([^\]]+)\]/.exec(noComment);
    if (sec) {
      cur = { name: sec[1]!.trim(), entries: [], span: { file: path, start: lineStart, end: lineStart + noComment.trimEnd().length } };
      sections.push(cur);
      continue;
    }
    const m = /^\s*([^=:\s]+)\s*[=:]\s?(.*)$/.exec(noComment);
    if (!m || !cur) continue;
    const valueText = m[2]!.trim();
    const valueStart = lineStart + noComment.indexOf(m[2]!, m[1]!.length) + (m[2]!.length - m[2]!.trimStart().length);
    last = { key: m[1]!.toLowerCase(), parts: valueText ? [{ start: valueStart, text: valueText }] : [], span: { file: path, start: lineStart, end: lineStart + noComment.trimEnd().length } };
  }
  flush();
  return sections;
}

/** `%(ENV_X)s` and `%(here)s` expanded; each expansion keeps the environment line as `via`. */
function expandSupervisor(m: MappedText, env: ReadonlyMap<string, Value<string>>, here: string, programName: string): MappedText {
  if (!m.text.includes('%(')) return m;
  const b = new MappedTextBuilder(m.file, m.whole);
  let i = 0;
  for (const x of m.text.matchAll(/%\(([A-Za-z_][A-Za-z0-9_]*)\)[sd]/g)) {
    b.pushMapped(m, i, x.index);
    const name = x[1]!;
    const start = m.srcStart[x.index]!;
    const end = m.srcEnd[x.index + x[0].length - 1]!;
    if (name.startsWith('ENV_')) {
      const v = env.get(name.slice(4));
      if (!v) b.pushSubstitution('', start, end, [], `${name.slice(4)} is not set in the container's environment (supervisord refuses the config)`);
      else if (v.kind === 'unknown') b.pushSubstitution(x[0], start, end, [v.span], v.reason);
      else b.pushSubstitution(v.value, start, end, [v.span, ...(v.via ?? [])]);
    } else if (name === 'here') b.pushSubstitution(here, start, end, []);
    else if (name === 'program_name') b.pushSubstitution(programName, start, end, []);
    else b.pushSubstitution(x[0], start, end, [], `%(${name})s is set by supervisord at run time`);
    i = x.index + x[0].length;
  }
  b.pushMapped(m, i, m.text.length);
  return b.build();
}

const CONFIG_SEARCH = ['supervisord.conf', 'etc/supervisord.conf', '/etc/supervisord.conf', '/etc/supervisor/supervisord.conf'];

function plain(w: ShellWord | undefined): string | undefined {
  return w?.value.kind === 'known' ? w.value.value : undefined;
}

/** The programs `supervisord [-c FILE]` starts. */
export function supervisordPrograms(ws: Workspace, fs: ContainerFs, argv: readonly ShellWord[], env: ReadonlyMap<string, Value<string>>, workdir: Value<string>): Supervised {
  const steps: ProcessStep[] = [];
  const unknowns: UnknownPart[] = [];
  const files: string[] = [];
  const programs: SupervisedProgram[] = [];
  const cwd = workdir.kind === 'known' ? workdir.value : '/';
  let configPath: string | undefined;
  let configSpan = argv[0]!.value.span;
  for (let i = 1; i < argv.length; i++) {
    const w = plain(argv[i]);
    if (w === '-c' || w === '--configuration') {
      configPath = plain(argv[i + 1]);
      configSpan = argv[i + 1]?.value.span ?? configSpan;
    } else if (w?.startsWith('--configuration=')) configPath = w.slice(16);
  }
  const candidates = configPath ? [configPath] : CONFIG_SEARCH;
  const main = candidates.map((c) => fs.resolve(posix.resolve(cwd, c))).find((x) => x !== undefined);
  if (!main) {
    unknowns.push({ what: 'supervisord', reason: `its configuration (${candidates.join(', ')}) is not in the container's files arena-lint can see`, span: configSpan });
    return { programs, steps, unknowns, files };
  }
  const queue: { containerPath: string; hostPath: string; via: Span }[] = [{ containerPath: main.containerPath, hostPath: main.hostPath, via: configSpan }];
  const seen = new Set<string>();
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f.containerPath) || seen.size > 64) continue;
    seen.add(f.containerPath);
    const file = ws.read(f.hostPath);
    if (!file) continue;
    files.push(file.path);
    steps.push({ description: `supervisord reads ${f.containerPath} (${f.hostPath})`, span: f.via });
    const here = posix.dirname(f.containerPath);
    for (const section of parseSupervisorIni(file.path, file.text)) {
      if (section.name === 'include') {
        const entry = section.entries.find((e) => e.key === 'files');
        for (const pattern of entry?.value.text.split(/\s+/).filter(Boolean) ?? []) {
          const abs = posix.resolve(here, pattern.replace('%(here)s', here));
          const matches = /[*?[]/.test(abs) ? fs.glob(abs) : [fs.resolve(abs)].filter((x) => x !== undefined);
          for (const m of matches) queue.push({ containerPath: m.containerPath, hostPath: m.hostPath, via: entry!.span });
        }
        continue;
      }
      const prog = /^program:(.+)$/.exec(section.name);
      if (!prog) continue;
      const name = prog[1]!.trim();
      const get = (k: string) => section.entries.find((e) => e.key === k);
      const command = get('command');
      if (!command) continue;
      const autostart = get('autostart')?.value.text.toLowerCase();
      if (autostart === 'false') {
        steps.push({ description: `program ${name} does not start by itself (autostart=false)`, span: section.span });
        continue;
      }
      const progEnv = new Map<string, Value<string>>();
      const envEntry = get('environment');
      if (envEntry) {
        for (const kv of envEntry.value.text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|[^,]*)/g)) {
          const at = envEntry.value.srcStart[kv.index] ?? envEntry.span.start;
          progEnv.set(kv[1]!, known(kv[3] ?? kv[4] ?? kv[2]!, { file: file.path, start: at, end: at + kv[0].length }));
        }
      }
      const expanded = expandSupervisor(command.value, new Map([...env, ...progEnv]), here, name);
      const words = splitShellWords(expanded).filter((w) => !w.operator);
      const dir = get('directory');
      programs.push({
        name, argv: wordsFromList(words.map((w) => w.text)), env: progEnv,
        ...(dir ? { workdir: known(dir.value.text, dir.span) } : {}),
        steps: [{ description: `supervisord program ${name}`, span: command.span }],
        span: command.span,
      });
    }
  }
  return { programs, steps, unknowns, files };
}

const S6_DIRS = ['/etc/services.d', '/etc/s6-overlay/s6-rc.d', '/etc/s6-rc.d'];

/** s6-overlay's `/init` (not a repository file): it starts the services it finds. */
export function isS6Init(fs: ContainerFs, head: string, argv: readonly ShellWord[]): boolean {
  if (head !== '/init' || fs.resolve('/init')) return false;
  void argv;
  return fs.files().some((f) => S6_DIRS.some((d) => f.containerPath.startsWith(`${d}/`)) && f.containerPath.endsWith('/run'));
}

/** The long-running services s6-overlay starts, from their `run` scripts. */
export function s6Services(ws: Workspace, fs: ContainerFs, via: Span): Supervised {
  const steps: ProcessStep[] = [{ description: 's6-overlay /init starts the services under /etc/services.d and s6-rc.d', span: via }];
  const unknowns: UnknownPart[] = [];
  const files: string[] = [];
  const programs: SupervisedProgram[] = [];
  for (const f of fs.files()) {
    const dir = S6_DIRS.find((d) => f.containerPath.startsWith(`${d}/`));
    if (!dir || !/^[^/]+\/run$/.test(f.containerPath.slice(dir.length + 1))) continue;
    const serviceDir = posix.dirname(f.containerPath);
    if (dir !== '/etc/services.d') {
      const type = fs.resolve(`${serviceDir}/type`);
      const t = type ? ws.read(type.hostPath)?.text.trim() : undefined;
      if (t !== 'longrun') continue;
    }
    const file = ws.read(f.hostPath);
    if (!file) continue;
    files.push(file.path);
    const name = posix.basename(serviceDir);
    const span = { file: file.path, start: 0, end: Math.min(file.text.indexOf('\n') >>> 0, file.text.length) };
    if (/^#!\s*\S*execlineb/.test(file.text)) {
      const r = execlineProgram(file.path, file.text);
      unknowns.push(...r.unknowns);
      if (r.argv.length) programs.push({ name, argv: r.argv, env: r.env, steps: [{ description: `s6 service ${name} (execline run script)`, span }, ...r.steps], span });
    } else {
      // A shell run script: followed like an entrypoint script.
      programs.push({ name, argv: wordsFromList([literalText(file.path, f.containerPath, 0)]).map((w) => ({ ...w, value: known(f.containerPath, span) })), env: new Map(), steps: [{ description: `s6 service ${name}`, span }], span });
    }
  }
  return { programs, steps, unknowns, files };
}

/** Programs of execline that run the rest of their arguments after doing one thing. */
const CHAIN: Record<string, number> = { 'with-contenv': 0, 's6-setuidgid': 1, 's6-envuidgid': 1, cd: 1, fdmove: 2, 's6-envdir': 1, redirfd: 3, 's6-applyuidgid': 0, 'fdclose': 1, umask: 1, 's6-notifyoncheck': 0 };

/**
 * Reads an execline run script: block commands (`foreground { ... }`) run and return, chain-loading
 * commands (`with-contenv`, `s6-setuidgid user`, `cd dir`) run the rest, `export` and `importas`
 * set and substitute variables; what is left is the program.
 */
export function execlineProgram(path: string, text: string): { argv: ShellWord[]; env: Map<string, Value<string>>; steps: ProcessStep[]; unknowns: UnknownPart[] } {
  const body = text.replace(/^#!.*$/m, (m) => ' '.repeat(m.length));
  const words = splitShellWords(literalText(path, body, 0)).filter((w) => !w.operator);
  const env = new Map<string, Value<string>>();
  const imported = new Map<string, Value<string>>();
  const steps: ProcessStep[] = [];
  const unknowns: UnknownPart[] = [];
  let i = 0;
  const text0 = (k: number) => plain(words[k]);
  const skipBlock = () => {
    if (text0(i) !== '{') return;
    let depth = 0;
    for (; i < words.length; i++) {
      if (text0(i) === '{') depth++;
      else if (text0(i) === '}' && --depth === 0) {
        i++;
        return;
      }
    }
  };
  while (i < words.length) {
    const w = text0(i);
    if (w === undefined) break;
    const base = posix.basename(w);
    if (base === 'foreground' || base === 'background' || base === 'if' || base === 'ifelse' || base === 'backtick') {
      i++;
      while (i < words.length && text0(i)?.startsWith('-')) i++;
      if (base === 'backtick') i++;
      skipBlock();
      continue;
    }
    if (base === 'export' && words[i + 2]) {
      env.set(text0(i + 1)!, words[i + 2]!.value);
      steps.push({ description: `export ${text0(i + 1)}`, span: words[i]!.value.span });
      i += 3;
      continue;
    }
    if (base === 'importas') {
      i++;
      let dflt: Value<string> | undefined;
      while (text0(i)?.startsWith('-')) {
        if (text0(i) === '-D') {
          dflt = words[i + 1]?.value;
          i += 2;
        } else i++;
      }
      const name = text0(i);
      const from = text0(i + 1);
      if (name && from) imported.set(name, env.get(from) ?? dflt ?? { kind: 'unknown', reason: `${from} comes from the container's environment`, span: words[i]!.value.span });
      i += 2;
      continue;
    }
    if (base in CHAIN) {
      i += 1 + CHAIN[base]!;
      while (i < words.length && base === 'fdmove' && text0(i)?.startsWith('-')) i++;
      continue;
    }
    break;
  }
  const rest = words.slice(i).map((w) => {
    const t = plain(w);
    const m = t ? /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(t) : null;
    if (m && imported.has(m[1]!)) {
      const v = imported.get(m[1]!)!;
      return { ...w, value: v.kind === 'known' ? known(v.value, w.value.span, { via: [v.span] }) : v };
    }
    return w;
  });
  if (rest.length === 0) unknowns.push({ what: 'process', reason: 'the execline script runs nothing arena-lint can follow', span: { file: path, start: 0, end: 0 } });
  return { argv: rest, env, steps, unknowns };
}
