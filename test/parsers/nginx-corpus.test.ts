import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import type { Span } from '../../src/core/value.js';
import { parseNginx, walkNginx } from '../../src/parsers/nginx.js';
import { jinjaTagAt } from '../../src/parsers/template.js';
import { nginxLineOf } from '../oracles/nginx-cases.js';
import { CORPUS_DIR, corpusNginxFiles } from '../oracles/nginx-corpus.js';

/**
 * The corpus files that are not valid nginx as they stand, each for a reason nginx gives too (the
 * oracle test runs them through `nginx -t`). Jinja templates are not listed: they are not nginx
 * until rendered, arena-lint does not read them as nginx, and what they must satisfy is below.
 */
const EXPECTED_PROBLEMS: Readonly<Record<string, { message: string; line: number; why: string }>> = {
  'Kozimjondev__al_lahm_docker/efcde8f/proxy/default.conf.tpl': {
    message: 'unexpected "}"',
    line: 3,
    why: '`server django_app:8001` in the upstream lacks its `;`',
  },
  'openwisp__docker-openwisp/images/openwisp_nginx/nginx.template.conf': {
    message: 'unexpected "}"',
    line: 17,
    why: '`${NGINX_EVENTS_BLOCK}` stands alone as a directive without `;`; the template relies on the value bringing one',
  },
};

const files = corpusNginxFiles();
if (files.length === 0) console.warn(`[corpus] no corpus at ${CORPUS_DIR}: skipping the nginx corpus test`);

describe.skipIf(files.length === 0)('nginx files of the corpus', () => {
  it('finds the nginx files among the corpus .conf/.tpl/.template files', () => {
    const names = files.map((p) => relative(CORPUS_DIR, p));
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(names).toContain('getsentry__self-hosted/nginx.conf');
    // Same extension, not nginx: supervisor, redis and a gunicorn Python template.
    expect(names.some((n) => /supervisor|redis|gunicorn\.conf/.test(n))).toBe(false);
  });

  it.each(files.map((p) => [relative(CORPUS_DIR, p), p] as const))('%s', (name, path) => {
    const file = createSourceFile(name, readFileSync(path, 'utf8'));
    const { doc, problems, comments } = parseNginx(file);
    const inFile = (s: Span): void => {
      expect(s.file).toBe(name);
      expect(s.start).toBeGreaterThanOrEqual(0);
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.end).toBeLessThanOrEqual(file.text.length);
    };
    let count = 0;
    walkNginx(doc!.directives, (d) => {
      count++;
      for (const s of [d.span, d.nameSpan, ...d.args.map((a) => a.span), ...(d.blockSpan ? [d.blockSpan] : [])]) inFile(s);
      for (const a of d.args) expect(file.text.slice(a.span.start, a.span.end)).toBe(a.raw);
    });
    for (const x of [...problems, ...comments]) inFile(x.span);
    expect(count).toBeGreaterThan(0);

    const expected = EXPECTED_PROBLEMS[name];
    const first = problems[0];
    if (first) console.info(`[corpus] ${name}:${nginxLineOf(file, first)}: ${first.message}`);
    const jinja = jinjaTagAt(file.text);
    if (jinja >= 0) {
      // Unrendered Jinja: the lines before its first tag are plain nginx and must read cleanly; from
      // the tag's line on, the text is not nginx yet, so a problem there is the template's, not ours.
      expect(expected, 'a Jinja template needs no expected problem').toBeUndefined();
      const tagLine = file.text.slice(0, jinja).split('\n').length;
      if (first) expect(nginxLineOf(file, first), `${first.message} before the first Jinja tag (line ${tagLine})`).toBeGreaterThanOrEqual(tagLine);
    } else if (expected) {
      expect(first?.message.startsWith(expected.message), `${first?.message} (${expected.why})`).toBe(true);
      expect(nginxLineOf(file, first!)).toBe(expected.line);
    } else {
      expect(problems).toEqual([]);
    }
  });
});
