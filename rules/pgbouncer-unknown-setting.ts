import { defineRule } from '../src/engine/rule.js';
import { validateDatabaseParam, validatePgbouncerSetting } from '../src/reference/pgbouncer-settings.js';
import { describePgbouncer } from '../src/inputs/pgbouncer.js';

/** pgbouncer has no inline comments: text after a value is part of the value. */
const INLINE_COMMENT = /\s[#;]/;

export default defineRule({
  meta: {
    id: 'pgbouncer-unknown-setting',
    description: 'Reports a pgbouncer setting pgbouncer does not know, or a value it refuses',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'Every key of `[pgbouncer]` is checked against pgbouncer\'s own setting table for the release the image tag names (the newest when unknown), with a did-you-mean for typos; every value is read the way pgbouncer reads it (integers as C `strtol`, times as plain seconds, enums case-insensitively). `[databases]` connection parameters are checked the same way. Settings an image takes from environment variables (edoburu `DEFAULT_POOL_SIZE`, bitnami `PGBOUNCER_DEFAULT_POOL_SIZE`) are checked at the variable. Values pgbouncer accepts but surely does not mean (`so_reuseport = 2`, `listen_port = 99999`) are warnings.',
      why: 'pgbouncer refuses to start on an unknown key or a bad value ("FATAL cannot load config file"), and on RELOAD it keeps the old configuration. A frequent cause is an inline comment: `;` and `#` start a comment only at the beginning of a line, so `max_client_conn = 2000  # Was: 1000` is the value "2000  # Was: 1000", which is not a number. The seed\'s section 4.1 writes six such lines.',
      notes: 'https://www.pgbouncer.org/config.html ("Comments start with ; or # and continue to the end of the line" applies to whole lines only, as pgbouncer 1.18 itself shows).',
    },
  },
  check({ stack, report }) {
    for (const pgb of stack.data.pgbouncers) {
      const who = describePgbouncer(pgb);
      if (pgb.source === 'ini' && pgb.ini) {
        for (const section of pgb.ini.sections) {
          if (section.name !== 'pgbouncer') continue;
          for (const entry of section.entries) {
            const r = validatePgbouncerSetting(entry.key, entry.value, pgb.version);
            if (r.ok) {
              if (r.warning) report({ span: entry.valueSpan, message: `${entry.key} = ${entry.value}: ${r.warning}`, severity: 'warning' });
              continue;
            }
            if (r.kind === 'unknown-key') {
              report({
                span: entry.keySpan,
                message: `${r.message}${r.suggestion ? `; did you mean ${r.suggestion}?` : ''}; ${who} refuses to start`,
                ...(r.suggestion ? { hint: `rename it to ${r.suggestion}` } : {}),
              });
              continue;
            }
            const comment = INLINE_COMMENT.test(entry.value);
            report({
              span: entry.valueSpan,
              message: `${r.message}; ${who} refuses to start${comment ? ' (pgbouncer has no inline comments: # and ; start a comment only at the beginning of a line)' : ''}`,
              hint: comment ? 'move the comment to its own line' : `write a value pgbouncer accepts for ${entry.key}`,
            });
          }
        }
        for (const db of pgb.databases) {
          // pgbouncer never expands ${VAR}: `port=${DB_PORT}` is checked as written.
          for (const [key, value] of db.written ?? []) {
            const r = validateDatabaseParam(key, value.value, pgb.version);
            if (r.ok) continue;
            report({
              span: value.span,
              message: `[databases] ${db.name}: ${r.message}${r.suggestion ? `; did you mean ${r.suggestion}?` : ''}; ${who} refuses to start`,
            });
          }
        }
      } else if (pgb.source === 'env') {
        for (const [key, value] of pgb.settings) {
          if (value.kind !== 'known' || value.isDefault) continue;
          const r = validatePgbouncerSetting(key, value.value, pgb.version);
          if (!r.ok) report({ span: value.span, message: `${r.message} (the image writes it into pgbouncer.ini); ${who} refuses to start` });
          else if (r.warning) report({ span: value.span, message: `${key} = ${value.value}: ${r.warning}`, severity: 'warning' });
        }
      }
    }
  },
});
