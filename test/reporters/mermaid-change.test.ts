import { describe, expect, it } from 'vitest';
import type { StackGraph } from '../../src/graph/build.js';
import { formatMermaid, formatMermaidChange, topologyChange } from '../../src/graph/mermaid.js';

const base: StackGraph = {
  stack: 'docker-compose.yml',
  nodes: [
    { id: 'svc_nginx', kind: 'proxy', label: 'nginx' },
    { id: 'up_nginx_app', kind: 'upstream', label: 'upstream app' },
    { id: 'tier_web', kind: 'tier', label: 'web x3' },
    { id: 'svc_redis', kind: 'redis', label: 'redis' },
  ],
  edges: [
    { from: 'svc_nginx', to: 'up_nginx_app', label: '/' },
    { from: 'up_nginx_app', to: 'tier_web', label: '3 of 3', broken: false },
    { from: 'tier_web', to: 'svc_redis', label: 'cache' },
  ],
};
// The pull request: a fourth replica not in upstream app, redis dropped, pgbouncer added.
const head: StackGraph = {
  stack: 'docker-compose.yml',
  nodes: [
    { id: 'svc_nginx', kind: 'proxy', label: 'nginx' },
    { id: 'up_nginx_app', kind: 'upstream', label: 'upstream app' },
    { id: 'tier_web', kind: 'tier', label: 'web x4' },
    { id: 'svc_pgbouncer', kind: 'pgbouncer', label: 'pgbouncer' },
  ],
  edges: [
    { from: 'svc_nginx', to: 'up_nginx_app', label: '/' },
    { from: 'up_nginx_app', to: 'tier_web', label: '3 of 4', broken: true },
    { from: 'tier_web', to: 'svc_pgbouncer', label: 'DATABASES default' },
  ],
};

describe('the topology chart of a pull request', () => {
  it('says what the pull request added, removed, changed and broke', () => {
    expect(topologyChange(base, head)).toEqual({
      added: ['pgbouncer'],
      removed: ['redis'],
      changed: ['web x3 → web x4'],
      broke: ['upstream app → web x4'],
      fixed: [],
    });
    expect(topologyChange(head, base)).toMatchObject({ fixed: ['upstream app → web x3'], broke: [] });
  });

  it('marks them in the chart: green added, grey dashed removed, yellow changed, red broken', () => {
    const lines = formatMermaidChange(base, head).trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  svc_redis[("redis (removed)")]');
    expect(lines).toContain('  up_nginx_app -->|"3 of 4, broken here"| tier_web');
    expect(lines).toContain('  tier_web -.->|"cache, removed"| svc_redis');
    const linkOf = (text: string) => lines.filter((l) => / -->| -\.->/.test(l)).findIndex((l) => l.includes(text));
    expect(lines).toContain(`  linkStyle ${linkOf('broken here')} stroke:#d73a49,stroke-width:3px`);
    expect(lines).toContain(`  linkStyle ${linkOf('DATABASES default')} stroke:#28a745,stroke-width:2px`);
    expect(lines).toContain(`  linkStyle ${linkOf('cache, removed')} stroke:#959da5,stroke-dasharray:4 4`);
    expect(lines).toContain('  class svc_pgbouncer added');
    expect(lines).toContain('  class svc_redis removed');
    expect(lines).toContain('  class tier_web changed');
  });

  it('is the plain chart without a base, and unmarked when nothing changed', () => {
    expect(formatMermaidChange(undefined, head)).toBe(formatMermaid(head));
    const same = formatMermaidChange(base, base);
    expect(same).not.toMatch(/class |removed|broken here|#28a745/);
    expect(topologyChange(base, base)).toEqual({ added: [], removed: [], changed: [], broke: [], fixed: [] });
  });
});
