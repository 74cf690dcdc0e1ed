import type { RelatedLocation } from '../src/core/finding.js';
import { defineRule } from '../src/engine/rule.js';
import { describeGroup } from '../src/facts/concurrency.js';
import { passTargets } from '../src/stack/topology.js';
import { formatSeconds, streamSignals } from './support/streaming.js';

export default defineRule({
  meta: {
    id: 'streaming-sync-workers',
    description: 'Reports a streaming or server-sent-events location served by sync or threaded WSGI workers, where each open stream holds a worker',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: "Finds locations that proxy long-lived streams: a location that names `text/event-stream`, a location named for events (`/sse`, `/events`) with its own read timeout of 5 minutes or more, or a location that turns `proxy_buffering off` and sets its own read timeout of 5 minutes or more. When the app servers behind it run a fixed number of request slots (gunicorn `sync` or `gthread` workers, uWSGI processes and threads, WSGI servers with threads), the rule reports the stream with the slot count from the stack's concurrency fact (replicas x workers x threads).",
      why: "A WSGI worker serves one request per thread from start to end, and a streaming response (`StreamingHttpResponse` for server-sent events, long polling) lasts as long as the client stays connected. Each open stream takes one slot for minutes or hours: with 3 replicas x 4 sync workers, the 13th browser tab that opens the stream, and every ordinary page request behind it, waits in the backlog until a stream ends or nginx's timeout gives up. gunicorn's docs name async workers (gevent, eventlet) or an ASGI server for long-lived connections (https://docs.gunicorn.org/en/stable/design.html#choosing-a-worker-type).",
      notes: "gevent and eventlet workers, uvicorn workers and ASGI servers are not reported: they hold many streams per process. A worker count that cannot be known keeps the rule silent. A location with only a long read timeout (a slow report) or only `proxy_buffering off` (a large download) is not a stream.",
    },
  },
  check({ stack, facts, report, where }) {
    const seen = new Set<string>();
    for (const proxy of stack.proxies) {
      for (const loc of proxy.nginx.locations) {
        const s = streamSignals(proxy.nginx, loc);
        if (!s) continue;
        const bufferingOffHere = s.buffering?.parent === loc.node && !s.bufferingOn;
        if (!s.isEventStream && !(bufferingOffHere && s.longRead)) continue;
        const targets = new Set(passTargets(stack, s.pass));
        for (const group of facts.concurrency.groups) {
          if (group.unit !== 'threads' || !group.services.some((svc) => targets.has(svc))) continue;
          const app = group.app;
          if (app.protocol === 'asgi') continue;
          const key = `${group.name}\0${loc.node.directive.span.file}:${loc.node.directive.span.start}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const signal = s.eventStream
            ? `serves an event stream (${s.eventStream.directive.name} ${s.eventStream.directive.args.map((a) => a.raw).join(' ')}, ${where(s.eventStream.directive.span)})`
            : bufferingOffHere && s.longRead
              ? `streams responses (${s.names.buffering} off, ${where(s.buffering!.directive.span)}; ${s.names.read} ${formatSeconds(s.longRead.ms)}, ${where(s.longRead.node.directive.span)})`
              : `is named for server-sent events and holds connections open (${s.names.read} ${formatSeconds(s.longRead!.ms)}, ${where(s.longRead!.node.directive.span)})`;
          const cls = group.workerClass.value;
          const kind = app.server.kind === 'gunicorn' ? `gunicorn ${cls} workers` : `${app.server.kind} ${group.perWorker.value > 1 ? 'threads' : 'processes'}`;
          const held = s.longRead ? ` for up to ${formatSeconds(s.longRead.ms)}` : ' for as long as the client stays connected';
          const related: RelatedLocation[] = [
            { span: (s.eventStream ?? s.longRead?.node ?? loc.node).directive.span, message: `location ${loc.match} streams` },
            { span: s.pass.node.directive.span, message: `passes to ${group.name}` },
          ];
          const at = group.workerClass.span;
          if (at.file !== app.server.span.file || at.start !== app.server.span.start) related.push({ span: at, message: `${group.name} runs ${kind}` });
          report({
            span: app.server.span,
            message: `location ${loc.match} ${signal} to ${group.name}, which runs ${kind}: each open stream holds one of ${describeGroup(group)} = ${group.concurrency} request slots${held}, so client ${group.concurrency + 1} and every ordinary request behind it wait in the backlog`,
            related,
            hint: app.server.kind === 'gunicorn' ? `serve ${loc.match} from gevent workers (--worker-class gevent) or an ASGI server (uvicorn workers), or move the stream to a service that does` : `serve ${loc.match} from an async server (an ASGI server such as uvicorn or daphne, or gunicorn with gevent workers)`,
            key: `${group.name}:${loc.match}`,
          });
        }
      }
    }
  },
});
