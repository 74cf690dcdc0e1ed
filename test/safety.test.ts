import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { positionAt } from '../src/core/source.js';
import { check } from '../src/engine/run.js';
import { Workspace } from '../src/workspace/workspace.js';
import { RULES } from '../rules/index.js';

// Nothing outside the checked folder is ever read, whatever a COPY, mount, include, env_file, `-f`
// path or symlink says: such a path becomes an unknown with its line.

const SECRET = 'TOP-SECRET-OUTSIDE-THE-REPO';
const outer = mkdtempSync(join(tmpdir(), 'arena-safety-'));
afterAll(() => rmSync(outer, { recursive: true, force: true }));
const write = (p: string, text: string) => {
  mkdirSync(dirname(join(outer, p)), { recursive: true });
  writeFileSync(join(outer, p), text);
};
write('outside/secret.env', `PASSWORD=${SECRET}\n`);
write('outside/compose.yml', `services:\n  leak:\n    image: ${SECRET}\n`);
write('outside/nginx.conf', `upstream x { server ${SECRET}:80; }\n`);
write('outside/Dockerfile', `FROM ${SECRET}\n`);
const repo = join(outer, 'repo');
write('repo/docker-compose.yml', [
  'include:',
  '  - ../outside/compose.yml',
  'services:',
  '  web:',
  '    build: ../outside',
  '    command: gunicorn app.wsgi --workers 2',
  '    env_file: ../outside/secret.env',
  '  nginx:',
  '    image: nginx:1.27',
  '    volumes:',
  '      - ../outside/nginx.conf:/etc/nginx/conf.d/default.conf:ro',
  '      - ./nginx:/etc/nginx/conf.d/extra:ro',
  '    env_file: linked.env',
  '',
].join('\n'));
write('repo/Makefile', 'up:\n\tdocker compose -f docker-compose.yml -f ../outside/compose.yml up\n');
mkdirSync(join(repo, 'nginx'));
// Symlinks inside the repository that point out of it: a file and a folder.
symlinkSync(join(outer, 'outside', 'nginx.conf'), join(repo, 'nginx', 'linked.conf'));
symlinkSync(join(outer, 'outside', 'secret.env'), join(repo, 'linked.env'));
symlinkSync(join(outer, 'outside'), join(repo, 'outside-dir'));

describe('never reading outside the checked folder', () => {
  const run = check({ dir: repo, rules: RULES });

  it('reads no file outside the folder, through ../ paths or symlinks', () => {
    for (const f of run.result.sources.all()) {
      expect(f.path.startsWith('..'), f.path).toBe(false);
      expect(f.text.includes(SECRET), `${f.path} holds text from outside`).toBe(false);
    }
    for (const s of run.result.stacks) for (const f of s.files) expect(f.startsWith('..') || f.startsWith('/'), f).toBe(false);
    expect(JSON.stringify(run.result.findings)).not.toContain(SECRET);
    for (const stack of run.stacks) expect(stack.services.map((s) => s.name)).not.toContain('leak');
  });

  it('takes no -f list that leaves the folder', () => {
    expect(run.stacks.map((s) => s.project.spec.files)).toEqual([['docker-compose.yml']]);
  });

  it('records each refused path as an unknown with its line', () => {
    const stack = run.stacks[0]!;
    const compose = stack.sources.get('docker-compose.yml')!;
    const lines = stack.unknowns.map((u) => `${positionAt(compose, u.span.start).line}: ${u.reason}`);
    expect(lines).toContain('2: included file ../outside/compose.yml is outside the checked folder');
    expect(lines).toContain('7: ../outside/secret.env is outside the checked folder and is not read');
    expect(lines.some((l) => l.startsWith('5: ') && /outside the checked folder/.test(l))).toBe(true);
  });

  it('treats a symlink out of the folder as missing', () => {
    const ws = new Workspace(repo);
    expect(ws.read('linked.env')).toBeUndefined();
    expect(ws.exists('nginx/linked.conf')).toBe(false);
    expect(ws.isDir('outside-dir')).toBe(false);
    expect(ws.read('outside-dir/secret.env')).toBeUndefined();
    expect(ws.read('../outside/secret.env')).toBeUndefined();
    expect(ws.read('nginx/../../outside/secret.env')).toBeUndefined();
    expect(ws.read('docker-compose.yml')?.text).toContain('services:');
  });
});
