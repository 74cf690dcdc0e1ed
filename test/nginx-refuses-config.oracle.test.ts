import { Workspace } from '../src/workspace/workspace.js';
/**
 * Differential test of nginx-refuses-config against the real `nginx -t`: for every nginx container of
 * the rule's fixtures, the other fixtures and every corpus repository, the rule must report exactly
 * the refusals of its kinds that nginx reports (file and line), and nothing where nginx accepts.
 * Containers nginx cannot be run on faithfully (templates filled at start, configs outside the
 * repository) are listed as skipped, with the reason.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionAt } from '../src/core/source.js';
import { check } from '../src/engine/run.js';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './helpers/fixtures.js';
import { canIsolate, nginxTestContainer } from './oracles/nginx-container.js';

const CORPUS = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
if (!canIsolate) console.warn('SKIPPED nginx-refuses-config differential test: needs nginx and unshare -mn');
if (!existsSync(CORPUS)) console.warn(`corpus not found at ${CORPUS}: the nginx-refuses-config differential test covers the fixtures only`);

/** Folders to check as a whole (each may hold several compose stacks). */
function roots(): string[] {
  const own = join(FIXTURES, 'rules', 'nginx-refuses-config');
  const fixtureStacks: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir);
    if (names.some((n) => /^(docker-)?compose[^/]*\.ya?ml$/.test(n))) fixtureStacks.push(dir);
    else for (const n of names) if (statSync(join(dir, n)).isDirectory()) walk(join(dir, n));
  };
  walk(FIXTURES);
  const corpus = existsSync(CORPUS) ? readdirSync(CORPUS).filter((d) => d.includes('__')).map((d) => join(CORPUS, d)) : [];
  return [...readdirSync(own).map((d) => join(own, d)), ...fixtureStacks.filter((d) => !d.startsWith(own)), ...corpus];
}

describe.skipIf(!canIsolate)('nginx-refuses-config agrees with nginx -t', () => {
  const skipped: string[] = [];
  let containers = 0;
  for (const dir of roots()) {
    const name = relative(join(FIXTURES, '..', '..'), dir);
    it(name, () => {
      const run = check({ dir, rules: RULES });
      for (const stack of run.stacks) {
        for (const proxy of stack.proxies) {
          const verdict = nginxTestContainer(new Workspace(dir), proxy, (p) => stack.env(p.service));
          if (verdict.kind === 'skipped') {
            skipped.push(`${name} ${stack.name} ${proxy.service.name}: ${verdict.reason}`);
            continue;
          }
          containers++;
          const files = new Set(proxy.nginx.files.map((f) => f.path));
          const ours = run.result.findings
            .filter((f) => f.ruleId === 'nginx-refuses-config' && f.stack === stack.name && files.has(f.span.file))
            .map((f) => `${f.span.file}:${positionAt(run.result.sources.get(f.span.file)!, f.span.start).line}`);
          const nginx = verdict.refusals.map((r) => `${r.file}:${r.line}`);
          expect([...new Set(ours)].sort(), `${stack.name} ${proxy.service.name}: nginx said ${JSON.stringify(verdict.refusals)}`).toEqual([...new Set(nginx)].sort());
          // The rule's own fixtures: nginx itself refuses every invalid one and accepts every valid one.
          if (dir.includes('/nginx-refuses-config/')) expect(nginx.length > 0).toBe(/\/invalid-[^/]*$/.test(dir));
        }
      }
    });
  }
  it('checked containers, and says which it could not', () => {
    if (skipped.length) console.warn(`nginx-refuses-config differential test skipped ${skipped.length} container(s):\n  ${skipped.join('\n  ')}`);
    expect(containers).toBeGreaterThan(10);
  });
});
