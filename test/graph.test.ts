import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../src/engine/run.js';
import { stackGraph } from '../src/graph/build.js';
import { formatMermaid } from '../src/graph/mermaid.js';
import { FIXTURES } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';

function graphOf(dir: string) {
  const run = check({ dir, rules: [] });
  return stackGraph(run.stacks[0]!);
}

let tmp: TmpStack | undefined;
afterEach(() => tmp?.remove());

describe('topology graph', () => {
  it('draws the seed stack from nginx through its upstreams to the tier, pgbouncer and redis', () => {
    const g = graphOf(join(FIXTURES, 'arena-scaled'));
    expect(g.nodes.find((n) => n.id === 'tier_web')?.label).toBe('web x15, 8 workers x 4 threads');
    const edge = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to);
    expect(edge('svc_nginx', 'up_nginx_django_backend')?.label).toBe('/health/, /api/auth/, /');
    expect(edge('up_nginx_django_streaming', 'tier_web')).toMatchObject({ label: '15 of 15', broken: false });
    expect(edge('tier_web', 'svc_pgbouncer')?.label).toBe('DATABASES default');
    expect(edge('tier_web', 'svc_redis')?.label).toBe('cache, channels');
  });

  it('marks an upstream that misses replicas of its tier', () => {
    tmp = new TmpStack(join(FIXTURES, 'arena-scaled'));
    tmp.edit('nginx/load-balancer.conf', '    server web-15:8000 max_fails=2 fail_timeout=60s max_conns=150 weight=1;\n', '');
    const g = graphOf(tmp.dir);
    const i = g.edges.findIndex((e) => e.from === 'up_nginx_django_streaming');
    expect(g.edges[i]).toMatchObject({ label: '14 of 15', broken: true });
    expect(formatMermaid(g)).toContain(`linkStyle ${i} stroke:#d73a49`);
  });

  it('draws a mistyped upstream server as a dead end in red instead of leaving it out', () => {
    tmp = new TmpStack(join(FIXTURES, 'arena-scaled'));
    tmp.edit('nginx/load-balancer.conf', '    server web-15:8000 max_fails=2 fail_timeout=60s max_conns=150 weight=1;\n', '    server wbe-15:8000;\n');
    const g = graphOf(tmp.dir);
    expect(g.nodes.filter((n) => n.kind === 'missing')).toEqual([{ id: 'missing_wbe_15', kind: 'missing', label: 'wbe-15:8000 (no such service)' }]);
    const i = g.edges.findIndex((e) => e.to === 'missing_wbe_15');
    expect(g.edges[i]).toMatchObject({ from: 'up_nginx_django_streaming', broken: true });
    const text = formatMermaid(g);
    expect(text).toContain('  missing_wbe_15>"wbe-15:8000 (no such service)"]');
    expect(text).toContain(`linkStyle ${i} stroke:#d73a49`);
    expect(text).toContain('class missing_wbe_15 missing');
  });

  it('renders valid Mermaid node and edge lines', () => {
    const text = formatMermaid(graphOf(join(FIXTURES, 'arena-scaled')));
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}(\w+(\[\[|\[\/|\(\[|\{\{|\[\(|\[)".*"(\]\]|\/\]|\]\)|\}\}|\)\]|\])|\w+ -->(\|".*"\|)? \w+|linkStyle \d+ .*|classDef \w+ .*|class [\w,]+ \w+)$/);
  });
});
