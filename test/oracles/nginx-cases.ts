import type { ParseProblem } from '../../src/core/problem.js';
import { positionAt, type SourceFile } from '../../src/core/source.js';

/**
 * Small nginx configs with what `nginx -t` (1.22) says about their syntax. The parser's unit test
 * checks the parser against `expect`; the oracle test checks `expect` against the real nginx, so the
 * table cannot drift from nginx.
 */
export interface SyntaxCase {
  readonly name: string;
  readonly conf: string;
  /** null: nginx reads the whole file. Otherwise the first error: nginx's message and line. */
  readonly expect: { readonly message: string; readonly line: number } | null;
  /** nginx rejects it for its meaning after reading it fine (counts as syntactically accepted). */
  readonly meaningError?: RegExp;
}

/** A whole config whose `http` block holds `body`; the body starts on line 3. */
export function http(...body: string[]): string {
  return ['events {}', 'http {', ...body, '}', ''].join('\n');
}

/** A server inside `http`; its body starts on line 5. */
export function server(...body: string[]): string {
  return http('server {', '    listen 127.0.0.1:8080;', ...body, '}');
}

const longText = 'x'.repeat(5000);

export const SYNTAX_CASES: readonly SyntaxCase[] = [
  // Accepted.
  { name: 'plain server and location', conf: server('location / { return 200; }'), expect: null },
  { name: 'regex location with $ and |', conf: server('location ~* \\.(png|jpg)$ { return 204; }'), expect: null },
  { name: 'quoted regex with { } ;', conf: server('location ~ "^/a{2};}$" { return 204; }'), expect: null },
  { name: '${var} inside a quoted string', conf: server('return 200 "${scheme}://${host}";'), expect: null },
  { name: '${var} in an unquoted word', conf: server('set $x ${uri}z;', 'return 200 $x;'), expect: null },
  { name: 'if with parenthesised quoted comparison', conf: server('if ($http_x = "y") { return 403; }'), expect: null },
  { name: 'if with bare variable', conf: server('if ($http_x) { return 403; }'), expect: null },
  { name: 'map with default, regex and quoted regex keys', conf: http('map $uri $m {', '    default 0;', '    ~^/a 1;', '    "~^/b{2}" 2;', '}'), expect: null },
  { name: 'types block', conf: http('types {', '    text/html html htm;', '    application/json json;', '}'), expect: null },
  { name: 'comment after a directive and # inside a word', conf: server('add_header X-A a#b; # trailing comment'), expect: null },
  { name: 'escaped quote in a double-quoted string', conf: server('add_header X-A "a\\"b";'), expect: null },
  { name: '; and braces inside single quotes', conf: server("add_header X-A 'a;b{c}';"), expect: null },
  { name: 'arguments over several lines', conf: http("log_format main '$remote_addr'", "                '$status';"), expect: null },
  { name: 'Allman braces', conf: http('server', '{', '    listen 127.0.0.1:8080;', '    location /', '    {', '        return 204;', '    }', '}'), expect: null },
  { name: 'upstream with server lines', conf: http('upstream app {', '    server 127.0.0.1:8000 max_fails=3;', '    keepalive 16;', '}'), expect: null },
  { name: 'backslash-escaped space and ; in an unquoted word', conf: server('add_header X-A a\\ b\\;c;'), expect: null },
  { name: '} inside an unquoted word', conf: server('return 200 a}b;'), expect: null },
  { name: 'limit_except block', conf: server('location / {', '    limit_except GET { deny all; }', '}'), expect: null },
  { name: 'CRLF line endings', conf: server('location / {', '    return 204;', '}').replace(/\n/g, '\r\n'), expect: null },
  { name: 'quoted directive name', conf: server('"add_header" X-A b;'), expect: null },
  { name: 'non-ASCII text in a string and a comment', conf: server('# café ✓', 'return 200 "naïve ✓";'), expect: null },
  { name: 'comments around a block', conf: '# nothing here\nevents { # really\n}\n# at all', expect: null },
  {
    name: 'unquoted regex with braces splits at { (nginx then rejects a directive "2}$")',
    conf: server('location ~ ^/a{2}$ {', '}', '}'),
    expect: null,
    meaningError: /^unknown directive "2}\$"/,
  },
  { name: 'missing ; before a plain directive reads on as arguments', conf: server('server_name example.com', 'root /srv;'), expect: null },
  // Rejected.
  { name: 'stray } at the top', conf: 'events {}\nhttp {\n}\n}\n', expect: { message: 'unexpected "}"', line: 4 } },
  { name: 'block not closed at end of file', conf: 'events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n    }\n', expect: { message: 'unexpected end of file, expecting "}"', line: 6 } },
  { name: 'block not closed, no final newline', conf: 'events {}\nhttp {', expect: { message: 'unexpected end of file, expecting "}"', line: 2 } },
  { name: 'directive running into }', conf: server('location / {', '    return 204', '}'), expect: { message: 'unexpected "}"', line: 7 } },
  { name: 'directive running into end of file', conf: 'events {}\nworker_processes 1\n', expect: { message: 'unexpected end of file, expecting ";" or "}"', line: 3 } },
  { name: 'double ;', conf: server('return 204;;'), expect: { message: 'unexpected ";"', line: 5 } },
  { name: 'lone ; at line start', conf: http(';'), expect: { message: 'unexpected ";"', line: 3 } },
  { name: 'stray {', conf: server('{', '}'), expect: { message: 'unexpected "{"', line: 5 } },
  { name: 'missing ; before a location on the next line', conf: server('root /srv', 'location / {', '}'), expect: { message: 'directive "root" is not terminated by ";"', line: 6 } },
  { name: 'missing ; with the { on its own line', conf: server('root /srv', '{', '}'), expect: { message: 'directive "root" is not terminated by ";"', line: 6 } },
  { name: 'server with a block inside upstream', conf: http('upstream app {', '    server 127.0.0.1:8000 {', '    }', '}'), expect: { message: 'directive "server" is not terminated by ";"', line: 4 } },
  { name: 'upstream without {', conf: http('upstream app', '    server 127.0.0.1:8000;'), expect: { message: 'directive "upstream" has no opening "{"', line: 4 } },
  { name: 'server; inside http', conf: http('server;'), expect: { message: 'directive "server" has no opening "{"', line: 3 } },
  { name: 'unterminated double quote', conf: server('return 200 "abc;', '}'), expect: { message: 'unexpected end of file, expecting ";" or "}"', line: 9 } },
  { name: "unterminated single quote", conf: server("return 200 'abc;", '}'), expect: { message: 'unexpected end of file, expecting ";" or "}"', line: 9 } },
  { name: 'a word glued to a closing quote', conf: server('return 200 "a"b;'), expect: { message: 'unexpected "b"', line: 5 } },
  { name: '} glued to a closing quote', conf: server('location / { return 200 "a"}', '}'), expect: { message: 'unexpected "}"', line: 5 } },
  { name: '# glued to a closing quote', conf: server('return 200 "a"#c', ';'), expect: { message: 'unexpected "#"', line: 5 } },
  { name: 'nested block in map', conf: http('map $uri $m {', '    default {', '    }', '}'), expect: { message: 'unexpected "{"', line: 4 } },
  { name: 'nested block in types', conf: http('types {', '    text/html {', '}'), expect: { message: 'unexpected "{"', line: 4 } },
  { name: 'too long quoted parameter', conf: server(`return 200 "${longText}";`), expect: { message: 'too long parameter, probably missing terminating """ character', line: 5 } },
  { name: 'too long comment', conf: server(`# ${longText}`), expect: { message: 'too long parameter "# xxxxxxxx..." started', line: 5 } },
  { name: 'first error wins over a later one', conf: server('return 204;;', '}', '}'), expect: { message: 'unexpected ";"', line: 5 } },
];

/**
 * The line nginx names for the error we report. Where our span points elsewhere (the directive that
 * lacks its `;`), our message names nginx's line as "nginx reads on to the ... on line N".
 */
export function nginxLineOf(file: SourceFile, problem: ParseProblem): number {
  const named = /nginx reads on to the "[{;]" on line (\d+)\)$/.exec(problem.message);
  return named ? Number(named[1]) : positionAt(file, problem.span.start).line;
}
