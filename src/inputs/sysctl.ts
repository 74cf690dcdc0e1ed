import type { Comment, ParseProblem } from '../core/problem.js';
import type { Workspace } from '../workspace/workspace.js';
import { looksLikeShellScript, scanShellForSysctls } from '../parsers/shell-sysctl.js';
import { compareSysctlLoadOrder, looksLikeSysctlFile, parseSysctlConf, type SysctlSetting } from '../parsers/sysctl.js';
import { filesCopiedIntoImages } from './dockerfile-copies.js';

/** A file of the repository that sets host sysctls. */
export interface HostSysctlSource {
  readonly path: string;
  /** A sysctl.conf / sysctl.d drop-in, or a shell script that runs `sysctl -w` or writes such a file. */
  readonly kind: 'sysctl-file' | 'script';
  readonly settings: readonly SysctlSetting[];
  readonly problems: readonly ParseProblem[];
  readonly comments: readonly Comment[];
}

/**
 * What the host ends up with for one key. A script's `sysctl -w` changes the running kernel only;
 * sysctl files (and lines a script writes into one) are applied at every boot. Both are kept so a
 * rule can say that a value is lost at the next reboot.
 */
export interface HostSysctlValue {
  readonly key: string;
  /** The value after the scripts ran: the last runtime setting, else the persisted one. */
  readonly effective: SysctlSetting;
  /** The value applied at boot: the last one in systemd-sysctl's load order. */
  readonly persisted?: SysctlSetting;
  /** The last `sysctl -w` (or /proc/sys write) of the scripts, in path then script order. */
  readonly runtime?: SysctlSetting;
}

export interface HostSysctls {
  /** Sorted by path. */
  readonly sources: readonly HostSysctlSource[];
  get(key: string): HostSysctlValue | undefined;
}

const SHELL_EXT = /\.(sh|bash|dash|ksh|zsh)$/i;

/** Files worth opening to look for a shebang: no extension at all (`bin/tune-host`). */
const NO_EXTENSION = /(^|\/)[^./]+$/;

const cache = new WeakMap<Workspace, readonly HostSysctlSource[]>();

/**
 * The host's sysctl sources and what they set. `containerFiles` are repository files some container
 * of the stack loads (COPY, mount): a script run inside a container sets that container's network
 * namespace, not the host's, so it is no host source.
 */
export function hostSysctls(ws: Workspace, containerFiles: ReadonlySet<string> = new Set()): HostSysctls {
  let all = cache.get(ws);
  if (!all) {
    all = readSources(ws);
    cache.set(ws, all);
  }
  const outside = all.filter((src) => !containerFiles.has(src.path));
  if (!outside.some((src) => src.kind === 'script')) return join(outside);
  const inImages = filesCopiedIntoImages(ws);
  return join(outside.filter((src) => !inImages.has(src.path)));
}

function readSources(ws: Workspace): HostSysctlSource[] {
  const sources: HostSysctlSource[] = [];
  for (const path of ws.files()) {
    if (looksLikeSysctlFile(path)) {
      const file = ws.read(path);
      if (!file) continue;
      const r = parseSysctlConf(file);
      sources.push({ path, kind: 'sysctl-file', settings: r.doc ?? [], problems: r.problems, comments: r.comments });
    } else if (SHELL_EXT.test(path) || NO_EXTENSION.test(path)) {
      const file = ws.read(path);
      if (!file || !looksLikeShellScript(path, file.text) || !/sysctl/.test(file.text)) continue;
      const r = scanShellForSysctls(file);
      // A script that sets no sysctl is not a host source; its shell quirks are not ours to report.
      if ((r.doc ?? []).length === 0) continue;
      sources.push({ path, kind: 'script', settings: r.doc ?? [], problems: r.problems, comments: r.comments });
    }
  }
  return sources;
}

function join(sources: readonly HostSysctlSource[]): HostSysctls {
  // Boot order: each setting sorted by the sysctl file it lives in (a script's target for written lines).
  const persisted: { file: string; index: number; setting: SysctlSetting }[] = [];
  const runtime: SysctlSetting[] = [];
  for (const src of sources) {
    src.settings.forEach((setting, index) => {
      const target = setting.scriptTarget;
      if (target?.kind === 'runtime') runtime.push(setting);
      else persisted.push({ file: target?.kind === 'file' ? target.path : src.path, index, setting });
    });
  }
  persisted.sort((a, b) => compareSysctlLoadOrder(a.file, b.file) || a.index - b.index);

  const values = new Map<string, { persisted?: SysctlSetting; runtime?: SysctlSetting }>();
  const slot = (key: string) => {
    let v = values.get(key);
    if (!v) values.set(key, (v = {}));
    return v;
  };
  for (const p of persisted) slot(p.setting.key).persisted = p.setting;
  for (const r of runtime) slot(r.key).runtime = r;

  return {
    sources,
    get(key) {
      const v = values.get(key);
      if (!v) return undefined;
      const effective = v.runtime ?? v.persisted!;
      return { key, effective, ...(v.persisted ? { persisted: v.persisted } : {}), ...(v.runtime ? { runtime: v.runtime } : {}) };
    },
  };
}
