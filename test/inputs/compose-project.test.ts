import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { positionAt } from '../../src/core/source.js';
import type { Span, Value } from '../../src/core/value.js';
import { check } from '../../src/engine/run.js';
import { discoverProjects } from '../../src/inputs/compose-discovery.js';
import { loadComposeProject } from '../../src/inputs/compose-project.js';
import { Workspace } from '../../src/workspace/workspace.js';
import { RULES } from '../../rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

// What a compose project means, for what docker-compose v1.29 (the oracle in
// test/oracles/compose-config.test.ts) cannot say: include:, !reset/!override, and how projects are
// discovered (default files, COMPOSE_FILE, -f lists in scripts, fragments, config stacks).

const P = join(FIXTURES, 'compose-projects');
const val = <T>(v: Value<T> | undefined) => (v?.kind === 'known' ? v.value : v?.kind);
const words = (c: { words: readonly { value: Value<string> }[] } | undefined) => c?.words.map((w) => val(w.value));

function load(dir: string, files?: string[]) {
  const ws = new Workspace(join(P, dir));
  const spec = files ? { files, origin: { kind: 'config' as const } } : discoverProjects(ws)[0]!;
  const project = loadComposeProject(ws, spec);
  const where = (span: Span) => {
    const f = ws.read(span.file)!;
    return `${span.file}:${positionAt(f, span.start).line}`;
  };
  const svc = (name: string) => project.compose.services.find((s) => s.name === name)!;
  return { ws, project, where, svc };
}

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'arena-project-'));
  tmpDirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('compose project merging', () => {
  it('merges the override file onto the default file, each value keeping the line it came from', () => {
    const { project, where, svc } = load('override');
    expect(project.spec.files).toEqual(['docker-compose.yml', 'docker-compose.override.yml']);
    expect(project.compose.path).toBe('docker-compose.yml');
    const web = svc('web');
    // command is replaced, not appended.
    expect(words(web.command)).toEqual(['gunicorn', 'app.wsgi', '--workers', '4', '--reload']);
    expect(where(web.command!.span)).toBe('docker-compose.override.yml:3');
    // environment merges by key: DEBUG from the override, DATABASE_URL from the base.
    const env = Object.fromEntries(web.environment.map((e) => [e.key, [val(e.value), where(e.value.span)]]));
    expect(env).toEqual({
      DEBUG: ['1', 'docker-compose.override.yml:5'],
      DATABASE_URL: ['postgres://db/app', 'docker-compose.yml:7'],
      EXTRA: ['yes', 'docker-compose.override.yml:6'],
    });
    // volumes merge by target: ./app-dev replaces ./app at /srv/app; ports are appended.
    expect(web.volumes.map((v) => `${v.source}:${v.target}`)).toEqual(['./app-dev:/srv/app', 'static:/srv/static']);
    expect(where(web.volumes[0]!.span)).toBe('docker-compose.override.yml:10');
    expect(web.ports.map((p) => val(p.value))).toEqual(['8000:8000', '5678:5678']);
    expect(val(web.replicas)).toBe(3);
    expect(where(web.replicas!.span)).toBe('docker-compose.override.yml:12');
    // list-form environment merges by key too.
    expect(svc('db').environment.map((e) => `${e.key}=${val(e.value)}`)).toEqual(['POSTGRES_DB=app', 'POSTGRES_PASSWORD=dev']);
  });

  it('applies !reset and !override (compose 2.24)', () => {
    const { svc } = load('reset');
    const web = svc('web');
    expect(web.ports).toEqual([]);
    expect(web.environment.map((e) => `${e.key}=${val(e.value)}`)).toEqual(['C=3']);
    expect(words(web.command)).toEqual(['gunicorn', 'app.wsgi', '--workers', '2']);
  });

  it('adds the services of an include:, interpolated with the included project\'s .env, its paths relative to its own folder', () => {
    const { project, where, svc } = load('include');
    const db = svc('db');
    // The including file's `db` is merged over the included one (compose 5 behaviour).
    expect(val(db.image)).toBe('postgres:16');
    expect(db.environment.map((e) => e.key)).toEqual(['POSTGRES_DB']);
    expect(words(db.command)).toEqual(['postgres', '-c', 'max_connections=300']);
    expect(where(db.command!.words[2]!.value.span)).toBe('db/compose.yaml:5');
    expect(db.envFiles.map((r) => val(r.path))).toEqual(['./db/db.env']);
    expect(project.composeFiles).toEqual(['docker-compose.yml', 'db/compose.yaml']);
    expect(project.files.map((f) => f.path).sort()).toEqual(['db/.env', 'db/compose.yaml', 'docker-compose.yml']);
  });

  it('resolves extends: from the same file and from another folder, rebasing its relative paths', () => {
    const { svc, where } = load('extends');
    const web = svc('web');
    expect(val(web.build!.context)).toBe('./app');
    expect(web.envFiles.map((r) => val(r.path))).toEqual(['./common/django.env']);
    expect(web.volumes.map((v) => `${v.source}:${v.target}`)).toEqual(['./common/static:/srv/static']);
    expect(web.environment.map((e) => `${e.key}=${val(e.value)}`)).toEqual(['LOG_LEVEL=debug']);
    expect(words(web.command)).toEqual(['gunicorn', 'app.wsgi', '--workers', '3']);
    const tool = svc('tool');
    expect(words(tool.command)).toEqual(['python', 'manage.py', 'check']);
    expect(tool.environment.map((e) => e.key)).toEqual(['TZ', 'TOOL']);
    expect(where(tool.environment[0]!.value.span)).toBe('docker-compose.yml:5');
  });

  it('counts scale: and deploy.replicas, and leaves services of disabled profiles out', () => {
    const { project, svc } = load('scale-profiles');
    expect(val(svc('web').replicas)).toBe(3);
    expect(val(svc('worker').replicas)).toBe(2);
    expect(project.compose.services.map((s) => s.name)).toEqual(['web', 'worker']);
    expect(project.compose.inactive?.map((s) => s.name)).toEqual(['debug']);
  });

  it('reads COMPOSE_FILE, COMPOSE_PROFILES and COMPOSE_PROJECT_NAME from .env', () => {
    const { project, svc } = load('compose-file');
    expect(project.spec.files).toEqual(['base.yml', 'prod.yml']);
    expect(project.spec.origin.kind).toBe('compose-file');
    expect(project.profiles).toEqual(['workers']);
    expect(val(project.projectName)).toBe('shop');
    expect(project.compose.services.map((s) => s.name)).toEqual(['web', 'worker']);
    expect(words(svc('web').command)).toEqual(['gunicorn', 'shop.wsgi', '--workers', '6']);
    expect(val(svc('web').replicas)).toBe(2);
  });
});

