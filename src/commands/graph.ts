import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { check, UsageError } from '../engine/run.js';
import { stackGraph } from '../graph/build.js';
import { formatMermaid } from '../graph/mermaid.js';
import { RULES } from '../../rules/index.js';
import type { CliIO } from './io.js';

/** `arena-lint graph [DIR]`: each stack's topology as Mermaid (wrapped in a markdown fence with --markdown). */
export function graphCommand(argv: readonly string[], io: CliIO): number {
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true, strict: true,
    options: { config: { type: 'string', short: 'c' }, markdown: { type: 'boolean' } },
  });
  if (positionals.length > 1) throw new UsageError(`graph takes one directory, got ${positionals.length}`);
  const dir = positionals[0] ?? '.';
  const run = check({ dir: resolve(io.cwd, dir), displayDir: dir, ...(values.config ? { configPath: resolve(io.cwd, values.config) } : {}), rules: [] });
  const out: string[] = [];
  for (const stack of run.stacks) {
    const chart = formatMermaid(stackGraph(stack));
    out.push(values.markdown ? `### ${stack.name}\n\n\`\`\`mermaid\n${chart}\`\`\`\n` : `%% ${stack.name}\n${chart}`);
  }
  io.stdout(out.join('\n'));
  return 0;
}
