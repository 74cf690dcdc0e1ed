import { posix } from 'node:path';
import type { ParseProblem } from '../core/problem.js';
import { known, type Span, type Value } from '../core/value.js';
import { literalText, MappedTextBuilder, type MappedText } from '../parsers/mapped-text.js';
import { wordsFromList, type ShellWord } from '../parsers/shell-words.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ContainerFile, ContainerFs, ContainerPathSource } from './filesystem.js';
import { readScript, type ScriptResult } from './shell-script.js';
import { isS6Init, s6Services, supervisordPrograms } from './supervisord.js';
import { isNginxImage, nginxTemplates, type WellKnownImage } from './images.js';
import type { CommandLine, ContainerProcess, ProcessStep, UnknownPart } from './types.js';

/**
 * The program a container runs, by Docker's rules (docs.docker.com "Understand how CMD and
 * ENTRYPOINT interact"):
 * - the orchestrator's entrypoint replaces the image's ENTRYPOINT *and* drops the image's CMD;
 * - the orchestrator's command replaces the image's CMD only;
 * - a shell-form ENTRYPOINT runs as `/bin/sh -c "<string>"` and ignores every CMD;
 * - a shell-form CMD becomes `/bin/sh -c "<string>"`, handed to the ENTRYPOINT as arguments;
 * - compose splits a string `command:`/`entrypoint:` into words itself (no shell).
 * Then wrappers (tini, gosu, `sh -c`), entrypoint scripts and the image's own entrypoint are
 * followed statically (`shell-script.ts`), each step recorded with the line it was read from.
 */

/** The image config a container starts from: the Dockerfile stage, or a well-known image's. */
export interface ImageConfig {
  readonly entrypoint?: CommandLine;
  readonly cmd?: CommandLine;
  /** The image's ENTRYPOINT dropped an inherited CMD. */
  readonly cmdReset?: boolean;
  readonly workdir: Value<string>;
  readonly env: ReadonlyMap<string, Value<string>>;
  /** The external image at the root of the build, when arena-lint knows what it does. */
  readonly wellKnown?: WellKnownImage;
  /** Where the image's own defaults are anchored (the `image:` value or the FROM line). */
  readonly anchor: Span;
}

export interface ProcessInput {
  readonly spec: {
    readonly entrypoint?: CommandLine;
    readonly command?: CommandLine;
    readonly workingDir?: Value<string>;
    readonly environment: ReadonlyMap<string, Value<string>>;
  };
  readonly image: ImageConfig;
  readonly fs: ContainerFs;
}

export interface ProcessResult {
  readonly process?: ContainerProcess;
  /** Files the start-up writes (rendered templates, copies, heredocs), as layers over the container fs. */
  readonly layers: readonly ContainerPathSource[];
  readonly unknowns: readonly UnknownPart[];
  /** Repository files read on the way (entrypoint scripts, supervisord configs). */
  readonly files: readonly string[];
  /** What reading them reported (an unterminated quote in a script). */
  readonly problems: readonly ParseProblem[];
}

/** Words of a fixed argv (a well-known image's CMD), all placed at `anchor`. */
export function anchoredWords(argv: readonly string[], anchor: Span): ShellWord[] {
  return wordsFromList(argv.map((a) => {
    const b = new MappedTextBuilder(anchor.file, anchor);
    b.pushChar(a, anchor.start, anchor.end);
    return b.build();
  }));
}

/**
 * The exact text of shell-form lines (Dockerfile `CMD gunicorn "a b"`), quotes as written, because
 * `/bin/sh -c` re-reads them. Filled by the Dockerfile reader.
 */
export const SHELL_TEXT = new WeakMap<CommandLine, MappedText>();

/** A shell-form line as Docker runs it: `/bin/sh -c "<the whole string>"`. */
function shellForm(line: CommandLine): ShellWord[] {
  const text = SHELL_TEXT.get(line) ?? joinedWords(line);
  return [...anchoredWords(['/bin/sh', '-c'], line.span), ...wordsFromList([text])];
}

