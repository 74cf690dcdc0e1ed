import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../src/cli.js';
import { docsUrl } from '../src/core/rule-meta.js';
import { CONFIG_SCHEMA_ID } from '../src/docs/config-schema.js';
import { diffLines, ruleExamples } from '../src/docs/examples.js';
import { generateFiles, RULE_DOCS_DIR, SCHEMA_PATH, staleFiles } from '../src/docs/generate.js';
import validateConfig from '../src/generated/config-validator.js';
import { RULE_REDIRECTS } from '../src/core/rule-redirects.js';
import { RULES } from '../rules/index.js';
import { RULE_FIXTURES } from './helpers/fixtures.js';

const ROOT = join(import.meta.dirname, '..');
const generated = generateFiles(ROOT, RULES);

describe('generated files', () => {
  it('are current (run npm run generate)', () => {
    expect(staleFiles(ROOT, generated), 'stale generated files: run npm run generate').toEqual([]);
  });

  it('npm run generate -- --check agrees', () => {
    const r = spawnSync(process.execPath, ['scripts/generate.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('give every rule a doc page, and the index and README link each of them', () => {
    const index = generated.get(`${RULE_DOCS_DIR}/README.md`)!;
    const readme = generated.get('README.md')!;
    for (const { meta } of RULES) {
      expect(generated.has(`${RULE_DOCS_DIR}/${meta.id}.md`), meta.id).toBe(true);
      expect(index).toContain(`[${meta.id}](${meta.id}.md)`);
      expect(readme).toContain(`[${meta.id}](docs/rules/${meta.id}.md)`);
    }
  });

  it('make every diagnostic docs link resolve to a file in the repository', () => {
    for (const { meta } of RULES) {
      const path = /\/blob\/main\/(.*)$/.exec(docsUrl(meta.id))![1]!;
      expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });

  it('have no dead relative links in the docs', () => {
    const pages = [...generated, ['docs/configuration.md', readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8')] as const];
    for (const [path, text] of pages) {
      if (!path.startsWith('docs/')) continue;
      for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)#]+)\)/g)) {
        expect(existsSync(resolve(ROOT, dirname(path), target!)), `${path} -> ${target}`).toBe(true);
      }
    }
  });
});

describe('rule docs', () => {
  for (const { meta } of RULES) {
    const doc = generated.get(`${RULE_DOCS_DIR}/${meta.id}.md`)!;
    it(`${meta.id}: has the sections a reader needs`, () => {
      for (const heading of ['## What it checks', '## Why it matters', '## Examples', '## Options', '## Suppressing a finding']) expect(doc).toContain(heading);
      expect(doc).toContain(`| ${meta.defaultSeverity} | ${meta.category} |`);
      expect(doc).toContain(meta.docs.what);
      expect(doc).toContain(meta.docs.why);
      if (meta.docs.notes) expect(doc).toContain(meta.docs.notes);
    });

    it(`${meta.id}: embeds the fixtures' real output, which is their expected.txt`, () => {
      const examples = ruleExamples(RULE_FIXTURES, meta.id, RULES);
      expect(examples.some((e) => e.fires)).toBe(true);
      expect(examples.some((e) => !e.fires)).toBe(true);
      for (const e of examples) {
        const expected = readFileSync(join(RULE_FIXTURES, meta.id, e.name, 'expected.txt'), 'utf8');
        expect(e.output, e.name).toBe(expected);
        if (e.fires) expect(doc).toContain(e.output.trimEnd());
        else expect(e.output).toBe('');
      }
    });

    it(`${meta.id}: excerpts are the fixture's own lines, and show each line a finding names`, () => {
      for (const e of ruleExamples(RULE_FIXTURES, meta.id, RULES)) {
        for (const x of e.excerpts) {
          const file = readFileSync(join(RULE_FIXTURES, meta.id, e.name, x.file), 'utf8').split('\n');
          expect(x.text).toBe(file.slice(x.firstLine - 1, x.lastLine).join('\n'));
          expect(doc).toContain(x.text);
        }
        if (!e.fires) continue;
        for (const [, file, line] of e.output.matchAll(/^(?: {2}related )?([^\s:]+):(\d+):\d+ /gm)) {
          const lineCount = readFileSync(join(RULE_FIXTURES, meta.id, e.name, file!), 'utf8').replace(/\n$/, '').split('\n').length;
          const shown = Math.min(Number(line), lineCount);
          // A blank line at the edge of a window is trimmed; the ones around it are shown.
          expect(e.excerpts.some((x) => x.file === file && x.firstLine - 1 <= shown && shown <= x.lastLine + 1), `${e.name} ${file}:${line}`).toBe(true);
        }
      }
    });
  }
});

describe('diffLines', () => {
  it('marks the changed, added and removed lines of the second text', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual([]);
    expect(diffLines(['a', 'b', 'c'], ['a', 'X', 'c'])).toEqual([2]);
    expect(diffLines(['a', 'c'], ['a', 'b', 'c'])).toEqual([2]);
    expect(diffLines(['a', 'b', 'c'], ['a', 'c'])).toEqual([2]);
    expect(diffLines(['a', 'b'], ['a'])).toEqual([1]);
  });
});

describe('config schema', () => {
  const schema = JSON.parse(generated.get(SCHEMA_PATH)!) as { $id: string; definitions: { ruleSettings: { propertyNames: { enum: string[] }; properties: Record<string, { description: string }> } } };

  it('has an $id and is a valid draft-07 schema that editors can use', () => {
    expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
    // strictRequired would ask anyOf branches to redeclare properties the object already has.
    const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('names every rule with its description', () => {
    expect(schema.definitions.ruleSettings.propertyNames.enum).toEqual([...RULES.map((r) => r.meta.id), ...RULE_REDIRECTS.map((r) => r.from)]);
    for (const { meta } of RULES) expect(schema.definitions.ruleSettings.properties[meta.id]!.description).toContain(meta.description);
    // A redirected id says what it stands for, so an editor's hover explains an old config.
    for (const r of RULE_REDIRECTS) expect(schema.definitions.ruleSettings.properties[r.from]!.description).toContain(`an alias for ${r.to.join(', ')}`);
  });

  it('the compiled standalone validator agrees with ajv compiling the schema now', () => {
    const fresh = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const samples: unknown[] = [
      {},
      { rules: { 'replica-drift': 'off' } },
      { rules: { 'replica-drift': 'loud' } },
      { rules: { 'no-such-rule': 'off' } },
      { host: { cpus: 0 } },
      { host: { cpus: 4, memory: '8g', instance: 'aws/c5.large' } },
      { capacity: { targetRps: 1000, workerMemory: 1e9 } },
      { sysctl: { profile: 'seed', keys: { 'net.core.somaxconn': { min: 1024 } } } },
      { sysctl: { keys: { x: { min: 'a' } } } },
      { ignore: ['a/'], stacks: ['b/*.yml'] },
      { ignore: 'a/' },
      { overrides: [{ files: ['a/**'], rules: { 'replica-drift': 'off' } }] },
      { overrides: [{ stacks: ['a.yml'], rules: {} }] },
      { overrides: [{ rules: {} }] },
      { overrides: [{ files: ['x'] }] },
      { extra: 1 },
      [],
      'text',
    ];
    for (const s of samples) expect(validateConfig(s), JSON.stringify(s)).toBe(fresh(s));
  });
});

describe('the CLI shows the docs', () => {
  function cli(args: string[]) {
    let stdout = '';
    const io: CliIO = { stdout: (s) => (stdout += s), stderr: () => {}, isTTY: false, env: {}, cwd: ROOT };
    return { code: main(args, io), stdout };
  }

  it('arena-lint rules lists every rule with its severity and description', () => {
    const r = cli(['rules']);
    expect(r.code).toBe(0);
    for (const { meta } of RULES) expect(r.stdout).toMatch(new RegExp(`^${meta.id} +${meta.defaultSeverity} +${meta.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('arena-lint explain prints what, why, configuration, suppression and the docs link', () => {
    for (const { meta } of RULES) {
      const r = cli(['explain', meta.id]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(meta.docs.why.split('\n')[0]!.slice(0, 60));
      expect(r.stdout).toContain(`# arena-lint-disable-next-line ${meta.id} -- reason`);
      expect(r.stdout).toContain(docsUrl(meta.id));
    }
  });
});
