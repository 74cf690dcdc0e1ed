import { defineRule } from '../src/engine/rule.js';
import { editSpan } from '../src/inputs/django.js';
import { pyTruthy } from '../src/python/value.js';
import { dataTier, groupBy, spanKey } from '../src/stack/data-tier.js';
import { isDevelopmentSettings, isDevelopmentStack } from '../src/security/secrets.js';

export default defineRule({
  meta: {
    id: 'debug-in-production',
    description: 'Reports DEBUG true in the Django settings the production stack runs',
    defaultSeverity: 'error',
    category: 'security',
    docs: {
      what: 'Evaluates (never executes) the settings module each app server of the stack loads, with the environment its container sees, and reports `DEBUG` when it is true, including a non-empty string such as `os.environ.get("DEBUG", False)` reading `"False"`, which Python treats as true. The finding points at the line to change: the environment entry that fed the value, else the settings line. Stacks for development (compose files named `*dev*`, `*local*`, `*test*`, `*.override.*`, ...) and settings modules named that way (`settings.local`, `settings_dev`) are not judged; an unknown DEBUG stays silent.',
      why: 'With DEBUG on, every error page shows the traceback with local variables and most settings to whoever triggered it, Django keeps every SQL query in memory for the life of the worker, and static and media files are expected from the app. It is the first thing Django\'s deployment checklist says to turn off.',
    },
  },
  check({ stack, report, where }) {
    if (isDevelopmentStack(stack)) return;
    const apps = stack.data.apps.filter((a) => a.settings && a.settingsModule.kind === 'known' && !isDevelopmentSettings(a.settingsModule.value));
    const withDebug = apps.flatMap((app) => {
      const debug = app.settings!.names.get('DEBUG');
      return debug && pyTruthy(debug) === true ? [{ app, debug }] : [];
    });
    for (const group of groupBy(withDebug, (x) => spanKey(x.debug.span))) {
      const { app, debug } = group[0]!;
      const at = editSpan(debug);
      const module = app.settingsModule.kind === 'known' ? app.settingsModule.value : '';
      const value = debug.kind === 'known' ? debug.value : undefined;
      const shown = typeof value === 'string' ? `the string ${JSON.stringify(value)}, which Python treats as true` : String(value === true ? 'True' : value);
      const services = group.map((x) => x.app.service.name).join(', ');
      const settingsLine = at.file !== debug.span.file || at.start !== debug.span.start ? ` (settings line ${where(debug.span)})` : '';
      report({
        span: at,
        message: `DEBUG in ${module}, which ${services} run${group.length === 1 ? 's' : ''}, is ${shown}${settingsLine}: error pages show tracebacks and settings to every visitor, and each worker keeps every SQL query in memory`,
        ...(settingsLine ? { related: [{ span: debug.span, message: 'DEBUG is read here' }] } : {}),
        hint: typeof value === 'string' ? 'compare the variable with a string (os.environ.get("DEBUG") == "1") or set it to an empty value' : 'set DEBUG to False for this stack',
      });
    }
  },
});
