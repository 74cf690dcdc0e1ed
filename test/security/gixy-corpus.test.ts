import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { RULES } from '../../rules/index.js';

// gixy's own plugin tests (../shared/corpus/gixy-tests, see its README): each `<plugin>/*.conf` is one
// case; a name ending in `_fp.conf` must give no finding, any other exactly one. Each fragment is
// wrapped in a minimal stack the way the corpus README describes, checked with every rule, and the
// findings of the rule that matches the plugin are counted. The files are read in place, never copied
// into the project; the wrapper stacks live in a temporary folder.
const GIXY = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'gixy-tests');
const present = existsSync(join(GIXY, 'expected.json'));
if (!present) console.warn(`gixy test corpus not found at ${GIXY}: skipping the gixy agreement test`);

/** The arena-lint rule that does each gixy plugin's check; undefined: not implemented (outside issue 11). */
const RULE_FOR_PLUGIN: Readonly<Record<string, string | undefined>> = {
  add_header_redefinition: 'nginx-add-header-redefinition',
  alias_traversal: 'nginx-alias-traversal',
  host_spoofing: 'nginx-host-spoofing',
  ssrf: 'nginx-ssrf',
  valid_referers: 'nginx-valid-referers',
  origins: 'nginx-origins',
  if_is_evil: 'nginx-if-is-evil',
  http_splitting: 'nginx-http-splitting',
  add_header_multiline: 'nginx-add-header-multiline',
  add_header_content_type: undefined,
  allow_without_deny: undefined,
  resolver_external: undefined,
  version_disclosure: undefined,
};

/**
 * Every case where arena-lint's verdict differs from gixy's, with the reason. The test fails when a
 * listed case agrees after all (drop it from here) or an unlisted one differs.
 */
const DIFFERENCES: Readonly<Record<string, string>> = {
  'add_header_redefinition/not_secure_outer.conf':
    'the dropped header is X-Bar, not a security header. gixy-ng reports it as LOW; yandex/gixy ships the same file as not_secure_outer_fp.conf. arena-lint follows the spec and yandex/gixy: only dropped security headers are reported.',
  'origins/origin_https.conf':
    'needs gixy\'s https_only option (given in the case\'s "# Options:" line). arena-lint has no such option and does not guess whether a site is https-only, so `^https?://yandex\\.ru/` is a correct allow list to it.',
};

interface Case {
  readonly plugin: string;
  readonly file: string;
  readonly expectFinding: boolean;
}

function cases(): Case[] {
  if (!present) return [];
  const out: Case[] = [];
  for (const plugin of readdirSync(GIXY, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(join(GIXY, plugin)).filter((f) => f.endsWith('.conf')).sort()) {
      out.push({ plugin, file, expectFinding: !file.endsWith('_fp.conf') });
    }
  }
  return out;
}

