import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The corpus shared by the team; tests skip with a message when it is absent. */
export const CORPUS_DIR = join(import.meta.dirname, '../../../shared/corpus');

/** nginx files of the corpus: picked by name, then by content, since `.conf` is also supervisor's and sysctl's. */
export function corpusNginxFiles(): string[] {
  if (!existsSync(CORPUS_DIR)) return [];
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(conf|tpl|template)$|^nginx/.test(name) && looksLikeNginx(readFileSync(path, 'utf8'))) out.push(path);
    }
  };
  visit(CORPUS_DIR);
  return out;
}

function looksLikeNginx(text: string): boolean {
  return /^\s*(http|events|server|upstream|location)\b[^;{\n]*\{/m.test(text);
}

/** envsubst with dummy values, as the official image renders `*.template`; `${DOLLAR}` is openwisp's `$`. */
export function renderTemplate(text: string): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) => (name === 'DOLLAR' ? '$' : '1'));
}
