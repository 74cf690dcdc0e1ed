/**
 * django-settings-unknown-key must never call a key Django reads unknown: every key the installed
 * Django's database and cache code reads from an entry (found in its source) is in the rule's table.
 * Debian 12's python3-django is 3.2; keys added later (CONN_HEALTH_CHECKS, 4.1) are in the table too.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../rules/django-settings-unknown-key.js';

const found = spawnSync('/usr/bin/python3', ['-c', 'import django, os; print(os.path.dirname(django.__file__))'], { encoding: 'utf8' });
const djangoDir = found.status === 0 ? found.stdout.trim() : undefined;
if (!djangoDir) console.warn('SKIPPED the Django settings-key oracle: /usr/bin/python3 has no django (apt-get install python3-django)');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.py') ? [readFileSync(p, 'utf8')] : [];
  });
}

function keysRead(texts: readonly string[], receivers: string): Set<string> {
  const re = new RegExp(`\\b(?:${receivers})(?:\\.get\\(|\\.setdefault\\(|\\.pop\\(|\\[)["']([A-Z_]{3,})["']`, 'g');
  return new Set(texts.flatMap((t) => [...t.matchAll(re)].map((m) => m[1]!)));
}

describe.skipIf(!djangoDir)('the keys Django reads', () => {
  it('DATABASES: every key the db package reads from an entry is known to the rule', () => {
    const read = keysRead(sources(join(djangoDir!, 'db')), 'settings_dict|conn');
    // Django writes these itself while setting up Oracle test databases.
    for (const internal of ['SAVED_USER', 'SAVED_PASSWORD']) read.delete(internal);
    expect(read.size).toBeGreaterThan(10);
    const table = TABLES.find((t) => t.setting === 'DATABASES')!.keys;
    expect([...read].filter((k) => !table.includes(k))).toEqual([]);
  });
  it('CACHES: every key the cache package reads from an entry is known to the rule', () => {
    const read = keysRead(sources(join(djangoDir!, 'core', 'cache')), 'params');
    expect(read.size).toBeGreaterThan(3);
    const table = TABLES.find((t) => t.setting === 'CACHES')!.keys;
    expect([...read].filter((k) => !table.includes(k))).toEqual([]);
  });
});
