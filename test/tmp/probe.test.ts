import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { RULES } from '../../rules/index.js';
const k = (v: any) => (v.kind === 'known' ? v.value : '?');
it('probe', () => {
  const C = '/work/shared/corpus';
  const out: string[] = [];
  for (const d of readdirSync(C).filter((x) => x.includes('__'))) {
    const run = check({ dir: join(C, d), rules: RULES });
    for (const s of run.stacks as any[]) {
      const procs = s.services.map((x: any) => { const p = s.view(x)?.process; return x.name + ':' + (p ? p.argv.slice(0, 7).map((w: any) => k(w.value)).join(' ') : '-'); }).filter((t: string) => /celery|worker|beat|rq/.test(t));
      out.push(`${d} ${s.name} workers=${s.data.workers.length} procs: ${procs.join(' / ')}`);
      for (const w of s.data.workers) out.push(`   ${w.service.name} ${w.workers.map((x: any) => `${x.kind} p=${k(x.processes)} pp=${k(x.perProcess)}`).join(';')} ${w.settings ? 'settings' : w.reason} dbs=${s.data.workerDatabases.filter((r: any) => r.db.app === w).map((r: any) => r.route.kind).join(',')}`);
    }
  }
  require('node:fs').writeFileSync('/tmp/r10-probe.txt', out.join('\n'));
});
