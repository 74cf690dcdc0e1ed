import type { GraphNode, StackGraph } from './build.js';

const SHAPES: Record<GraphNode['kind'], [string, string]> = {
  proxy: ['[/', '/]'],
  upstream: ['([', '])'],
  tier: ['[[', ']]'],
  app: ['[', ']'],
  pgbouncer: ['{{', '}}'],
  postgres: ['[(', ')]'],
  redis: ['[(', ')]'],
  service: ['[', ']'],
};

/** A Mermaid flowchart of one stack, for a pull request summary or a README. */
export function formatMermaid(graph: StackGraph): string {
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const [open, close] = SHAPES[n.kind];
    lines.push(`  ${n.id}${open}"${escape(n.label)}"${close}`);
  }
  graph.edges.forEach((e, i) => {
    lines.push(`  ${e.from} -->${e.label ? `|"${escape(e.label)}"|` : ''} ${e.to}`);
    if (e.broken) lines.push(`  linkStyle ${i} stroke:#d73a49,stroke-width:2px`);
  });
  return `${lines.join('\n')}\n`;
}

/** Mermaid labels are quoted; a quote inside one is written as an entity. */
function escape(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}
