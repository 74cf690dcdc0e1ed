import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSourceFile, positionAt, type SourceFile } from '../../src/core/source.js';
import type { Span } from '../../src/core/value.js';
import { parseNginx, walkNginx, type NginxDirective } from '../../src/parsers/nginx.js';
import { nginxLineOf, SYNTAX_CASES } from '../oracles/nginx-cases.js';
import { assertProperty } from '../helpers/property.js';

function parse(text: string) {
  const file = createSourceFile('nginx/nginx.conf', text);
  const result = parseNginx(file);
  return { file, ...result, dirs: result.doc!.directives };
}

/** `line:col-line:col` of a span, so expectations read like editor positions. */
function at(file: SourceFile, span: Span | undefined): string {
  if (!span) return 'none';
  const a = positionAt(file, span.start);
  const b = positionAt(file, span.end);
  return `${a.line}:${a.column}-${b.line}:${b.column}`;
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

describe('directives and arguments', () => {
  it('positions the name, each argument and the whole directive up to its ;', () => {
    const { file, dirs, problems } = parse('worker_processes 4;\n  listen  127.0.0.1:80 default_server;\n');
    expect(problems).toEqual([]);
    const [wp, listen] = dirs as [NginxDirective, NginxDirective];
    expect(wp.name).toBe('worker_processes');
    expect(at(file, wp.nameSpan)).toBe('1:1-1:17');
    expect(at(file, wp.span)).toBe('1:1-1:20');
    expect(wp.args.map((a) => [a.value, at(file, a.span)])).toEqual([['4', '1:18-1:19']]);
    expect(listen.args.map((a) => [a.value, a.raw, a.quote, at(file, a.span)])).toEqual([
      ['127.0.0.1:80', '127.0.0.1:80', null, '2:11-2:23'],
      ['default_server', 'default_server', null, '2:24-2:38'],
    ]);
    expect(at(file, listen.span)).toBe('2:3-2:39');
    expect(listen.block).toBeUndefined();
  });

  it('takes ; and { straight after a word as its end', () => {
    const { dirs } = parse('a b;c{d;}');
    expect(dirs.map((d) => [d.name, d.args.map((x) => x.value), d.block?.map((c) => c.name)])).toEqual([
      ['a', ['b'], undefined],
      ['c', [], ['d']],
    ]);
  });

  it('keeps } inside an unquoted word, as nginx does', () => {
    const { dirs, problems } = parse('return 200 a}b;');
    expect(problems).toEqual([]);
    expect(only(dirs).args.map((a) => a.value)).toEqual(['200', 'a}b']);
  });

  it('reads a quoted name like any other word', () => {
    const { file, dirs } = parse('"add_header" X-A b;');
    expect(only(dirs).name).toBe('add_header');
    expect(at(file, only(dirs).nameSpan)).toBe('1:1-1:13');
  });
});

describe('quotes and escapes', () => {
  it('strips quotes from the value and keeps them in raw and the span', () => {
    const { file, dirs } = parse(`add_header X "a b;{}" 'c d';`);
    const [, dq, sq] = only(dirs).args as [unknown, { value: string; raw: string; quote: string | null; span: Span }, { value: string; raw: string; quote: string | null; span: Span }];
    expect([dq.value, dq.raw, dq.quote, at(file, dq.span)]).toEqual(['a b;{}', '"a b;{}"', '"', '1:14-1:22']);
    expect([sq.value, sq.raw, sq.quote, at(file, sq.span)]).toEqual(['c d', "'c d'", "'", '1:23-1:28']);
  });

  it('resolves \\" \\\' \\\\ \\t \\r \\n and keeps any other backslash', () => {
    const { dirs, problems } = parse(String.raw`x "a\"b" 'c\'d' e\\f "\t\r\n" \.(png)$ a\ b\;c;`);
    expect(problems).toEqual([]);
    // `\ ` and `\;` only keep the space and `;` in the word; the backslash stays in the value.
    expect(only(dirs).args.map((a) => a.value)).toEqual(['a"b', "c'd", 'e\\f', '\t\r\n', '\\.(png)$', 'a\\ b\\;c']);
    expect(only(dirs).args[4]!.raw).toBe(String.raw`\.(png)$`);
  });

  it('lets a quoted word span lines', () => {
    const { file, dirs } = parse('return 200 "line1\nline2";');
    expect(only(dirs).args[1]!.value).toBe('line1\nline2');
    expect(at(file, only(dirs).args[1]!.span)).toBe('1:12-2:7');
    expect(at(file, only(dirs).span)).toBe('1:1-2:8');
  });

  it('accepts ) right after a closing quote, as in if ($a = "b")', () => {
    const { dirs, problems } = parse('if ($http_x = "y") { return 403; }');
    expect(problems).toEqual([]);
    const d = only(dirs);
    expect(d.args.map((a) => a.raw)).toEqual(['($http_x', '=', '"y"', ')']);
    expect(d.block!.map((c) => c.name)).toEqual(['return']);
  });

  it('treats a quote inside an unquoted word as a plain character', () => {
    const { dirs, problems } = parse('x a"b c";');
    expect(problems).toEqual([]);
    expect(only(dirs).args.map((a) => [a.value, a.quote])).toEqual([['a"b', null], ['c"', null]]);
  });
});

describe('variables and templates', () => {
  it('keeps ${VAR} (envsubst templates) in one word', () => {
    const { file, dirs, problems } = parse('listen ${LISTEN_PORT};\nproxy_pass http://${APP_HOST}:${APP_PORT};\n');
    expect(problems).toEqual([]);
    expect(dirs.map((d) => d.args[0]!.value)).toEqual(['${LISTEN_PORT}', 'http://${APP_HOST}:${APP_PORT}']);
    expect(at(file, dirs[0]!.args[0]!.span)).toBe('1:8-1:22');
    expect(at(file, dirs[1]!.args[0]!.span)).toBe('2:12-2:42');
  });

  it('ends a word at a { that does not follow $', () => {
    const { dirs } = parse('location ~ ^/a$ {}');
    expect(only(dirs).args.map((a) => a.value)).toEqual(['~', '^/a$']);
    expect(only(dirs).block).toEqual([]);
  });
});

describe('blocks', () => {
  it('nests blocks with spans from the name to } and from { to }', () => {
    const text = 'http {\n    server {\n        listen 80;\n    }\n}\n';
    const { file, dirs, problems } = parse(text);
    expect(problems).toEqual([]);
    const httpD = only(dirs);
    const serverD = only(httpD.block!);
    expect(at(file, httpD.span)).toBe('1:1-5:2');
    expect(at(file, httpD.blockSpan)).toBe('1:6-5:2');
    expect(at(file, serverD.span)).toBe('2:5-4:6');
    expect(at(file, serverD.blockSpan)).toBe('2:12-4:6');
    expect(at(file, only(serverD.block!).span)).toBe('3:9-3:19');
  });

  it('parses regex locations, quoted regexes with { } ;, and Allman braces', () => {
    const { dirs, problems } = parse(
      'location ~* \\.(png|jpg)$ { expires 30d; }\nlocation ~ "^/a{2};}$" { return 204; }\nlocation /x\n{\n    return 204;\n}\n',
    );
    expect(problems).toEqual([]);
    expect(dirs.map((d) => [d.args.map((a) => a.value), d.block!.length])).toEqual([
      [['~*', '\\.(png|jpg)$'], 1],
      [['~', '^/a{2};}$'], 1],
      [['/x'], 1],
    ]);
  });

  it('parses map, types and if blocks into name/argument lines', () => {
    const { dirs, problems } = parse(
      'map $uri $m {\n    default 0;\n    ~^/a 1;\n    "~^/b{2}" 2;\n}\ntypes { text/html html htm; }\nif ($request_method = POST) { return 405; }\n',
    );
    expect(problems).toEqual([]);
    const [map, types, ifD] = dirs as [NginxDirective, NginxDirective, NginxDirective];
    expect(map.block!.map((d) => [d.name, d.args.map((a) => a.value)])).toEqual([
      ['default', ['0']],
      ['~^/a', ['1']],
      ['~^/b{2}', ['2']],
    ]);
    expect(types.block!.map((d) => [d.name, d.args.map((a) => a.value)])).toEqual([['text/html', ['html', 'htm']]]);
    expect(ifD.args.map((a) => a.value)).toEqual(['($request_method', '=', 'POST)']);
  });
});

describe('comments', () => {
  it('collects comments with their text and the span of the whole comment', () => {
    const { file, comments, dirs } = parse('# top\nlisten 80; # trailing # still\r\n  #indented');
    expect(comments.map((c) => [c.text, at(file, c.span)])).toEqual([
      [' top', '1:1-1:6'],
      [' trailing # still', '2:12-2:30'],
      ['indented', '3:3-3:12'],
    ]);
    expect(only(dirs).name).toBe('listen');
  });

  it('starts a comment only where a word could start', () => {
    const { dirs, comments } = parse('add_header X a#b "c#d";');
    expect(comments).toEqual([]);
    expect(only(dirs).args.map((a) => a.value)).toEqual(['X', 'a#b', 'c#d']);
  });
});

describe('walkNginx', () => {
  it('visits depth-first with ancestors outermost first', () => {
    const { dirs } = parse('http { server { location / { return 204; } } upstream u { server a; } }\nevents {}');
    const seen: string[] = [];
    walkNginx(dirs, (d, ancestors) => seen.push([...ancestors.map((a) => a.name), d.name].join('>')));
    expect(seen).toEqual([
      'http',
      'http>server',
      'http>server>location',
      'http>server>location>return',
      'http>upstream',
      'http>upstream>server',
      'events',
    ]);
  });
});

describe('errors', () => {
  it('reports a } with no block to close, and carries on', () => {
    const { file, problems, dirs } = parse('events {}\n}\nhttp {}\n');
    const p = only(problems);
    expect(p.message).toBe('unexpected "}"');
    expect(at(file, p.span)).toBe('2:1-2:2');
    expect(dirs.map((d) => d.name)).toEqual(['events', 'http']);
  });

  it('reports a block left open at end of file, names it, and keeps its contents', () => {
    const { file, problems, dirs } = parse('http {\n    server {\n        listen 80;\n');
    const p = only(problems);
    expect(p.message).toBe('unexpected end of file, expecting "}" (the "server" block opened on line 2 is not closed)');
    expect(at(file, p.span)).toBe('4:1-4:1');
    const server = only(only(dirs).block!);
    expect(only(server.block!).name).toBe('listen');
    expect(at(file, server.span)).toBe('2:5-4:1');
  });

  it('reports a directive running into }, keeping it and closing the block', () => {
    const { file, problems, dirs } = parse('server {\n    listen 80\n}\nevents {}\n');
    const p = only(problems);
    expect(p.message).toBe('unexpected "}"');
    expect(at(file, p.span)).toBe('3:1-3:2');
    expect(dirs.map((d) => d.name)).toEqual(['server', 'events']);
    const listen = only(dirs[0]!.block!);
    expect([listen.name, at(file, listen.span)]).toEqual(['listen', '2:5-2:14']);
  });

  it('reports a directive running into the end of the file', () => {
    const { file, problems, dirs } = parse('events {}\nworker_processes 1');
    const p = only(problems);
    expect(p.message).toBe('unexpected end of file, expecting ";" or "}" (directive "worker_processes" on line 2 has no ";")');
    expect(at(file, p.span)).toBe('2:19-2:19');
    expect(dirs[1]!.args.map((a) => a.value)).toEqual(['1']);
  });

  it('points at the directive that lacks its ; when its words run on into a block', () => {
    const { file, problems, dirs } = parse('server {\n    proxy_pass http://app\n    location / {\n        return 204;\n    }\n}\n');
    const p = only(problems);
    expect(p.message).toBe('directive "proxy_pass" is not terminated by ";" (nginx reads on to the "{" on line 3)');
    expect(at(file, p.span)).toBe('2:5-2:15');
    expect(nginxLineOf(file, p)).toBe(3);
    // Recovered as the directive the user meant plus the location with its own block.
    expect(dirs[0]!.block!.map((d) => [d.name, d.args.map((a) => a.value), d.block?.length])).toEqual([
      ['proxy_pass', ['http://app'], undefined],
      ['location', ['/'], 1],
    ]);
  });

  it('knows server is a plain directive inside upstream', () => {
    const { problems } = parse('upstream app {\n    server 127.0.0.1:8000 {\n    }\n}\n');
    expect(only(problems).message).toBe('directive "server" is not terminated by ";" (nginx reads on to the "{" on line 2)');
  });

  it('does not take a multi-line header of a block directive for a missing ;', () => {
    const { problems } = parse('http {\n  server\n  {\n    location ~\n      ^/a {\n    }\n  }\n}\n');
    expect(problems).toEqual([]);
  });

  it('reports a block directive ended by ; at its name', () => {
    const { file, problems } = parse('upstream app\n    server 127.0.0.1:8000;\n');
    const p = only(problems);
    expect(p.message).toBe('directive "upstream" has no opening "{" (nginx reads on to the ";" on line 2)');
    expect(at(file, p.span)).toBe('1:1-1:9');
  });

  it('reports ; and { where no directive has started', () => {
    const semi = parse('listen 80;;\n');
    expect(only(semi.problems).message).toBe('unexpected ";"');
    expect(at(semi.file, semi.problems[0]!.span)).toBe('1:11-1:12');
    expect(only(semi.dirs).name).toBe('listen');

    const brace = parse('server {\n    {\n        listen 80;\n    }\n    root /srv;\n}\n');
    expect(only(brace.problems).message).toBe('unexpected "{"');
    expect(at(brace.file, brace.problems[0]!.span)).toBe('2:5-2:6');
    // The stray block's contents stay in the enclosing block.
    expect(only(brace.dirs).block!.map((d) => d.name)).toEqual(['listen', 'root']);
  });

  it('reports a nested block in map and types', () => {
    const { file, problems } = parse('map $a $b {\n    default {\n    }\n}\n');
    expect(only(problems).message).toBe('unexpected "{"');
    expect(at(file, problems[0]!.span)).toBe('2:13-2:14');
  });

  it('reports an unterminated quote at the end of the file and names the line it opened on', () => {
    const { file, problems, dirs } = parse('server {\n    return 200 "abc;\n}\n');
    const p = only(problems);
    expect(p.message).toBe('unexpected end of file, expecting ";" or "}" (the " quote opened on line 2 is never closed)');
    expect(at(file, p.span)).toBe('4:1-4:1');
    const ret = only(dirs[0]!.block!);
    expect(ret.args[1]!.raw).toBe('"abc;\n}\n');
  });

  it('reports a character glued to a closing quote', () => {
    const { file, problems } = parse('return 200 "a"b;');
    expect(only(problems).message).toBe('unexpected "b"');
    expect(at(file, problems[0]!.span)).toBe('1:15-1:16');
  });

  it('reports a word longer than nginx read buffer, at its start', () => {
    const { file, problems } = parse(`return 200 "${'é'.repeat(2100)}";\nlisten 80;`);
    const p = only(problems);
    expect(p.message).toBe('too long parameter, probably missing terminating """ character');
    expect(positionAt(file, p.span.start)).toEqual({ line: 1, column: 13 });
  });

  it('quotes the first 10 bytes of an unquoted word that is too long, as nginx does', () => {
    const { problems } = parse(`return 200 ${'é'.repeat(2100)};\nlisten 80;`);
    expect(only(problems).message).toBe('too long parameter "ééééé..." started');
  });

  it('reports only the first error', () => {
    const { problems } = parse('}\n;\n"a"b\nserver {');
    expect(only(problems).message).toBe('unexpected "}"');
  });
});

describe('the syntax table shared with the nginx oracle', () => {
  it.each(SYNTAX_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const file = createSourceFile('nginx.conf', c.conf);
    const { problems } = parseNginx(file);
    if (c.expect === null) {
      expect(problems).toEqual([]);
    } else {
      const p = only(problems);
      expect(p.message.startsWith(c.expect.message), p.message).toBe(true);
      expect(nginxLineOf(file, p)).toBe(c.expect.line);
    }
  });
});

