import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative } from 'node:path';
import { createSourceFile, SourceSet, type SourceFile } from '../core/source.js';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache']);
const MAX_FILES = 50_000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The checked directory. Every file is read at most once and registered in `sources`, so findings in
 * any file can be printed with a code frame. Paths are root-relative with `/`.
 */
export class Workspace {
  readonly sources = new SourceSet();
  private listing: string[] | undefined;
  private fileSet: Set<string> | undefined;
  private readonly missing = new Set<string>();
  private readonly kinds = new Map<string, 'file' | 'dir' | 'none'>();

  /**
   * `overlay` replaces the text of files that exist on disk (root-relative path -> text), so a fix or
   * `scale` can check the stack it would write before writing anything.
   */
  constructor(
    readonly rootAbs: string,
    private readonly isIgnored: (rel: string) => boolean = () => false,
    private readonly overlay?: ReadonlyMap<string, string>,
  ) {}

  private realRoot: string | undefined;

  /**
   * Whether a root-relative path stays inside the checked folder once `..` and symlinks are
   * resolved. Nothing outside is ever read, whatever a COPY, mount, include, env_file, `-f` path or
   * symlink names: such a path reads as missing, and the caller records it as unknown with its line.
   */
  inside(rel: string): boolean {
    // Asked once per path: every replica of a service asks about the same build context and mounts.
    let yes = this.insideCache.get(rel);
    if (yes === undefined) this.insideCache.set(rel, (yes = this.resolvesInside(rel)));
    return yes;
  }

  private readonly insideCache = new Map<string, boolean>();

  private resolvesInside(rel: string): boolean {
    const n = posix.normalize(rel || '.');
    if (n === '..' || n.startsWith('../') || isAbsolute(n)) return false;
    try {
      this.realRoot ??= realpathSync(this.rootAbs);
      const r = relative(this.realRoot, realpathSync(join(this.rootAbs, rel || '.')));
      return r === '' || (r !== '..' && !r.startsWith('../') && !r.startsWith('..\\') && !isAbsolute(r));
    } catch {
      // A path that does not exist reads nothing; it is missing either way.
      return true;
    }
  }

  /** Every file below the root, sorted, without VCS, dependency and ignored folders. */
  files(): readonly string[] {
    if (this.listing) return this.listing;
    const out: string[] = [];
    const walk = (rel: string) => {
      if (out.length >= MAX_FILES) return;
      let entries;
      try {
        entries = readdirSync(join(this.rootAbs, rel), { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !this.isIgnored(`${child}/`)) walk(child);
        } else if (e.isFile() && !this.isIgnored(child)) {
          out.push(child);
        }
      }
    };
    walk('');
    this.listing = out;
    this.fileSet = new Set(out);
    return out;
  }

  exists(rel: string): boolean {
    if (this.sources.has(rel)) return true;
    this.files();
    if (this.fileSet!.has(rel)) return true;
    // Ignored files can still be named explicitly (a mount of an ignored path).
    return this.kind(rel) === 'file';
  }

  isDir(rel: string): boolean {
    return this.kind(rel || '.') === 'dir';
  }

  /** What a path is, asked of the file system once per path: a 1000-replica stack asks the same ones 1000 times. */
  private kind(rel: string): 'file' | 'dir' | 'none' {
    let k = this.kinds.get(rel);
    if (k === undefined) {
      try {
        if (!this.inside(rel)) throw new Error('outside the checked folder');
        const st = statSync(join(this.rootAbs, rel));
        k = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'none';
      } catch {
        k = 'none';
      }
      this.kinds.set(rel, k);
    }
    return k;
  }

  /** Files directly or indirectly below a folder. */
  filesUnder(dir: string): string[] {
    const prefix = dir === '' || dir === '.' ? '' : `${dir.replace(/\/$/, '')}/`;
    return this.files().filter((f) => f.startsWith(prefix));
  }

  read(rel: string): SourceFile | undefined {
    const cached = this.sources.get(rel);
    if (cached) return cached;
    if (this.missing.has(rel) || !this.inside(rel)) return undefined;
    const replaced = this.overlay?.get(rel);
    if (replaced !== undefined) return this.sources.add(createSourceFile(rel, replaced));
    try {
      const abs = join(this.rootAbs, rel);
      const st = statSync(abs);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) throw new Error('not a readable file');
      const buf = readFileSync(abs);
      if (buf.includes(0)) throw new Error('binary');
      const text = buf.toString('utf8');
      const bom = text.startsWith('\uFEFF');
      const file = createSourceFile(rel, bom ? text.slice(1) : text);
      return this.sources.add(bom ? { ...file, bom: true } : file);
    } catch {
      this.missing.add(rel);
      return undefined;
    }
  }
}
