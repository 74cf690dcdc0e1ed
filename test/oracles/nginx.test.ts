import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSourceFile } from '../../src/core/source.js';
import { parseNginx } from '../../src/parsers/nginx.js';
import { nginxLineOf, SYNTAX_CASES } from './nginx-cases.js';
import { CORPUS_DIR, corpusNginxFiles, renderTemplate } from './nginx-corpus.js';
import { isSyntaxMessage, nginxAvailable, nginxTest, runCorpusFile } from './nginx-harness.js';
import { assertProperty } from '../helpers/property.js';

if (!nginxAvailable) console.warn('[oracle] nginx not found: skipping the nginx -t oracle tests (apt-get install nginx)');

describe.skipIf(!nginxAvailable)('nginx -t agrees with the syntax table', () => {
  it.each(SYNTAX_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const verdict = nginxTest({ 'nginx.conf': c.conf }, 'nginx.conf');
    const syntaxError = !verdict.accepted && verdict.message !== undefined && isSyntaxMessage(verdict.message);
    if (c.expect === null) {
      expect(syntaxError, `nginx: ${verdict.message}`).toBe(false);
      if (c.meaningError) expect(verdict.message).toMatch(c.meaningError);
      else expect(verdict, `nginx: ${verdict.message}`).toEqual({ accepted: true });
    } else {
      expect({ message: verdict.message, line: verdict.line }).toEqual(c.expect);
    }
  });
});

/** Our first problem, as the nginx line it stands for and our message. */
function firstProblem(path: string, text: string): { line: number; message: string } | undefined {
  const file = createSourceFile(path, text);
  const problem = parseNginx(file).problems[0];
  return problem && { line: nginxLineOf(file, problem), message: problem.message };
}

const corpus = corpusNginxFiles();
if (corpus.length === 0) console.warn(`[oracle] no nginx corpus at ${CORPUS_DIR}: skipping the corpus oracle test`);

describe.skipIf(!nginxAvailable || corpus.length === 0)('nginx -t agrees on every corpus file', () => {
  it.each(corpus.map((p) => [relative(CORPUS_DIR, p), p] as const))('%s', (name, path) => {
    const text = renderTemplate(readFileSync(path, 'utf8'));
    const run = runCorpusFile(text);
    const ours = firstProblem(name, text);
    if (run.syntaxError) {
      expect(ours?.line).toBe(run.syntaxError.line);
      expect(ours?.message.startsWith(run.syntaxError.message), `ours: ${ours?.message}; nginx: ${run.syntaxError.message}`).toBe(true);
    } else if (run.checkedBefore !== undefined) {
      // nginx stopped on a meaning error it could not get past: only the lines before are known good.
      if (ours) expect(ours.line, ours.message).toBeGreaterThanOrEqual(run.checkedBefore);
    } else {
      expect(ours, `nginx read it all (blanked: ${run.blanked.join('; ')})`).toBeUndefined();
    }
  });
});

/** Pieces of nginx syntax; random sequences of them hit every tokenizer state and error. */
const PIECES = [
  ' ', '\t', '\n', '\n', '\r\n', ';', ';', '{', '{', '}', '}', '#c', '"', "'", '\\', '$', '${uri}', '"x"', "'y'",
  '"a\\"b"', '\\n', '(', ')', '($uri', '=', 'return', '204', 'location', '/', '~', '^/a{2}', 'if', 'map', 'types',
  'geo', 'split_clients', 'upstream', 'server', 'listen', 'proxy_pass', 'http://a', 'keepalive', 'u', 'add_header',
  'X', 'set', '$v', 'root', 'default', '1', 'text/html', 'html', 'limit_except', 'GET', 'deny', 'all',
];

describe.skipIf(!nginxAvailable)('nginx -t agrees on random token soup', () => {
  it('property: gives the same first syntax error, or none, at the top, in http and in a server', () => {
    assertProperty('oracles/nginx-token-soup', 
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), fc.constantFrom(0, 1, 2), (pieces, depth) => {
        const body = pieces.join('');
        const conf = [
          `events {}\n${body}\n`,
          `events {}\nhttp {\n${body}\n}\n`,
          `events {}\nhttp {\nserver {\nlisten 127.0.0.1:8080;\n${body}\n}\n}\n`,
        ][depth]!;
        const verdict = nginxTest({ 'nginx.conf': conf }, 'nginx.conf');
        const ours = firstProblem('nginx.conf', conf);
        let agree: boolean;
        if (verdict.accepted) agree = ours === undefined;
        else if (verdict.message !== undefined && isSyntaxMessage(verdict.message)) {
          agree = ours !== undefined && ours.line === verdict.line && ours.message.startsWith(verdict.message);
        } else {
          // A meaning error stops nginx: only the lines before it are known to be well formed.
          agree = ours === undefined || verdict.line === undefined || ours.line >= verdict.line;
        }
        expect(agree, JSON.stringify({ conf, nginx: verdict, ours })).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
