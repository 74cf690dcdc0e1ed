import { defineRule } from '../src/engine/rule.js';
import { pyTruthy } from '../src/python/value.js';
import { databasePoolMode } from '../src/inputs/pgbouncer.js';
import { groupBy, spanKey } from '../src/stack/data-tier.js';
import { listNames } from '../src/stack/topology.js';

export default defineRule({
  meta: {
    id: 'pgbouncer-server-side-cursors',
    description: 'Reports a Django database behind transaction pooling without DISABLE_SERVER_SIDE_CURSORS',
    defaultSeverity: 'error',
    category: 'data',
    docs: {
      what: 'For every Django database alias whose HOST reaches a pgbouncer service, arena-lint takes the pool mode of the `[databases]` entry its NAME selects (`pool_mode=` there, else `[pgbouncer] pool_mode`). With `transaction` or `statement` pooling, the alias must set `DISABLE_SERVER_SIDE_CURSORS: True`.',
      why: 'Django runs `QuerySet.iterator()` with a named server-side cursor, which lives in one server session across several statements. Transaction pooling hands the next statement to another server connection, where the cursor does not exist ("cursor ... does not exist"), or to another client\'s session. Django\'s documentation requires DISABLE_SERVER_SIDE_CURSORS with transaction pooling: https://docs.djangoproject.com/en/stable/ref/databases/#transaction-pooling-and-server-side-cursors',
      notes: 'An alias whose DISABLE_SERVER_SIDE_CURSORS is unknown (an environment variable that is not set anywhere the stack shows) is not reported.',
    },
  },
  check({ stack, report, where, unknown }) {
    const found = [];
    for (const { db, route } of stack.data.databases) {
      if (route.kind !== 'pgbouncer') continue;
      const mode = databasePoolMode(route.pgbouncer, route.database);
      if (mode.kind === 'unknown') {
        unknown(`pool_mode of ${route.pgbouncer.service.name} is unknown: ${mode.reason}`, mode.span);
        continue;
      }
      if (mode.value !== 'transaction' && mode.value !== 'statement') continue;
      const flag = db.disableServerSideCursors;
      const truthy = flag ? pyTruthy(flag) : false;
      if (truthy === true) continue;
      if (truthy === undefined) {
        unknown(`DISABLE_SERVER_SIDE_CURSORS of "${db.alias}" is unknown`, flag?.span);
        continue;
      }
      found.push({ db, pgbouncer: route.pgbouncer, mode, at: flag?.span ?? db.aliasSpan });
    }
    for (const group of groupBy(found, (f) => `${spanKey(f.at)}|${spanKey(f.mode.span)}`)) {
      const { db, pgbouncer, mode, at } = group[0]!;
      const flag = db.disableServerSideCursors;
      report({
        span: at,
        message: `Database "${db.alias}" of ${listNames(group.map((g) => g.db.app.service.name), 3)} goes through ${pgbouncer.service.name} with pool_mode = ${mode.value} (${where(mode.span)}), but DISABLE_SERVER_SIDE_CURSORS is ${flag ? 'not True' : 'not set'}: QuerySet.iterator() cursors break when the next statement lands on another server connection`,
        related: [{ span: mode.span, message: `pool_mode = ${mode.value}${mode.isDefault ? ' (default)' : ''}` }],
        hint: `add "DISABLE_SERVER_SIDE_CURSORS": True to DATABASES["${db.alias}"]`,
      });
    }
  },
});
