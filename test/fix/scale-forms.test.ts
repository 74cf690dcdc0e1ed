import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../src/cli.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'arena-scale-forms-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

function stack(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpRoot, 's-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), isTTY: false, env: {}, cwd };
  return { code: main(args, io), stdout, stderr };
}

const NGINX = 'upstream app {\r\n    server app-1:8000 max_fails=3;\r\n    server app-2:8000 max_fails=3;\r\n}\r\nserver {\r\n    listen 80;\r\n    location / {\r\n        proxy_pass http://app;\r\n    }\r\n}\r\n';

describe('scale keeps the way the file writes its replicas', () => {
  it('anchors and merge keys, hostname and per-replica values, CRLF nginx; back again byte for byte', () => {
    const compose = [
      'x-app: &app',
      '  build: .',
      '  command: gunicorn --bind 0.0.0.0:8000 --workers 2 mysite.wsgi',
      '',
      'services:',
      '  app-1:',
      '    <<: *app',
      '    hostname: app-1',
      '    environment:',
      '      NODE_ID: "app1"   # per replica',
      '  app-2:',
      '    <<: *app',
      '    hostname: app-2',
      '    environment:',
      '      NODE_ID: "app2"   # per replica',
      '  nginx:',
      '    image: nginx:1.27',
      '    volumes:',
      '      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro',
      '    depends_on: [app-1, app-2]',
      '',
    ].join('\n');
    const dir = stack({ 'docker-compose.yml': compose, 'nginx.conf': NGINX });
    const r = cli(['scale', 'app', '--replicas', '4', '--workers', '3'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    expect(out).toContain('  app-4:\n    <<: *app\n    hostname: app-4\n    environment:\n      NODE_ID: "app4"   # per replica\n  nginx:');
    expect(out).toContain('    depends_on: [app-1, app-2, app-3, app-4]\n');
    // The workers come from the anchor, so the one line there is edited.
    expect(out).toContain('  command: gunicorn --bind 0.0.0.0:8000 --workers 3 mysite.wsgi\n');
    expect(out.match(/--workers/g)).toHaveLength(1);
    expect(readFileSync(join(dir, 'nginx.conf'), 'utf8')).toBe(NGINX.replace('    server app-2:8000 max_fails=3;\r\n', '    server app-2:8000 max_fails=3;\r\n    server app-3:8000 max_fails=3;\r\n    server app-4:8000 max_fails=3;\r\n'));
    expect(cli(['scale', 'app', '--replicas', '2', '--workers', '2'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(compose);
    expect(readFileSync(join(dir, 'nginx.conf'), 'utf8')).toBe(NGINX);
  });

  it('deploy.replicas changes the number', () => {
    const compose = 'services:\n  web:\n    build: .\n    command: gunicorn --bind 0.0.0.0:8000 mysite.wsgi\n    deploy:\n      replicas: 2  # two for now\n';
    const dir = stack({ 'docker-compose.yml': compose });
    const r = cli(['scale', 'web', '--replicas', '6', '--threads', '4'], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe('services:\n  web:\n    build: .\n    command: gunicorn --threads 4 --bind 0.0.0.0:8000 mysite.wsgi\n    deploy:\n      replicas: 6  # two for now\n');
  });

  it('refuses replicas that differ in more than their number', () => {
    const compose = 'services:\n  web-1:\n    image: app\n    mem_limit: 1g\n  web-2:\n    image: app\n    mem_limit: 2g\n';
    const dir = stack({ 'docker-compose.yml': compose });
    const r = cli(['scale', 'web', '--replicas', '3'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('arena-lint: web-1 and web-2 differ in a way that is not their number:\n      mem_limit: 1g\n      mem_limit: 2g\nso web-3 cannot be written the way they are; align them first\n');
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toBe(compose);
  });

  it('--diff masks a secret the copied replicas hold', () => {
    const secret = 'Zx9qL2vT7mW4pR8kD3';
    const replica = (n: number) => `  web-${n}:\n    image: app\n    environment:\n      DJANGO_SECRET_KEY: "${secret}"\n      CONTAINER_NAME: web-${n}\n`;
    const dir = stack({ 'docker-compose.yml': `services:\n${replica(1)}${replica(2)}` });
    const r = cli(['scale', 'web', '--replicas', '3', '--diff'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+      CONTAINER_NAME: web-3\n');
    expect(r.stdout).toContain(`+      DJANGO_SECRET_KEY: "${'*'.repeat(secret.length)}"\n`);
    expect(r.stdout).not.toContain(secret);
  });
});