describe('robustness', () => {
  const alphabet = fc.constantFrom(' ', '\n', '\r', '\t', ';', '{', '}', '#', '"', "'", '\\', '$', '(', ')', 'a', 'b', 'é', '😀');

  it('property: never throws, and every span lies in the file and inside its directive', () => {
    assertProperty('parsers/nginx-text', 
      fc.property(fc.array(alphabet, { maxLength: 80 }).map((cs) => cs.join('')), (text) => {
        const file = createSourceFile('f.conf', text);
        const { doc, problems, comments } = parseNginx(file);
        const inFile = (s: Span): boolean => s.file === 'f.conf' && s.start >= 0 && s.start <= s.end && s.end <= file.text.length;
        const within = (inner: Span, outer: Span): boolean => inner.start >= outer.start && inner.end <= outer.end;
        expect(problems.length).toBeLessThanOrEqual(1);
        for (const x of [...problems, ...comments]) expect(inFile(x.span)).toBe(true);
        walkNginx(doc!.directives, (d, ancestors) => {
          expect(inFile(d.span)).toBe(true);
          expect(within(d.nameSpan, d.span)).toBe(true);
          for (const a of d.args) expect(within(a.span, d.span) && text.slice(a.span.start, a.span.end) === a.raw).toBe(true);
          if (d.blockSpan) expect(within(d.blockSpan, d.span)).toBe(true);
          const parent = ancestors.at(-1);
          if (parent) expect(within(d.span, parent.blockSpan!)).toBe(true);
        });
      }),
      { numRuns: 2000 },
    );
  });

  // How the time grows with nesting and length is measured by bench/nginx-parse.mjs, not asserted here.
  it('reads deep nesting and long files without a recursion limit', () => {
    const deep = 'a {'.repeat(50_000) + '}'.repeat(50_000);
    const wide = 'server { listen 80; location / { return 200 "ok"; } }\n'.repeat(20_000);
    const d = parseNginx(createSourceFile('deep.conf', deep));
    const w = parseNginx(createSourceFile('wide.conf', wide));
    expect(d.problems).toEqual([]);
    expect(w.doc!.directives).toHaveLength(20_000);
    let count = 0;
    walkNginx(d.doc!.directives, () => count++);
    expect(count).toBe(50_000);
  });
});
