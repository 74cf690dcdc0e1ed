/**
 * Differential test: every pgbouncer.ini of the data-tier fixtures is loaded by the real pgbouncer
 * (Debian package "pgbouncer"), and pgbouncer-unknown-setting must report an error on the file exactly
 * when pgbouncer refuses it. Listening and auth lines are pointed at a sandbox; everything else is as written.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TmpStack } from './helpers/tmp-stack.js';
import { FIXTURES, runFixture } from './helpers/fixtures.js';
import { findPgbouncer } from './oracles/pgbouncer-oracle.js';

const found = findPgbouncer();
const oracle = 'oracle' in found ? found.oracle : undefined;
if (!oracle) console.warn(`SKIPPED pgbouncer differential test of the data-tier fixtures: ${'missing' in found ? found.missing : ''}`);
afterAll(() => oracle?.dispose());

const OWN = [
  'arena-current', 'arena-scaled', 'settings-split',
  ...['pgbouncer-unknown-setting', 'pgbouncer-server-side-cursors', 'pgbouncer-startup-parameter', 'pgbouncer-client-capacity',
    'pgbouncer-pool-over-db-limit', 'django-db-bypasses-pgbouncer', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout', 'upstream-keepalive-timeout', 'proxy-read-timeout'].map((id) => `rules/${id}`),
];

/** Stack folders (holding a compose file) with a pgbouncer.ini somewhere below. */
function stacksWithIni(): Array<{ stack: string; ini: string }> {
  const out: Array<{ stack: string; ini: string }> = [];
  const walk = (dir: string, stack: string | undefined): void => {
    const names = readdirSync(dir).sort();
    const here = names.some((n) => /^(docker-)?compose[^/]*\.ya?ml$/.test(n)) ? dir : stack;
    for (const n of names) {
      const full = join(dir, n);
      if (statSync(full).isDirectory()) walk(full, here);
      else if (n === 'pgbouncer.ini' && here) out.push({ stack: here, ini: relative(here, full) });
    }
  };
  for (const o of OWN) if (existsSync(join(FIXTURES, o))) walk(join(FIXTURES, o), undefined);
  return out;
}

const SANDBOXED = /^(listen_addr|listen_port|unix_socket_dir|auth_type|auth_file|auth_hba_file|logfile|pidfile|user)\s*=.*$/gm;

const outcomes = { loaded: 0, refused: 0 };

describe.skipIf(!oracle)('pgbouncer loads a fixture ini exactly when pgbouncer-unknown-setting finds no error in it', () => {
  for (const { stack, ini } of stacksWithIni()) {
    it(relative(FIXTURES, join(stack, ini)), async () => {
      const dir = oracle!.dir;
      writeFileSync(join(dir, 'userlist.txt'), '');
      const text = readFileSync(join(stack, ini), 'utf8').replace(SANDBOXED, '');
      const sandbox = `listen_addr = 127.0.0.1\nlisten_port = 16432\nunix_socket_dir = ${dir}\nauth_type = trust\nauth_file = ${dir}/userlist.txt\n`;
      const run = await oracle!.run(text.replace(/^\[pgbouncer\][^\n]*\n/m, (h) => `${h}${sandbox}`));
      // Judge the file as the installed release would: the image tag is set to the oracle's version.
      const tmp = new TmpStack(stack);
      try {
        const compose = readdirSync(tmp.dir).find((n) => /compose[^/]*\.ya?ml$/.test(n))!;
        writeFileSync(join(tmp.dir, compose), tmp.read(compose).replace(/image: *"?[\w./-]*pgbouncer:[\w.-]+"?/g, `image: edoburu/pgbouncer:${oracle!.version}`));
        const errors = runFixture(tmp.dir).findings.filter((f) => f.ruleId === 'pgbouncer-unknown-setting' && f.severity === 'error' && f.span.file === ini);
        expect({ loaded: run.loaded, errors: errors.map((f) => f.message) }).toEqual({ loaded: errors.length === 0, errors: expect.any(Array) });
        if (!run.loaded) expect(run.refusal).toMatch(/bad-value|unknown-key/);
        outcomes[run.loaded ? 'loaded' : 'refused']++;
      } finally {
        tmp.remove();
      }
    });
  }
  it('saw files pgbouncer loads and files it refuses (the seed\'s section 4.1 among them)', () => {
    expect(outcomes.loaded).toBeGreaterThan(5);
    expect(outcomes.refused).toBeGreaterThanOrEqual(2);
  });
});
