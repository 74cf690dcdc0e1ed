import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../src/engine/run.js';
import { isJinjaDataTemplate, isJinjaTemplate, jinjaTagAt } from '../../src/parsers/template.js';
import { RULES } from '../../rules/index.js';
import { RULE_FIXTURES } from '../helpers/fixtures.js';
import { TmpStack } from '../helpers/tmp-stack.js';

describe('isJinjaTemplate', () => {
  it('finds block tags, expressions and comments', () => {
    expect(jinjaTagAt('server {\n{% if https | default(false) -%}\n')).toBe(9);
    expect(isJinjaTemplate('    location {{ api_root }}api/v3/ {\n')).toBe(true);
    expect(isJinjaTemplate('server {{ gunicorn_bind }};\n')).toBe(true);
    expect(isJinjaTemplate('{# managed by ansible #}\nserver { listen 80; }\n')).toBe(true);
    expect(isJinjaTemplate('{%- endif %}')).toBe(true);
  });

  it('does not take nginx or envsubst syntax for Jinja', () => {
    expect(isJinjaTemplate('server { listen ${PORT}; location ~ ^/a{2}$ { return 204; } }\n')).toBe(false);
    expect(isJinjaTemplate('server {# main site\n    listen 80;\n}\n')).toBe(false);
    expect(isJinjaTemplate('map $uri $x { default 1; }\nlog_format j escape=json \'{"a":"$uri"}\';\n')).toBe(false);
  });
});

describe('isJinjaDataTemplate (compose and env files)', () => {
  it('takes block tags and Jinja expressions over names for a template', () => {
    expect(isJinjaDataTemplate('services:\n  docs:\n    image: {{ cookiecutter.project_slug }}_local_docs\n')).toBe(true);
    expect(isJinjaDataTemplate("POSTGRES_PASSWORD={{ db_password | default('x') }}\n")).toBe(true);
    expect(isJinjaDataTemplate('services:\n{%- if cookiecutter.use_celery == "y" %}\n')).toBe(true);
  });

  it('keeps Go templates of compose healthchecks and labels', () => {
    expect(isJinjaDataTemplate('test: ["CMD", "docker", "inspect", "-f", "{{.State.Health.Status}}"]\n')).toBe(false);
    expect(isJinjaDataTemplate("labels:\n  - 'x={{ .Name }}'\n  - 'y={{json .Config}}'\n  - 'z={{ $v }}'\n")).toBe(false);
  });

  it('never takes a rendered-later compose file for a broken stack', () => {
    const stack = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
    try {
      stack.write('docs/docker-compose.docs.yml', 'services:\n  docs:\n    image: {{ cookiecutter.project_slug }}_local_docs\n');
      const run = check({ dir: stack.dir, rules: RULES });
      expect(run.result.stacks.map((s) => s.name)).toEqual(['docker-compose.yml']);
      expect(run.result.findings.filter((f) => f.ruleId === 'parse-error')).toEqual([]);
    } finally {
      stack.remove();
    }
  });
});

describe('a Jinja template beside the nginx config', () => {
  const stack = new TmpStack(join(RULE_FIXTURES, 'upstream-missing-replica', 'valid-all-listed'));
  afterAll(() => stack.remove());

  it('is not read as nginx: nothing arena-lint models renders it', () => {
    stack.edit('docker-compose.yml', './nginx/default.conf:/etc/nginx/conf.d/default.conf:ro', './nginx:/etc/nginx/conf.d:ro');
    // Both are included by the image's conf.d/*.conf; only the plain one is read as nginx.
    stack.write('nginx/site.conf', 'server {\n    listen 8080;\n{% if tls %}\n    listen 443 ssl;\n{% endif %}\n}\n');
    stack.write('nginx/broken.conf', 'server {\n    listen 8080\n}\n');
    // A file no container loads (conf.d/*.conf does not match .tpl) is not read at all.
    stack.write('nginx/unloaded.conf.tpl', 'server {\n    listen 8080\n}\n');
    const parseErrors = check({ dir: stack.dir, rules: RULES }).result.findings.filter((f) => f.ruleId === 'parse-error').map((f) => f.span.file);
    expect(parseErrors).toEqual(['nginx/broken.conf']);
  });
});
