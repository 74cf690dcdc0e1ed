import { UsageError } from './engine/run.js';
import { capacityCommand } from './commands/capacity.js';
import { graphCommand } from './commands/graph.js';
import { inspectCommand } from './commands/inspect.js';
import { checkCommand } from './commands/check.js';
import { scaleCommand } from './commands/scale.js';
import { initCommand } from './commands/init.js';
import type { CliIO } from './commands/io.js';
import { redirectDocText, ruleDocText } from './docs/rule-doc.js';
import { redirectOf } from './core/rule-redirects.js';
import { CONFIG_FILE_NAMES } from './engine/config.js';
import { RULES } from '../rules/index.js';
import pkg from '../package.json' with { type: 'json' };
import { own } from './core/own.js';

export type { CliIO } from './commands/io.js';

const HELP = `arena-lint ${pkg.version}: checks that a Django stack's compose, nginx, pgbouncer, settings.py and sysctl files agree.

Usage:
  arena-lint check [PATH...]    check every compose stack under each PATH (default: .); a PATH may be one compose file
  arena-lint init [DIR]         write a commented .arena-lint.yaml for the stacks under DIR (--host, --cpus, --memory, --target-rps)
  arena-lint capacity [DIR]     print each stack's capacity plan (-f text|json|markdown, -c, -o)
  arena-lint graph [DIR]        draw each stack's topology as a Mermaid flowchart (--markdown for a fenced block)
  arena-lint inspect [DIR]      show what each container sees and runs, and where each value comes from (-f text|json, -c)
  arena-lint scale TIER --replicas N [DIR]
                                add or remove replicas of TIER in compose, every upstream and depends_on
                                (--workers W, --threads T, --stack FILE, --diff, --force)
  arena-lint rules              list every rule with its default severity
  arena-lint explain RULE-ID    print a rule's documentation

Options for check:
  -f, --format FORMAT      stylish (default), json, sarif, github, markdown, plain, junit, gitlab
  -c, --config FILE        configuration file (default: the first of ${CONFIG_FILE_NAMES.join(', ')} in DIR)
  -o, --output FILE        write the report to FILE; a summary still goes to the terminal
  -q, --quiet              report errors only
      --max-warnings N     exit 1 when there are more than N warnings
      --write-baseline F   record today's findings in F (and exit 0), to adopt arena-lint on an existing repo
      --baseline F         report only findings that are not in the baseline F
      --fix                apply the safe fixes, then report what is left
      --diff               print the fixes --fix would make as a unified diff; write nothing
      --unsafe-fixes       with --fix or --diff, also the fixes that change behaviour
      --rule ID:SEVERITY   set a rule for this run (error, warning, info, off); repeatable
      --select ID[,ID]     run only these rules
      --ignore ID[,ID]     turn these rules off for this run
      --print-config       print the configuration a check of PATH would use, and exit
      --no-error-on-empty  exit 0 when no stack is found (default: exit 2 and say what was looked for)
      --verbose            also say which values were unknown and kept a rule silent
      --color / --no-color force colour on or off (default: on for a terminal, off with NO_COLOR)
      --debug              print stack traces of internal errors

Global options:
  -h, --help               this help
  -v, --version            the version

Exit codes: 0 no errors, 1 findings that fail the run, 2 usage, configuration or internal error.

Examples:
  arena-lint check .
  arena-lint check deploy --format sarif --output arena-lint.sarif
  arena-lint check deploy/production.yml services/api --select upstream-missing-replica,replica-drift
  arena-lint check . --quiet --max-warnings 0
  arena-lint check . --write-baseline .arena-lint-baseline.json && arena-lint check . --baseline .arena-lint-baseline.json
  arena-lint init . --host aws/c5.12xlarge --target-rps 1000
  arena-lint capacity . --format markdown
  arena-lint check . --diff && arena-lint check . --fix
  arena-lint scale web --replicas 15 --workers 8 --threads 4 --diff
  arena-lint explain upstream-missing-replica
`;

/** Each subcommand parses its own options; this only dispatches and turns errors into exit code 2. */
const COMMANDS: Record<string, (argv: readonly string[], io: CliIO) => number> = {
  check: checkCommand,
  init: initCommand,
  capacity: capacityCommand,
  graph: graphCommand,
  inspect: inspectCommand,
  scale: scaleCommand,
  rules: (_argv, io) => {
    const width = Math.max(...RULES.map((r) => r.meta.id.length));
    io.stdout(`${RULES.map((r) => `${r.meta.id.padEnd(width)}  ${r.meta.defaultSeverity.padEnd(7)}  ${r.meta.description}`).join('\n')}\n`);
    return 0;
  },
  explain: (argv, io) => {
    const id = argv[0];
    const rule = RULES.find((r) => r.meta.id === id);
    const redirect = id === undefined ? undefined : redirectOf(id);
    if (!rule && redirect) {
      io.stdout(redirectDocText(redirect, RULES.map((r) => r.meta)));
      return 0;
    }
    if (!rule) throw new UsageError(id ? `unknown rule "${id}"; see \`arena-lint rules\`` : 'explain needs a rule id');
    io.stdout(ruleDocText(rule.meta));
    return 0;
  },
};

export function main(argv: readonly string[], io: CliIO): number {
  const debug = argv.includes('--debug');
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-v') {
      io.stdout(`${pkg.version}\n`);
      return 0;
    }
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.stdout(HELP);
      return first === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(HELP);
      return 0;
    }
    const command = own(COMMANDS, first);
    if (!command) throw new UsageError(`unknown command "${first}"; see \`arena-lint --help\``);
    return command(rest, io);
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
