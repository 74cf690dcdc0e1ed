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
  missing: ['>', ']'],
};

/** A Mermaid flowchart of one stack, for a pull request summary or a README. */
export function formatMermaid(graph: StackGraph): string {
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const [open, close] = SHAPES[n.kind];
    lines.push(`  ${n.id}${open}"${escape(n.label)}"${close}`);
  }
  const missing = graph.nodes.filter((n) => n.kind === 'missing');
  if (missing.length) lines.push('  classDef missing fill:#ffeef0,stroke:#d73a49,color:#d73a49', `  class ${missing.map((n) => n.id).join(',')} missing`);
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

/** What a pull request did to a stack's topology, in the terms its chart marks. */
export interface TopologyChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** `upstream app -> web x4`: links the pull request broke. */
  readonly broke: readonly string[];
  /** Links it repaired. */
  readonly fixed: readonly string[];
}

const edgeKey = (e: { from: string; to: string }) => `${e.from}->${e.to}`;

export function topologyChange(base: StackGraph | undefined, head: StackGraph): TopologyChange {
  const before = new Map((base?.nodes ?? []).map((n) => [n.id, n]));
  const after = new Map(head.nodes.map((n) => [n.id, n]));
  const label = (id: string) => after.get(id)?.label ?? before.get(id)?.label ?? id;
  const baseEdges = new Map((base?.edges ?? []).map((e) => [edgeKey(e), e]));
  const headEdges = new Map(head.edges.map((e) => [edgeKey(e), e]));
  const link = (e: { from: string; to: string }) => `${label(e.from)} → ${label(e.to)}`;
  return {
    added: base ? head.nodes.filter((n) => !before.has(n.id)).map((n) => n.label) : [],
    removed: [...before.values()].filter((n) => !after.has(n.id)).map((n) => n.label),
    changed: head.nodes.filter((n) => before.has(n.id) && before.get(n.id)!.label !== n.label).map((n) => `${before.get(n.id)!.label} → ${n.label}`),
    broke: head.edges.filter((e) => e.broken && !baseEdges.get(edgeKey(e))?.broken).filter(() => base !== undefined).map(link),
    fixed: [...baseEdges.values()].filter((e) => e.broken && headEdges.has(edgeKey(e)) && !headEdges.get(edgeKey(e))!.broken).map(link),
  };
}

/**
 * The head's chart with what the pull request did marked: added nodes and links in green, removed
 * ones drawn dashed in grey, changed nodes in yellow, links it broke in red and labelled so.
 * GitHub renders Mermaid in job summaries and comments.
 */
export function formatMermaidChange(base: StackGraph | undefined, head: StackGraph): string {
  if (!base) return formatMermaid(head);
  const before = new Map(base.nodes.map((n) => [n.id, n]));
  const after = new Set(head.nodes.map((n) => n.id));
  const baseEdges = new Map(base.edges.map((e) => [edgeKey(e), e]));
  const headEdges = new Set(head.edges.map(edgeKey));
  const lines = ['flowchart LR'];
  const removedNodes = base.nodes.filter((n) => !after.has(n.id));
  for (const n of [...head.nodes, ...removedNodes]) {
    const [open, close] = SHAPES[n.kind];
    const gone = !after.has(n.id);
    lines.push(`  ${n.id}${open}"${escape(gone ? `${n.label} (removed)` : n.label)}"${close}`);
  }
  const classes: Record<string, string[]> = { added: [], removed: removedNodes.map((n) => n.id), changed: [], missing: [] };
  for (const n of head.nodes) {
    if (n.kind === 'missing') classes.missing!.push(n.id);
    else if (!before.has(n.id)) classes.added!.push(n.id);
    else if (before.get(n.id)!.label !== n.label) classes.changed!.push(n.id);
  }
  let index = 0;
  const styles: string[] = [];
  for (const e of head.edges) {
    const was = baseEdges.get(edgeKey(e));
    const broke = e.broken && !was?.broken;
    const text = broke ? `${e.label ? `${e.label}, ` : ''}broken here` : e.label;
    lines.push(`  ${e.from} -->${text ? `|"${escape(text)}"|` : ''} ${e.to}`);
    if (e.broken) styles.push(`  linkStyle ${index} stroke:#d73a49,stroke-width:${broke ? 3 : 2}px`);
    else if (!was) styles.push(`  linkStyle ${index} stroke:#28a745,stroke-width:2px`);
    index++;
  }
  for (const e of base.edges) {
    if (headEdges.has(edgeKey(e))) continue;
    lines.push(`  ${e.from} -.->|"${escape(e.label ? `${e.label}, removed` : 'removed')}"| ${e.to}`);
    styles.push(`  linkStyle ${index} stroke:#959da5,stroke-dasharray:4 4`);
    index++;
  }
  lines.push(...styles);
  const DEFS: Record<string, string> = {
    added: 'fill:#e6ffed,stroke:#28a745',
    removed: 'fill:#f6f8fa,stroke:#959da5,stroke-dasharray:4 4,color:#6a737d',
    changed: 'fill:#fff5b1,stroke:#b08800',
    missing: 'fill:#ffeef0,stroke:#d73a49,color:#d73a49',
  };
  for (const [name, ids] of Object.entries(classes)) {
    if (ids.length === 0) continue;
    lines.push(`  classDef ${name} ${DEFS[name]}`, `  class ${ids.join(',')} ${name}`);
  }
  return `${lines.join('\n')}\n`;
}
