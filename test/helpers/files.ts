import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir` whose name matches `name`, skipping node_modules and .git, in a stable order. */
export function* filesUnder(dir: string, name: RegExp): Generator<string> {
  for (const e of readdirSync(dir).sort()) {
    if (e === 'node_modules' || e === '.git') continue;
    const p = join(dir, e);
    let s;
    try {
      s = statSync(p);
    } catch {
      // A dangling symlink in a corpus tree.
      continue;
    }
    if (s.isDirectory()) yield* filesUnder(p, name);
    else if (name.test(e)) yield p;
  }
}
