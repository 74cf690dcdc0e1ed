import type { RelatedLocation } from '../src/core/finding.js';
import { defineRule } from '../src/engine/rule.js';
import { containerCount } from '../src/facts/concurrency.js';
import type { ComposeService } from '../src/inputs/compose.js';
import { listNames } from '../src/stack/topology.js';
import { collectstaticAtStart, settingPath, sharedLocation, type CollectstaticRun, type SharedLocation } from './support/static-paths.js';

/** One container group that runs collectstatic at start into a shared STATIC_ROOT. */
interface Runner {
  readonly service: ComposeService;
  readonly run: CollectstaticRun;
  readonly containers: number;
  readonly root: { readonly value: string; readonly span: RelatedLocation['span'] };
  readonly where: SharedLocation;
}

export default defineRule({
  meta: {
    id: 'collectstatic-race',
    description: 'Reports collectstatic run at start by every replica of an app into the same shared STATIC_ROOT',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: "Follows each app container's start-up (compose `command:`/`entrypoint:`, the image's ENTRYPOINT/CMD and the entrypoint scripts they run, read statically) to a `manage.py collectstatic` (or `django-admin collectstatic`) that runs before the app server, and reads `STATIC_ROOT` from the settings the container loads. When more than one container runs it (`deploy.replicas`/`scale:`, or numbered services of one tier) and `STATIC_ROOT` lies in a named volume or bind mount those containers share, every start of every replica rewrites the same folder. `--clear` makes it worse: each start first deletes every file in it.",
      why: "collectstatic is not atomic. While one replica copies (and, with ManifestStaticFilesStorage, rewrites `staticfiles.json` and the hashed names), the others are serving from the same folder: nginx or WhiteNoise answers 404 or a half-written file, and two replicas saving the same file at once make Django's storage pick a new name (`app_AbC123.css`). With `--clear`, a replica restarting during a rolling update deletes the files the running ones serve. Static files are the same for every replica: collect them once, in the image build (`RUN manage.py collectstatic`) or a one-shot service that the app services depend on (https://docs.djangoproject.com/en/stable/howto/static-files/deployment/).",
      notes: "A STATIC_ROOT that cannot be read (a path built from `__file__`, an unset variable), a collectstatic inside an `if` on an unknown value, or replicas with their own (anonymous or tmpfs) volume keep the rule silent. One container running it is fine.",
    },
  },
  check({ stack, facts, report, where }) {
    const runners: Runner[] = [];
    for (const app of stack.data.apps) {
      const svc = app.service;
      const run = collectstaticAtStart(stack, svc);
      if (!run) continue;
      const count = facts.concurrency.of(svc)?.containers ?? containerCount(svc);
      if (count.kind !== 'known') continue;
      const root = settingPath(app, stack, 'STATIC_ROOT');
      if (!root) continue;
      const view = stack.view(svc);
      const loc = view ? sharedLocation(view.spec.mounts, root.value) : undefined;
      if (!loc) continue;
      runners.push({ service: svc, run, containers: count.value, root: { value: root.value, span: root.span }, where: loc });
    }
    // Services of one tier (web-1..web-3) that write the same files race like replicas of one service.
    const groups = new Map<string, Runner[]>();
    for (const r of runners) {
      const key = `${stack.tierOf(r.service)?.name ?? r.service.name}\0${r.where.key}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      const containers = group.reduce((n, r) => n + r.containers, 0);
      if (containers < 2) continue;
      const first = group[0]!;
      const svc = first.service;
      const replicas = group.length === 1
        ? `${containers} replicas of ${svc.name} (${svc.replicas ? `replicas: ${containers}, ${where(svc.replicas.span)}` : 'numbered'})`
        : `${containers} containers of ${stack.tierOf(svc)?.name ?? svc.name} (${listNames(group.map((r) => `${r.service.name}${r.containers > 1 ? ` x ${r.containers}` : ''}`), 4)})`;
      const clear = group.some((r) => r.run.clear);
      const related: RelatedLocation[] = [
        { span: first.root.span, message: `STATIC_ROOT is ${first.root.value}` },
        { span: first.where.mount.span, message: `${first.root.value} is in ${first.where.source}, shared by every replica` },
      ];
      if (svc.replicas && group.length === 1) related.push({ span: svc.replicas.span, message: `${svc.name} runs ${containers} containers` });
      for (const r of group.slice(1, 4)) related.push({ span: r.run.span, message: `${r.service.name} runs collectstatic here too` });
      report({
        span: first.run.span,
        message: `collectstatic${clear ? ' --clear' : ''} runs at start in each of ${replicas}, and STATIC_ROOT ${first.root.value} (${where(first.root.span)}) is in ${first.where.source} (${where(first.where.mount.span)}) that all of them share: ${clear ? 'every start deletes the files the running replicas are serving, then copies them back' : 'every start rewrites the files the running replicas are serving'}, and replicas starting together write the same files at once`,
        related,
        hint: 'collect static files once: in the image build (RUN python manage.py collectstatic --noinput) or in a one-shot service the app services depend on',
        key: `${stack.tierOf(svc)?.name ?? svc.name}:${first.where.key}`,
      });
    }
  },
});
