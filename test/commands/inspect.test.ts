import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';
import type { InspectReport } from '../../src/stack/inspect.js';
import { FIXTURES } from '../helpers/fixtures.js';

function cli(args: string[], cwd = FIXTURES) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  const code = main(args, io);
  return { code, stdout, stderr };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'arena-inspect-'));
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

// A repository written the way many teams write it: an override file, a Dockerfile that COPYs the
// app and an entrypoint script that execs gunicorn with a gunicorn.conf.py.
const TEAM = {
  'docker-compose.yml': 'services:\n  web:\n    build: .\n    environment:\n      DJANGO_SETTINGS_MODULE: shop.settings\n  worker:\n    build: .\n    command: celery -A shop worker\n    profiles: [jobs]\n',
  'docker-compose.override.yml': 'services:\n  web:\n    deploy:\n      replicas: 4\n',
  Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nENTRYPOINT ["/app/entrypoint.sh"]\n',
  'entrypoint.sh': '#!/bin/sh\nset -e\nexec gunicorn -c gunicorn.conf.py shop.wsgi\n',
  'gunicorn.conf.py': 'workers = 6\nthreads = 3\nworker_class = "gthread"\nbind = "0.0.0.0:8000"\n',
  'shop/__init__.py': '',
  'shop/wsgi.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\n',
  'shop/settings.py': 'DEBUG = False\n',
};

describe('arena-lint inspect', () => {
  it('prints, as JSON, the project, each service\'s files with their origin, its process and why, its app server and settings', () => {
    const dir = repo(TEAM);
    const r = cli(['inspect', dir, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    expect(report.version).toBe(1);
    expect(report.stacks.map((s) => s.name)).toEqual(['docker-compose.yml']);
    const stack = report.stacks[0]!;
    expect(stack.project).toMatchObject({ origin: 'default', files: ['docker-compose.yml', 'docker-compose.override.yml'], profiles: [] });
    expect(stack.inactiveServices).toEqual([{ name: 'worker', profiles: ['jobs'] }]);
    const web = stack.services.find((s) => s.name === 'web')!;
    expect(web.replicas).toEqual({ value: 4, source: 'docker-compose.override.yml:4' });
    expect(web.image).toEqual({ value: 'python:3.12-slim', source: 'Dockerfile:1' });
    expect(web.files).toContainEqual({ path: '/app/gunicorn.conf.py', hostPath: 'gunicorn.conf.py', origin: 'copy', via: 'Dockerfile:3' });
    expect(web.files).toContainEqual({ path: '/app/shop/settings.py', hostPath: 'shop/settings.py', origin: 'copy', via: 'Dockerfile:3' });
    expect(web.process?.argv).toEqual(['gunicorn', '-c', 'gunicorn.conf.py', 'shop.wsgi']);
    expect(web.process?.at).toBe('entrypoint.sh:3');
    expect(web.process?.workingDir).toEqual({ value: '/app', source: 'Dockerfile:2' });
    expect(web.process?.steps.map((s) => s.at)).toEqual(expect.arrayContaining(['Dockerfile:4', 'entrypoint.sh:3']));
    expect(web.appServer).toMatchObject({
      kind: 'gunicorn',
      processes: { value: 6, source: 'gunicorn.conf.py:1' },
      threads: { value: 3, source: 'gunicorn.conf.py:2' },
      workerClass: { value: 'gthread', source: 'gunicorn.conf.py:3' },
      bind: { value: '0.0.0.0:8000', source: 'gunicorn.conf.py:4' },
    });
    expect(web.django).toMatchObject({ settingsModule: { value: 'shop.settings', source: 'docker-compose.yml:5' }, settingsFile: 'shop/settings.py' });
    expect(stack.files).toEqual(expect.arrayContaining(['Dockerfile', 'docker-compose.override.yml', 'docker-compose.yml', 'entrypoint.sh', 'gunicorn.conf.py']));
  });

  it('says what stayed unknown and why, with the line', () => {
    const dir = repo({ 'docker-compose.yml': 'services:\n  web:\n    image: shop/web:1\n    env_file: ../outside.env\n' });
    const report = JSON.parse(cli(['inspect', dir, '-f', 'json']).stdout) as InspectReport;
    const web = report.stacks[0]!.services[0]!;
    expect(web.process).toBeNull();
    expect(web.unknowns.map((u) => `${u.what} @${u.at}`)).toContain('process @docker-compose.yml:2');
    expect(report.stacks[0]!.unknowns).toContainEqual({ what: 'env_file of web', reason: '../outside.env is outside the checked folder and is not read', at: 'docker-compose.yml:4' });
  });

  it('prints text by default, and refuses an unknown format or a folder without a stack', () => {
    const dir = repo(TEAM);
    const text = cli(['inspect', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('stack docker-compose.yml\n  project: docker-compose.yml + docker-compose.override.yml (default)');
    expect(text.stdout).toContain('    replicas: 4 (docker-compose.override.yml:4)');
    expect(text.stdout).toContain('      /app/gunicorn.conf.py <- gunicorn.conf.py [copy at Dockerfile:3]');
    expect(cli(['inspect', dir, '--format', 'yaml']).code).toBe(2);
    expect(cli(['inspect', repo({ 'README.md': 'no stack\n' })]).code).toBe(2);
  });
});
