import type { Finding, RelatedLocation, RunResult, Severity, StackSummary } from '../../src/core/finding.js';
import type { RuleMeta } from '../../src/core/rule-meta.js';
import { createSourceFile, SourceSet } from '../../src/core/source.js';
import type { Span } from '../../src/core/value.js';
import type { ReportOptions } from '../../src/reporters/locate.js';

/** Builds RunResults by hand: files by text, spans by the text they cover. */
export class ResultBuilder {
  readonly sources = new SourceSet();
  private readonly findings: Finding[] = [];
  private readonly stacks: StackSummary[] = [];

  file(path: string, text: string): this {
    this.sources.add(createSourceFile(path, text));
    return this;
  }

  stack(name: string, files: string[]): this {
    this.stacks.push({ name, files: [...files].sort() });
    return this;
  }

  /** The span of the `occurrence`-th (1-based) appearance of `needle` in `path`. */
  span(path: string, needle: string, occurrence = 1): Span {
    const text = this.sources.get(path)?.text;
    if (text === undefined) throw new Error(`no file ${path}`);
    let at = -1;
    for (let i = 0; i < occurrence; i++) {
      at = text.indexOf(needle, at + 1);
      if (at < 0) throw new Error(`"${needle}" #${occurrence} not in ${path}`);
    }
    return { file: path, start: at, end: at + needle.length };
  }

  related(path: string, needle: string, message: string): RelatedLocation {
    return { span: this.span(path, needle), message };
  }

  finding(f: {
    ruleId: string;
    severity: Severity;
    message: string;
    at: Span;
    related?: RelatedLocation[];
    stack?: string;
    hint?: string;
    key?: string;
  }): this {
    const finding: Finding = {
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      span: f.at,
      related: f.related ?? [],
      ...(f.stack === undefined ? {} : { stack: f.stack }),
      ...(f.hint === undefined ? {} : { hint: f.hint }),
      ...(f.key === undefined ? {} : { key: f.key }),
    };
    this.findings.push(finding);
    return this;
  }

  build(root = 'deploy'): RunResult {
    return { root, stacks: [...this.stacks], findings: [...this.findings], sources: this.sources };
  }
}

export const COMPOSE = `services:
  web:
    image: app
    command: gunicorn app.wsgi -w 8 --threads 4
    deploy:
      replicas: 15
  pgbouncer:
    image: edoburu/pgbouncer
`;

export const PGBOUNCER = `[pgbouncer]
pool_mode = transaction
max_client_conn = 300
`;

export const NGINX = `upstream web {
    server web:8000;
}
`;

export const RULES: readonly RuleMeta[] = [
  {
    id: 'pgbouncer-client-capacity',
    description: 'Report web tiers that can open more connections than pgbouncer accepts',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Multiplies replicas, workers and threads and compares the product with max_client_conn.',
      why: 'Connections beyond max_client_conn are refused, so requests fail under load.',
    },
  },
  {
    id: 'nginx-upstream-keepalive',
    description: 'Report upstreams without keepalive connections',
    defaultSeverity: 'info',
    category: 'topology',
    docs: {
      what: 'Looks for upstream blocks without a keepalive directive.',
      why: 'Without keepalive nginx opens a new connection per request.',
      notes: 'Upstreams defined through templates stay unknown.',
    },
  },
];

/**
 * The stack of the user's plan, with one finding of each severity (the error has a related location
 * and a hint), in the engine's order: file, line, column.
 */
export function sampleResult(): RunResult {
  const b = new ResultBuilder()
    .file('docker-compose.yml', COMPOSE)
    .file('pgbouncer/pgbouncer.ini', PGBOUNCER)
    .file('nginx/nginx.conf', NGINX)
    .stack('docker-compose.yml', ['docker-compose.yml', 'pgbouncer/pgbouncer.ini', 'nginx/nginx.conf']);
  return b
    .finding({
      ruleId: 'gunicorn-threads',
      severity: 'warning',
      message: 'gunicorn runs 4 threads per worker',
      at: b.span('docker-compose.yml', '--threads 4'),
      stack: 'docker-compose.yml',
    })
    .finding({
      ruleId: 'pgbouncer-client-capacity',
      severity: 'error',
      message: '15 replicas x 8 workers x 4 threads = 480 client connections > max_client_conn 300 (pgbouncer/pgbouncer.ini:3)',
      at: b.span('docker-compose.yml', '15'),
      related: [b.related('pgbouncer/pgbouncer.ini', '300', 'max_client_conn is set here')],
      stack: 'docker-compose.yml',
      hint: 'Raise max_client_conn to at least 480.',
    })
    .finding({
      ruleId: 'nginx-upstream-keepalive',
      severity: 'info',
      message: 'upstream "web" has no keepalive',
      at: b.span('nginx/nginx.conf', 'upstream web'),
      stack: 'docker-compose.yml',
    })
    .build();
}

export function options(extra: Partial<ReportOptions> = {}): ReportOptions {
  return { color: false, rules: RULES, version: '0.1.0', ...extra };
}

// Matches the SGR sequences picocolors writes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}