describe('compose project discovery', () => {
  it('takes -f lists from a Makefile; the later file is a fragment, never a stack of its own', () => {
    const specs = discoverProjects(new Workspace(join(P, 'makefile')));
    expect(specs.map((s) => [s.origin.kind, s.files])).toEqual([
      ['default', ['docker-compose.yml']],
      ['script', ['docker-compose.yml', 'docker-compose.prod.yml']],
    ]);
    expect(specs[1]!.origin.via?.file).toBe('Makefile');
  });

  it('never reports an override or an included file as a stack', () => {
    for (const dir of ['override', 'reset', 'include']) {
      const run = check({ dir: join(P, dir), rules: RULES });
      expect(run.result.stacks.map((s) => s.name)).toEqual(['docker-compose.yml']);
    }
    const run = check({ dir: join(P, 'override'), rules: RULES });
    expect(run.result.stacks[0]!.files).toEqual(['docker-compose.override.yml', 'docker-compose.yml', 'web.env']);
  });

  it('merges a fragment that cannot run alone onto the default file beside it; a standalone file stays its own stack', () => {
    const dir = repo({
      'docker-compose.yml': 'services:\n  web:\n    image: app\n',
      'docker-compose.override.dev.yml': 'services:\n  web:\n    command: gunicorn --reload\n',
      'docker-compose.staging.yml': 'services:\n  web:\n    image: app:staging\n',
    });
    expect(discoverProjects(new Workspace(dir)).map((s) => [s.origin.kind, s.files.join(' + ')])).toEqual([
      ['file', 'docker-compose.staging.yml'],
      ['default', 'docker-compose.yml'],
      ['variant', 'docker-compose.yml + docker-compose.override.dev.yml'],
    ]);
  });

  it('never takes an overlay for a project, even with a default name: compose refuses a service with neither image nor build', () => {
    const dir = repo({
      'compose.yaml': 'services:\n  zulip:\n    image: zulip\n  db:\n    image: postgres:16\n',
      // zulip's ci/memory/compose.yaml: passed with -f after the base by CI, only a memory limit.
      'ci/memory/compose.yaml': 'services:\n  zulip:\n    deploy:\n      resources:\n        limits:\n          memory: 4000m\n',
      'ci/memory/low-memory.yaml': 'services:\n  zulip:\n    deploy:\n      resources:\n        limits:\n          memory: 3000m\n',
      // One service complete, one only an overlay: still not runnable alone.
      'ci/certbot/compose.yaml': 'services:\n  zulip:\n    environment:\n      CERTIFICATES: certbot\n  pebble:\n    image: letsencrypt/pebble\n',
      // An include completes the services named beside it.
      'with-include/compose.yaml': 'include:\n  - services.yaml\nservices:\n  web:\n    depends_on: [db]\n',
      'with-include/services.yaml': 'services:\n  web:\n    image: app\n  db:\n    image: postgres:16\n',
    });
    expect(discoverProjects(new Workspace(dir)).map((s) => [s.origin.kind, s.files.join(' + ')])).toEqual([
      ['default', 'compose.yaml'],
      ['default', 'with-include/compose.yaml'],
    ]);
    const run = check({ dir, rules: RULES });
    expect(run.result.stacks.map((s) => s.name)).toEqual(['compose.yaml', 'with-include/compose.yaml']);
    expect(run.result.findings.filter((f) => f.span.file.startsWith('ci/'))).toEqual([]);
  });

  it('takes -f lists from shell scripts and CI files with --profile, ignoring lists built from variables', () => {
    const dir = repo({
      'deploy/compose.yml': 'services:\n  web:\n    image: app\n  worker:\n    image: app\n    profiles: [jobs]\n',
      'deploy/compose.prod.yml': 'services:\n  web:\n    deploy:\n      replicas: 4\n',
      'deploy/up.sh': '#!/bin/sh\nexec docker compose -f compose.yml \\\n  -f compose.prod.yml --profile jobs up -d\ndocker compose -f "$FILE" up\n',
      '.github/workflows/ci.yml': 'jobs:\n  t:\n    steps:\n      - run: docker-compose -f deploy/compose.yml config\n',
    });
    const specs = discoverProjects(new Workspace(dir));
    // The CI line loads the same project as the default files (listed once); the script line adds one.
    expect(specs.map((s) => [s.origin.kind, s.files.join(' + '), s.profiles ?? []])).toEqual([
      ['default', 'deploy/compose.yml', []],
      ['script', 'deploy/compose.yml + deploy/compose.prod.yml', ['jobs']],
    ]);
    const run = check({ dir, rules: RULES });
    const prod = run.stacks.find((s) => s.project.spec.files.length === 2)!;
    expect(prod.name).toBe('deploy/compose.yml');
    expect(prod.services.map((s) => `${s.name}x${val(s.replicas) ?? 1}`)).toEqual(['webx4', 'workerx1']);
  });

  it('declares stacks in the config as ordered files with profiles and env files', () => {
    const dir = repo({
      '.arena-lint.yaml': 'stacks:\n  - files: [ops/base.yaml, ops/live.yaml]\n    profiles: [jobs]\n    env_files: [ops/live.env]\n',
      'ops/base.yaml': 'services:\n  web:\n    image: app\n    command: gunicorn --workers ${W}\n  worker:\n    image: app\n    profiles: [jobs]\n',
      'ops/live.yaml': 'services:\n  web:\n    scale: 2\n',
      'ops/live.env': 'W=5\n',
    });
    const run = check({ dir, rules: RULES });
    expect(run.result.stacks.map((s) => s.name)).toEqual(['ops/base.yaml']);
    const stack = run.stacks[0]!;
    expect(stack.project.spec.origin.kind).toBe('config');
    expect(stack.services.map((s) => s.name)).toEqual(['web', 'worker']);
    expect(words(stack.services[0]!.command)).toEqual(['gunicorn', '--workers', '5']);
    expect(run.result.stacks[0]!.files).toEqual(['ops/base.yaml', 'ops/live.env', 'ops/live.yaml']);
  });

  it('keeps files outside the checked folder out: a ../ include or extends becomes an unknown with its line', () => {
    const outer = repo({ 'secret/compose.yml': 'services:\n  x:\n    image: leak\n' });
    const dir = join(outer, 'repo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-compose.yml'), 'include:\n  - ../secret/compose.yml\nservices:\n  web:\n    image: app\n    extends:\n      file: ../secret/compose.yml\n      service: x\n');
    const ws = new Workspace(dir);
    const project = loadComposeProject(ws, discoverProjects(ws)[0]!);
    expect(project.compose.services.map((s) => `${s.name}:${val(s.image)}`)).toEqual(['web:app']);
    expect(project.unknowns.map((u) => `${u.reason} @${u.span.file}:${positionAt(ws.read(u.span.file)!, u.span.start).line}`)).toEqual([
      'extends file ../secret/compose.yml is outside the checked folder @docker-compose.yml:7',
      'included file ../secret/compose.yml is outside the checked folder @docker-compose.yml:2',
    ]);
  });
});
