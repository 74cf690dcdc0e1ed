import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SEVERITY_ORDER, type Finding, type RunResult } from './core/finding.js';
import { check, UsageError } from './engine/run.js';
import { formatters, isFormatName, type FormatName } from './reporters/index.js';
import { summaryLine } from './reporters/index.js';
import { ruleDocText } from './docs/rule-doc.js';
import { RULES } from '../rules/index.js';
import pkg from '../package.json' with { type: 'json' };

const HELP = `arena-lint ${pkg.version}: checks that a Django stack's compose, nginx, pgbouncer, settings.py and sysctl files agree.

Usage:
  arena-lint check [DIR]        check every compose stack under DIR (default: .)
  arena-lint rules              list every rule with its default severity
  arena-lint explain RULE-ID    print a rule's documentation

Options for check:
  -f, --format FORMAT      stylish (default), json, sarif, github, markdown, plain
  -c, --config FILE        configuration file (default: DIR/.arena-lint.yaml when present)
  -o, --output FILE        write the report to FILE; a summary still goes to the terminal
  -q, --quiet              report errors only
      --max-warnings N     exit 1 when there are more than N warnings
      --verbose            also say which values were unknown and kept a rule silent
      --color / --no-color force colour on or off (default: on for a terminal, off with NO_COLOR)
      --debug              print stack traces of internal errors
  -h, --help               this help
  -v, --version            the version

Exit codes: 0 no errors, 1 findings that fail the run, 2 usage, configuration or internal error.

Examples:
  arena-lint check .
  arena-lint check deploy --format sarif --output arena-lint.sarif
  arena-lint check . --quiet --max-warnings 0
  arena-lint explain upstream-missing-replica
`;

export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function main(argv: readonly string[], io: CliIO): number {
  let debug = argv.includes('--debug');
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        output: { type: 'string', short: 'o' },
        quiet: { type: 'boolean', short: 'q' },
        'max-warnings': { type: 'string' },
        verbose: { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    debug = values.debug ?? false;
    if (values.version) {
      io.stdout(`${pkg.version}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout(HELP);
      return command === undefined && !values.help ? 2 : 0;
    }
    const color = values['no-color'] ? false : values.color ? true : io.isTTY && !io.env.NO_COLOR;
    switch (command) {
      case 'check':
        return runCheck(rest, values, color, io);
      case 'rules':
        io.stdout(rulesTable());
        return 0;
      case 'explain': {
        const id = rest[0];
        const rule = RULES.find((r) => r.meta.id === id);
        if (!rule) throw new UsageError(id ? `unknown rule "${id}"; see \`arena-lint rules\`` : 'explain needs a rule id');
        io.stdout(ruleDocText(rule.meta));
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"; see \`arena-lint --help\``);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`arena-lint: ${err.message}\n`);
      return 2;
    }
    io.stderr(`arena-lint: internal error: ${err.message.split('\n')[0]}\n`);
    if (debug) io.stderr(`${err.stack}\n`);
    else io.stderr('Run again with --debug for details, and please report it.\n');
    return 2;
  }
}

function runCheck(rest: string[], values: Record<string, string | boolean | undefined>, color: boolean, io: CliIO): number {
  if (rest.length > 1) throw new UsageError(`check takes one directory, got ${rest.length}`);
  const dir = rest[0] ?? '.';
  const format = (values.format as string | undefined) ?? 'stylish';
  if (!isFormatName(format)) throw new UsageError(`unknown format "${format}"; use one of ${Object.keys(formatters).join(', ')}`);
  let maxWarnings: number | undefined;
  if (values['max-warnings'] !== undefined) {
    maxWarnings = Number(values['max-warnings']);
    if (!Number.isInteger(maxWarnings) || maxWarnings < 0) throw new UsageError(`--max-warnings needs a whole number, got "${values['max-warnings']}"`);
  }
  const run = check({ dir: resolve(io.cwd, dir), ...(values.config ? { configPath: resolve(io.cwd, values.config as string) } : {}), rules: RULES });
  let findings = run.result.findings;
  if (values.quiet) findings = findings.filter((f) => f.severity === 'error');
  const result: RunResult = { ...run.result, root: dir, findings };
  const cwdRelativeRoot = relative(io.cwd, resolve(io.cwd, dir)).split('\\').join('/');
  const opts = { color, rules: RULES.map((r) => r.meta), version: pkg.version, ...(cwdRelativeRoot ? { cwdRelativeRoot } : {}) };
  const report = formatters[format as FormatName](result, { ...opts, color: values.output ? false : color });
  if (values.output) {
    writeFileSync(resolve(io.cwd, values.output as string), report);
    io.stdout(`${summaryLine(result)}\nreport written to ${values.output}\n`);
  } else {
    io.stdout(report.endsWith('\n') || report === '' ? report : `${report}\n`);
  }
  if (values.verbose) {
    for (const u of run.unknowns) io.stderr(`[${u.ruleId}] ${u.stack}: ${u.reason}\n`);
  }
  return exitCode(findings, maxWarnings);
}

export function exitCode(findings: readonly Finding[], maxWarnings?: number): number {
  if (findings.some((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER.error)) return 1;
  if (maxWarnings !== undefined && findings.filter((f) => f.severity === 'warning').length > maxWarnings) return 1;
  return 0;
}

function rulesTable(): string {
  const width = Math.max(...RULES.map((r) => r.meta.id.length));
  return `${RULES.map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.defaultSeverity.padEnd(7)}  ${r.meta.description}`).join('\n')}\n`;
}
