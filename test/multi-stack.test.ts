import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, runFixture } from './helpers/fixtures.js';
import { TmpStack } from './helpers/tmp-stack.js';
import { toLocated } from '../src/reporters/locate.js';

// A repository with two stacks, anchors and merge keys, ${VAR} from .env, an nginx template rendered by the
// image's entrypoint, and an include through a bind-mounted folder. One edit must be reported at its line.
const FIXTURE = join(FIXTURES, 'multi-stack');
let stack: TmpStack | undefined;
afterEach(() => stack?.remove());

function findings(dir: string) {
  const r = runFixture(dir);
  return r.findings.map((f) => ({ ...toLocated(r, f), ruleId: f.ruleId, message: f.message, stack: f.stack }));
}

describe('multi-stack repository', () => {
  it('is clean as committed and reads both stacks with every file', () => {
    const r = runFixture(FIXTURE);
    expect(r.findings).toEqual([]);
    expect(r.stacks.map((s) => s.name)).toEqual(['docker-compose.dev.yml', 'docker-compose.yml']);
    const prod = r.stacks.find((s) => s.name === 'docker-compose.yml')!;
    expect(prod.files).toContain('deploy/nginx/templates/default.conf.template');
    expect(prod.files).toContain('deploy/nginx/snippets/proxy.conf');
    expect(prod.files).toContain('.env');
  });

  it('reports a server missing from the upstream at the upstream in the template', () => {
    stack = new TmpStack(FIXTURE);
    stack.edit('deploy/nginx/templates/default.conf.template', '    server web-3:8000 max_fails=3;\n', '');
    const fs = findings(stack.dir).filter((f) => f.ruleId === 'upstream-missing-replica');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({
      file: 'deploy/nginx/templates/default.conf.template',
      line: stack.lineOf('deploy/nginx/templates/default.conf.template', 'server web-2:8000'),
      stack: 'docker-compose.yml',
    });
    expect(fs[0]!.message).toBe(`upstream shop_app lists 2 of 3 web replicas; web-3 is missing (docker-compose.yml:${stack.lineOf('docker-compose.yml', '  web-3:')})`);
  });

  it('reports a depends_on entry removed from nginx at the depends_on list', () => {
    stack = new TmpStack(FIXTURE);
    stack.edit('docker-compose.yml', '      - web-2\n      - web-3\n', '      - web-3\n');
    const fs = findings(stack.dir).filter((f) => f.ruleId === 'depends-on-missing-replica');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ file: 'docker-compose.yml', line: stack.lineOf('docker-compose.yml', '      - web-3') });
    expect(fs[0]!.message).toContain("nginx's depends_on lacks web-2");
  });

  it('reports a port changed through .env at the upstream server, naming the bind it came from', () => {
    stack = new TmpStack(FIXTURE);
    stack.edit('.env', 'WEB_PORT=8000', 'WEB_PORT=8001');
    const fs = findings(stack.dir).filter((f) => f.ruleId === 'upstream-port-mismatch');
    const tpl = 'deploy/nginx/templates/default.conf.template';
    expect(fs.map((f) => f.line)).toEqual(['web-1', 'web-2', 'web-3'].map((h) => stack!.lineOf(tpl, `server ${h}:8000`)));
    expect(fs.every((f) => f.file === 'deploy/nginx/templates/default.conf.template')).toBe(true);
    expect(fs[0]!.message).toBe(`upstream shop_app connects to web-1 on port 8000, but its app server listens on 8001 (docker-compose.yml:${stack.lineOf('docker-compose.yml', '--bind')})`);
  });

  it('reports a replica whose merged command was overridden, at the override', () => {
    stack = new TmpStack(FIXTURE);
    stack.edit('docker-compose.yml', '  web-3:\n    <<: *web\n', '  web-3:\n    <<: *web\n    command: gunicorn shop.wsgi:application --bind 0.0.0.0:8000 --workers 2 --threads 2 --timeout 60\n');
    const fs = findings(stack.dir).filter((f) => f.ruleId === 'replica-drift');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ file: 'docker-compose.yml', line: stack.lineOf('docker-compose.yml', '--workers 2') });
    expect(fs[0]!.message).toContain('--workers 2 (others: 4)');
  });

  it('keeps checking the other stack when one file is broken', () => {
    stack = new TmpStack(FIXTURE);
    stack.edit('deploy/nginx/templates/default.conf.template', '        proxy_pass http://shop_app;\n    }\n}\n', '        proxy_pass http://shop_app;\n    }\n');
    stack.edit('deploy/nginx/dev/default.conf', 'http://web:8000', 'http://wbe:8000');
    const fs = findings(stack.dir);
    expect(fs.find((f) => f.ruleId === 'parse-error')).toMatchObject({ file: 'deploy/nginx/templates/default.conf.template' });
    expect(fs.find((f) => f.ruleId === 'proxy-pass-unknown-upstream')).toMatchObject({ file: 'deploy/nginx/dev/default.conf', line: 4 });
  });
});
