import { defineRule } from '../src/engine/rule.js';
import { isDevelopmentStack, redacted, writtenSecrets, type SecretPlace } from '../src/security/secrets.js';

const WHY: Readonly<Record<SecretPlace, string>> = {
  'compose environment': 'it is in the repository and in `docker inspect` output',
  'compose variable default': 'it is used whenever the variable is unset, so a deploy that forgets it runs with the default',
  'command line': 'it is in the repository, and `ps` and `docker inspect` show it on the host',
  healthcheck: 'it is in the repository, and `docker inspect` shows it with every health check',
  settings: 'it is in the repository, and every copy of the code carries the production key',
  'pgbouncer userlist': 'it is in the repository; pgbouncer\'s md5 auth even accepts the hash as the password',
  'env file': '',
};

export default defineRule({
  meta: {
    id: 'hardcoded-secret',
    description: 'Reports a password, key or token written literally in compose, settings, a pgbouncer userlist or a command line',
    defaultSeverity: 'warning',
    category: 'security',
    docs: {
      what: 'Reports literal secrets: a compose `environment:` value whose name says it is a secret (`*PASSWORD`, `*SECRET*`, `*_TOKEN`, `*API_KEY`, ...) or a URL with a password in it (`postgres://app:pw@db/app`), the default of `${DB_PASSWORD:-hunter2}`, `--requirepass`/`--password`/`PGPASSWORD=` on a command line or in a healthcheck, a pgbouncer userlist the container reads, and in the settings module the production stack runs, a `SECRET_KEY` (or other secret-named setting, or a `DATABASES` PASSWORD) written in Python rather than read from the environment. Values that are references are not secrets: `${VAR}` without a default, `$VAR`, an empty value, `/run/secrets/...`, and names ending in `_FILE`. Stacks for development (compose files named `*dev*`, `*local*`, `*test*`, `*.override.*`, ...) and settings modules named that way are not reported. The finding names the secret, its file and line, and shows it redacted; the value itself never appears in any output format.',
      why: 'A secret in the repository is known to everyone who can read it, forever (git history), and cannot be rotated without a commit. A default like `hunter2` is worse: the stack still starts when the real secret is missing, with a password anyone can guess. A secret on a command line is visible to every process on the host through `ps`.',
      notes: 'arena-lint never prints a secret: in every format (stylish code frames, plain, json, SARIF with its snippets and fingerprints, GitHub annotations, the job summary) the characters of every secret it finds are replaced by `*`, whether or not this rule is enabled. Env files (`env_file:`, `.env`) are where secrets belong and are not reported, but their secret values are redacted too.',
    },
  },
  check({ stack, report }) {
    if (isDevelopmentStack(stack)) return;
    for (const s of writtenSecrets(stack)) {
      if (!s.hardcoded) continue;
      const who = s.service ? ` of ${s.service.name}` : '';
      const place = s.place === 'compose variable default' ? 'in the default of a compose variable' : s.place === 'command line' ? 'on the command line' : `in the ${s.place === 'settings' ? 'settings module' : s.place}`;
      const why = s.place === 'pgbouncer userlist' && !/^(md5[0-9a-f]{32}|SCRAM-SHA-256\$)/.test(s.value) ? 'it is in the repository in plain text' : WHY[s.place];
      report({
        span: s.span,
        message: `${s.name}${who} is written ${place}: ${redacted(s.value)}; ${why}`,
        hint: s.place === 'settings'
          ? `read it from the environment (os.environ["${s.name.startsWith('DATABASES') ? 'DB_PASSWORD' : s.name}"]) and set it in the deployment`
          : s.place === 'compose variable default'
            ? 'drop the default (`${VAR:?set VAR}` fails loudly when it is missing)'
            : 'move it to an env file kept out of the repository, or a docker secret (`*_FILE=/run/secrets/...`)',
      });
    }
  },
});