/** Words joined by spaces, when the raw text is not known (quotes are then lost). */
function joinedWords(line: CommandLine): MappedText {
  if (line.words.length === 0) return literalText(line.span.file, '', line.span.start);
  const b = new MappedTextBuilder(line.span.file, line.span);
  for (const w of line.words) {
    if (b.length > 0) b.pushChar(' ', w.text.srcStart[0] ?? line.span.start, w.text.srcStart[0] ?? line.span.start);
    b.pushMapped(w.text);
  }
  return b.build();
}

export interface StartCommand {
  readonly argv: readonly ShellWord[];
  readonly steps: readonly ProcessStep[];
  readonly unknowns: readonly UnknownPart[];
}

/** ENTRYPOINT + CMD after the orchestrator's replacements, before anything is followed. */
export function startCommand(input: ProcessInput): StartCommand {
  const { spec, image } = input;
  const steps: ProcessStep[] = [];
  const unknowns: UnknownPart[] = [];
  let entry: ShellWord[] = [];
  let cmd: ShellWord[] = [];
  let shellEntrypoint = false;
  if (spec.entrypoint) {
    entry = [...spec.entrypoint.words];
    steps.push({ description: 'entrypoint set by the container spec (replaces the image\'s ENTRYPOINT and drops its CMD)', span: spec.entrypoint.span });
  } else if (image.entrypoint) {
    if (image.entrypoint.form === 'string') {
      entry = shellForm(image.entrypoint);
      shellEntrypoint = true;
      steps.push({ description: 'shell-form ENTRYPOINT runs as /bin/sh -c and ignores CMD', span: image.entrypoint.span });
    } else {
      entry = [...image.entrypoint.words];
      steps.push({ description: 'ENTRYPOINT of the image', span: image.entrypoint.span });
    }
  } else if (image.wellKnown?.entrypoint && !image.cmdReset) {
    entry = anchoredWords(image.wellKnown.entrypoint, image.anchor);
    steps.push({ description: `ENTRYPOINT ${JSON.stringify(image.wellKnown.entrypoint)} of the base image`, span: image.anchor });
  }
  if (!shellEntrypoint) {
    if (spec.command) {
      cmd = [...spec.command.words];
      steps.push({ description: 'command set by the container spec (replaces the image\'s CMD)', span: spec.command.span });
    } else if (spec.entrypoint) {
      // Setting an entrypoint resets the image's CMD.
    } else if (image.cmd) {
      cmd = image.cmd.form === 'string' ? shellForm(image.cmd) : [...image.cmd.words];
      steps.push({ description: image.cmd.form === 'string' ? 'shell-form CMD runs as /bin/sh -c' : 'CMD of the image', span: image.cmd.span });
    } else if (image.wellKnown?.cmd && !image.cmdReset) {
      cmd = anchoredWords(image.wellKnown.cmd, image.anchor);
      steps.push({ description: `CMD ${JSON.stringify(image.wellKnown.cmd)} of the base image`, span: image.anchor });
    }
  }
  return { argv: [...entry, ...cmd], steps, unknowns };
}

/** The working directory: the spec's, else the image's WORKDIR. */
export function workingDir(input: ProcessInput): Value<string> {
  const w = input.spec.workingDir;
  if (w?.kind === 'known') return { ...w, value: posix.resolve('/', w.value) };
  if (w) return w;
  if (input.image.workdir.kind === 'known' && input.image.workdir.value === '/' && input.image.wellKnown?.workdir) {
    return known(input.image.wellKnown.workdir, input.image.anchor, { isDefault: true });
  }
  return input.image.workdir;
}

/** Environment in Docker's precedence: the spec's over the image's ENV. */
export function processEnvironment(input: ProcessInput): Map<string, Value<string>> {
  const env = new Map(input.image.env);
  for (const [k, v] of input.spec.environment) env.set(k, v);
  return env;
}