const work = present ? mkdtempSync(join(tmpdir(), 'arena-lint-gixy-')) : '';
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A stack whose one nginx container loads the fragment where the corpus README says it goes. */
function wrap(c: Case): string {
  const dir = join(work, c.plugin, c.file.replace(/\.conf$/, ''));
  mkdirSync(join(dir, 'nginx'), { recursive: true });
  const text = readFileSync(join(GIXY, c.plugin, c.file), 'utf8');
  const top = text.replace(/#[^\n]*/g, '');
  let mounts: string[];
  if (/^\s*http\s*\{/m.test(top)) {
    writeFileSync(join(dir, 'nginx', 'nginx.conf'), /^\s*events\s*\{/m.test(top) ? text : `events {}\n${text}`);
    mounts = ['./nginx/nginx.conf:/etc/nginx/nginx.conf:ro'];
  } else if (/^server\s*\{/m.test(top)) {
    writeFileSync(join(dir, 'nginx', 'case.conf'), text);
    mounts = ['./nginx/case.conf:/etc/nginx/conf.d/case.conf:ro'];
  } else {
    writeFileSync(join(dir, 'nginx', 'case.conf'), text);
    const include = 'include /etc/nginx/snippets/case.conf;';
    const body = /^\s*proxy_pass\b/m.test(top) ? `location / { ${include} }` : include;
    writeFileSync(join(dir, 'nginx', 'default.conf'), `server {\n    listen 80;\n    server_name example.com;\n    ${body}\n}\n`);
    mounts = ['./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro', './nginx/case.conf:/etc/nginx/snippets/case.conf:ro'];
  }
  writeFileSync(join(dir, 'docker-compose.yml'), `services:\n  nginx:\n    image: nginx:1.27\n    volumes:\n${mounts.map((m) => `      - ${m}\n`).join('')}`);
  return dir;
}

describe.skipIf(!present)('gixy plugin tests: arena-lint agrees case by case', () => {
  const all = cases();
  const verdicts = new Map<string, { agrees: boolean; got: number; messages: string[] }>();

  it('finds the plugin folders the table names', () => {
    expect(new Set(all.map((c) => c.plugin))).toEqual(new Set(Object.keys(RULE_FOR_PLUGIN)));
  });

  for (const c of all) {
    const key = `${c.plugin}/${c.file}`;
    const rule = RULE_FOR_PLUGIN[c.plugin];
    it.skipIf(rule === undefined)(`${key} (${c.expectFinding ? 'one finding' : 'no finding'})`, () => {
      const run = check({ dir: wrap(c), rules: RULES });
      const mine = run.result.findings.filter((f) => f.ruleId === rule);
      // gixy expects exactly one finding for a positive case.
      const agrees = c.expectFinding ? mine.length === 1 : mine.length === 0;
      verdicts.set(key, { agrees, got: mine.length, messages: mine.map((f) => f.message) });
      if (DIFFERENCES[key] !== undefined) {
        expect(agrees, `${key} now agrees with gixy: remove it from DIFFERENCES`).toBe(false);
      } else {
        expect(mine.map((f) => f.message), `${key}: gixy expects ${c.expectFinding ? 'one finding' : 'none'}`).toHaveLength(c.expectFinding ? 1 : 0);
      }
      // The rule id names the plugin's class the way the corpus README asks.
      const keywords: string[] = JSON.parse(readFileSync(join(GIXY, 'expected.json'), 'utf8'))[c.plugin].id_keywords;
      expect(keywords.some((k) => rule!.includes(k))).toBe(true);
    });
  }

  it('lists only real cases as differences', () => {
    for (const key of Object.keys(DIFFERENCES)) expect(all.map((c) => `${c.plugin}/${c.file}`)).toContain(key);
  });

  it('agrees on every in-scope case but the recorded differences', () => {
    const expected = JSON.parse(readFileSync(join(GIXY, 'expected.json'), 'utf8')) as Record<string, { scope: string; cases: Record<string, { finding: boolean }> }>;
    for (const c of all) {
      const e = expected[c.plugin]?.cases[c.file];
      if (e) expect(e.finding, `${c.plugin}/${c.file}: file name and expected.json disagree`).toBe(c.expectFinding);
    }
    const rows = all.filter((c) => RULE_FOR_PLUGIN[c.plugin] !== undefined).map((c) => {
      const key = `${c.plugin}/${c.file}`;
      const v = verdicts.get(key);
      return `${v?.agrees ? 'agree   ' : 'DIFFER  '} ${key} (gixy: ${c.expectFinding ? 1 : 0}, arena-lint: ${v?.got ?? '?'})${DIFFERENCES[key] ? ` -- ${DIFFERENCES[key]}` : ''}`;
    });
    const notDone = [...new Set(all.filter((c) => RULE_FOR_PLUGIN[c.plugin] === undefined).map((c) => c.plugin))];
    console.log(`gixy agreement:\n${rows.join('\n')}\nnot implemented (outside issue 11): ${notDone.join(', ')}`);
    expect(rows.filter((r) => r.startsWith('DIFFER')).length).toBe(Object.keys(DIFFERENCES).length);
  });
});
