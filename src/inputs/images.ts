import type { Span, Value } from '../core/value.js';
import { simpleCommands, splitShellWords, type ShellWord } from '../parsers/shell-words.js';
import type { ComposeService } from './compose.js';
import type { StackReader } from '../stack/core.js';

/**
 * Helpers shared by the data-tier readers (pgbouncer, Postgres, Redis): which image a service runs,
 * and the argv of the server program its command starts.
 */

/** The image a service runs: its `image:`, else the base image of its Dockerfile. */
export function imageName(stack: StackReader, svc: ComposeService): string | undefined {
  if (svc.image?.kind === 'known') return svc.image.value;
  return stack.image(svc).baseImage;
}

export { imageRepository } from '../core/image-ref.js';

/** Where a value that belongs to the image (a default it ships) is placed: the `image:` value, else the service name. */
export function imageAnchor(svc: ComposeService): Span {
  return svc.image?.span ?? svc.nameSpan;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash)$/;
const WRAPPERS = new Set(['exec', 'tini', '--', 'dumb-init', 'gosu', 'su-exec', 'docker-entrypoint.sh', 'entrypoint.sh']);

export interface ProgramArgv {
  /** The words from the program name on, program included. */
  readonly argv: readonly Value<string>[];
  readonly span: Span;
}

/**
 * The argv of `program` in a service's command (then its entrypoint), looking through `sh -c "..."` and
 * wrappers. `optionsOnly`: a command of bare options (`--maxmemory 2gb`) is handed to the program by
 * the image's entrypoint, as the official redis and postgres images do.
 */
export function programArgv(svc: ComposeService, program: RegExp, optionsOnly = false): ProgramArgv | undefined {
  for (const cmd of [svc.command, svc.entrypoint]) {
    if (!cmd) continue;
    const found = search(cmd.words, program, 0);
    if (found) return found;
    const first = cmd.words[0]?.value;
    if (optionsOnly && cmd === svc.command && !svc.entrypoint && first?.kind === 'known' && first.value.startsWith('-')) {
      return { argv: cmd.words.filter((w) => !w.operator).map((w) => w.value), span: cmd.span };
    }
  }
  return undefined;
}

function search(words: readonly ShellWord[], program: RegExp, depth: number): ProgramArgv | undefined {
  if (depth > 3) return undefined;
  for (const simple of simpleCommands(words)) {
    for (let i = 0; i < simple.length; i++) {
      const v = simple[i]!.value;
      if (v.kind !== 'known') break;
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(v.value) || WRAPPERS.has(v.value.split('/').pop()!)) continue;
      if (SHELLS.test(v.value)) {
        const c = simple.findIndex((x, k) => k > i && x.value.kind === 'known' && /^-[a-z]*c[a-z]*$/.test(x.value.value));
        const script = c >= 0 ? simple[c + 1] : undefined;
        if (script) return search(splitShellWords(script.text), program, depth + 1);
        break;
      }
      if (!program.test(v.value.split('/').pop()!)) break;
      const argv = simple.slice(i).map((w) => w.value);
      const last = argv[argv.length - 1]!.span;
      return { argv, span: { file: v.span.file, start: v.span.start, end: Math.max(v.span.end, last.end) } };
    }
  }
  return undefined;
}
