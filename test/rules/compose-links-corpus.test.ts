import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { RULES } from '../../rules/index.js';

// What network-unreachable and depends-on-backend say on the corpus repositories that use compose
// networks and network_mode, and why silence is the right verdict on each (read by hand, 2026-12-01).
// Limit: today the data tier finds a Django app with settings in only one corpus stack (makeplane's
// api), so the Django-side links of both rules are exercised by the fixtures, not by the corpus; the
// nginx-side links (upstream servers, proxy_pass hosts) are checked on every corpus stack.
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
const present = existsSync(CORPUS);
if (!present) console.warn(`corpus not found at ${CORPUS}: skipping the compose-links corpus verdicts`);

const VERDICTS: ReadonlyArray<{ repo: string; why: string }> = [
  // networks: default: {name: wger_network}; every service on the default network: nginx reaches web.
  { repo: 'wger-project__docker', why: 'one renamed default network for every service' },
  // celery and celery_monitoring use network_mode "${CELERY_SERVICE_NETWORK_MODE-service:openvpn}":
  // they reach others through openvpn's networks, and nothing reaches them by name; the dashboard's
  // alias dashboard.internal is on the default network nginx is on.
  { repo: 'openwisp__docker-openwisp', why: 'network_mode service:openvpn only on services nothing reaches by name' },
  // taiga-gateway, taiga-back and taiga-db all list the same taiga network.
  { repo: 'kaleidos-ventures__taiga-docker', why: 'one shared named network' },
  // The api service's database host is not a service of the project as the model reads it, so
  // neither rule has a pair to check.
  { repo: 'makeplane__plane', why: 'the database host is not a project service' },
];

describe.skipIf(!present)('network-unreachable and depends-on-backend on the corpus', () => {
  const rules = RULES.filter((r) => r.meta.id === 'network-unreachable' || r.meta.id === 'depends-on-backend');
  it('runs both rules', () => expect(rules.map((r) => r.meta.id).sort()).toEqual(['depends-on-backend', 'network-unreachable']));
  for (const { repo, why } of VERDICTS) {
    it(`${repo}: silent (${why})`, () => {
      const dir = join(CORPUS, repo);
      if (!existsSync(dir)) return;
      const run = check({ dir, rules });
      const mine = run.result.findings.filter((f) => f.ruleId === 'network-unreachable' || f.ruleId === 'depends-on-backend');
      expect(mine.map((f) => `${f.span.file}: ${f.message}`)).toEqual([]);
      expect(run.result.stacks.length).toBeGreaterThan(0);
    });
  }
});