export function argvSpan(argv: readonly ShellWord[], fallback: Span): Span {
  const spans = argv.map((w) => w.value.span).filter((s) => s.file === argv[0]?.value.span.file);
  if (spans.length === 0) return fallback;
  return { file: spans[0]!.file, start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

const WRAPPERS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit']);
const USER_WRAPPERS = new Set(['gosu', 'su-exec', 'chpst']);
const WAIT_WRAPPER = /^wait-for(-it)?(\.sh)?$/;
const SHELLS = /^(sh|bash|ash|dash|zsh)$/;

function word(w: ShellWord | undefined): string | undefined {
  return w?.value.kind === 'known' ? w.value.value : undefined;
}

/**
 * Follows the start command to the program that ends up running: wrappers (tini, dumb-init, gosu,
 * su-exec, env), `sh -c` strings, and the image's own entrypoint script; each step names its line.
 */
export function followProcess(ws: Workspace, input: ProcessInput, start: StartCommand, wellKnown: WellKnownImage | undefined): ProcessResult {
  return followArgv(ws, {
    fs: input.fs, argv: start.argv, env: processEnvironment(input), workdir: workingDir(input), steps: start.steps,
    anchor: start.steps[0]?.span ?? input.image.anchor, ...(wellKnown ? { wellKnown } : {}),
  }, 0);
}

export interface FollowInput {
  readonly fs: ContainerFs;
  readonly argv: readonly ShellWord[];
  readonly env: ReadonlyMap<string, Value<string>>;
  readonly workdir: Value<string>;
  readonly steps: readonly ProcessStep[];
  readonly anchor: Span;
  readonly wellKnown?: WellKnownImage;
}

/** Follows an argv through wrappers, shells, scripts and process supervisors to what finally runs. */
export function followArgv(ws: Workspace, start: FollowInput, nesting: number): ProcessResult {
  const input = { image: { anchor: start.anchor } };
  const wellKnown = start.wellKnown;
  const steps: ProcessStep[] = [...start.steps];
  const unknowns: UnknownPart[] = [];
  const layers: ContainerPathSource[] = [];
  const files: string[] = [];
  const problems: ParseProblem[] = [];
  const ranBefore: { argv: readonly ShellWord[]; span: Span }[] = [];
  let children: ContainerProcess[] | undefined;
  let env = new Map(start.env);
  let workdir = start.workdir;
  let argv: readonly ShellWord[] = start.argv;
  const state = { fs: start.fs, ranBefore };
  for (let depth = 0; depth < 16 && argv.length > 0; depth++) {
    const head = word(argv[0]);
    if (head === undefined) {
      const v = argv[0]!.value;
      unknowns.push({ what: 'process', reason: v.kind === 'unknown' ? v.reason : 'unknown program', span: v.span });
      break;
    }
    const base = posix.basename(head);
    if (WRAPPERS.has(base)) {
      let i = 1;
      while (i < argv.length && word(argv[i])?.startsWith('-')) i++;
      if (word(argv[i]) === '--') i++;
      steps.push({ description: `${base} starts the rest of the command`, span: argv[0]!.value.span });
      argv = argv.slice(i);
      continue;
    }
    if (WAIT_WRAPPER.test(base)) {
      // wait-for-it.sh (vishnubob) and wait-for (eficode) wait for host:port, then run what follows
      // `--`: their documented contract, which holds whatever the script's argument loop looks like.
      const dashes = argv.findIndex((w, k) => k > 0 && word(w) === '--');
      if (dashes > 0 && dashes + 1 < argv.length) {
        steps.push({ description: `${base} waits for ${word(argv[1]) ?? 'a service'}, then runs the command after --`, span: argv[0]!.value.span });
        argv = argv.slice(dashes + 1);
        continue;
      }
    }
    if (USER_WRAPPERS.has(base)) {
      steps.push({ description: `${base} runs the rest of the command as ${word(argv[1]) ?? 'another user'}`, span: argv[0]!.value.span });
      argv = argv.slice(2);
      continue;
    }
    if (base === 'env') {
      let i = 1;
      for (; i < argv.length; i++) {
        const w = word(argv[i]);
        if (w === undefined || w.startsWith('-')) continue;
        const eq = w.indexOf('=');
        if (eq <= 0) break;
        env = new Map(env).set(w.slice(0, eq), known(w.slice(eq + 1), argv[i]!.value.span));
      }
      steps.push({ description: 'env sets variables and starts the rest of the command', span: argv[0]!.value.span });
      argv = argv.slice(i);
      continue;
    }
    if (SHELLS.test(base)) {
      const c = argv.findIndex((w, k) => k > 0 && /^-[a-z]*c[a-z]*$/.test(word(w) ?? ''));
      if (c > 0 && argv[c + 1]) {
        const script = argv[c + 1]!;
        steps.push({ description: `${base} -c runs a command string`, span: script.value.span });
        const r = readScript(ws, { kind: 'inline', text: script.text }, { env, workdir, args: argv.slice(c + 2), fs: state.fs });
        ({ argv, env, workdir } = applyScript(r, steps, unknowns, layers, state));
        files.push(...r.read);
        problems.push(...r.problems);
        if (r.outcome === 'exec' || r.outcome === 'last') continue;
        break;
      }
      const path = word(argv[1]);
      if (path && !path.startsWith('-')) {
        // `bash start.sh` reads the script from the working directory first, then PATH.
        const hit = state.fs.resolve(posix.resolve(workdir.kind === 'known' ? workdir.value : '/', path)) ?? resolveProgram(state.fs, path, workdir, env);
        if (hit) {
          files.push(hit.hostPath);
          steps.push({ description: `${base} runs ${path} (${describeOrigin(hit)})`, span: argv[1]!.value.span });
          const r = readScript(ws, { kind: 'file', path: hit.hostPath, file: hit }, { env, workdir, args: argv.slice(2), fs: state.fs });
          ({ argv, env, workdir } = applyScript(r, steps, unknowns, layers, state));
        files.push(...r.read);
        problems.push(...r.problems);
          if (r.outcome === 'exec' || r.outcome === 'last') continue;
        } else unknowns.push({ what: 'process', reason: `${path} is not in the container's files arena-lint can see`, span: argv[1]!.value.span });
      }
      break;
    }
    if (wellKnown?.handOver && (head === wellKnown.handOver.script || base === posix.basename(wellKnown.handOver.script)) && !resolveProgram(state.fs, head, workdir, env)) {
      steps.push({ description: wellKnown.handOver.description, span: argv[0]!.value.span });
      const gen = wellKnown.generatesFromEnv;
      if (gen && (!gen.unlessPresent || state.fs.state(gen.path).kind === 'absent')) {
        // The config the entrypoint writes from the environment: readers take it from the environment.
        const layer: ContainerPathSource = {
          containerPath: gen.path, hostPath: '', isDir: false, via: argv[0]!.value.span,
          origin: { kind: 'image-default', image: wellKnown.repositories[0]!, description: `written at start by the image's entrypoint from ${gen.variables}` },
        };
        layers.push(layer);
        state.fs = state.fs.with([layer]);
      }
      const rest = argv.slice(1);
      const first = word(rest[0]);
      if (wellKnown.handOver.program && (rest.length === 0 || first?.startsWith('-'))) {
        argv = [...anchoredWords([wellKnown.handOver.program], argv[0]!.value.span), ...rest];
      } else argv = rest;
      if (isNginxImage(wellKnown.repositories[0]!) && (first === 'nginx' || first === 'nginx-debug')) {
        const rendered = nginxTemplates(ws, state.fs, env, argv[0]?.value.span ?? input.image.anchor);
        layers.push(...rendered.layers);
        steps.push(...rendered.steps);
        state.fs = state.fs.with(rendered.layers);
      }
      continue;
    }
    if (nesting < 3 && (base === 'supervisord' || isS6Init(state.fs, head, argv))) {
      const sup = base === 'supervisord'
        ? supervisordPrograms(ws, state.fs, argv, env, workdir)
        : s6Services(ws, state.fs, argv[0]!.value.span);
      steps.push(...sup.steps);
      unknowns.push(...sup.unknowns);
      files.push(...sup.files);
      children = [];
      for (const p of sup.programs) {
        const r = followArgv(ws, { fs: state.fs, argv: p.argv, env: new Map([...env, ...p.env]), workdir: p.workdir ?? workdir, steps: p.steps, anchor: p.span, ...(wellKnown ? { wellKnown } : {}) }, nesting + 1);
        unknowns.push(...r.unknowns);
        files.push(...r.files);
        problems.push(...r.problems);
        layers.push(...r.layers);
        if (r.process) children.push(r.process);
      }
      if (base === 'supervisord' || argv.length === 1) break;
      // s6-overlay's /init runs the services, then the CMD it was given.
      argv = argv.slice(1);
      continue;
    }
    const hit = resolveProgram(state.fs, head, workdir, env);
    if (hit && looksLikeScript(ws, hit.hostPath)) {
      files.push(hit.hostPath);
      steps.push({ description: `runs ${head} (${describeOrigin(hit)})`, span: argv[0]!.value.span });
      const r = readScript(ws, { kind: 'file', path: hit.hostPath, file: hit }, { env, workdir, args: argv.slice(1), fs: state.fs });
      ({ argv, env, workdir } = applyScript(r, steps, unknowns, layers, state));
        files.push(...r.read);
        problems.push(...r.problems);
      if (r.outcome === 'exec' || r.outcome === 'last') continue;
      break;
    }
    break;
  }
  const process: ContainerProcess | undefined = argv.length > 0
    ? { argv, argvSpan: argvSpan(argv, steps[steps.length - 1]?.span ?? start.steps[0]?.span ?? input.image.anchor), workingDir: workdir, environment: env, steps, ...(ranBefore.length > 0 ? { ranBefore } : {}), ...(children ? { children } : {}) }
    : undefined;
  return { ...(process ? { process } : {}), layers, unknowns, files: [...new Set(files)], problems };
}

function applyScript(
  r: ScriptResult, steps: ProcessStep[], unknowns: UnknownPart[], layers: ContainerPathSource[], state: { fs: ContainerFs; ranBefore: { argv: readonly ShellWord[]; span: Span }[] },
): { argv: readonly ShellWord[]; env: Map<string, Value<string>>; workdir: Value<string> } {
  steps.push(...r.steps);
  unknowns.push(...r.unknowns);
  layers.push(...r.layers);
  state.ranBefore.push(...r.ran);
  state.fs = state.fs.with(r.layers);
  return { argv: r.argv, env: new Map(r.env), workdir: r.workdir };
}

/** Where a program name leads in the container: an absolute or relative path, else a PATH lookup. */
export function resolveProgram(fs: ContainerFs, name: string, workdir: Value<string>, env: ReadonlyMap<string, Value<string>>): ContainerFile | undefined {
  const cwd = workdir.kind === 'known' ? workdir.value : '/';
  if (name.includes('/')) return fs.resolve(posix.resolve(cwd, name));
  const path = env.get('PATH');
  const dirs = path?.kind === 'known' ? path.value.split(':') : ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const hit = fs.resolve(posix.join(posix.resolve(cwd, d), name));
    if (hit) return hit;
  }
  return undefined;
}

function looksLikeScript(ws: Workspace, hostPath: string): boolean {
  const f = ws.read(hostPath);
  if (!f) return false;
  return /^#!\s*\S*\b(sh|bash|ash|dash)\b/.test(f.text) || /^#!\s*\/usr\/bin\/env\s+(sh|bash)\b/.test(f.text) || (/\.sh$/.test(hostPath) && !f.text.startsWith('#!'));
}

export function describeOrigin(f: ContainerFile): string {
  const o = f.origin;
  if (o.kind === 'copy') return `${f.hostPath}, copied at ${o.via.file}`;
  if (o.kind === 'mount') return `${f.hostPath}, mounted at ${o.via.file}`;
  if (o.kind === 'rendered') return `rendered from ${o.template} by ${o.renderer}`;
  return f.hostPath;
}
