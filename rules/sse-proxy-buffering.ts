import type { RelatedLocation } from '../src/core/finding.js';
import { defineRule } from '../src/engine/rule.js';
import { formatSeconds, streamSignals } from './support/streaming.js';

export default defineRule({
  meta: {
    id: 'sse-proxy-buffering',
    description: 'Reports a server-sent-events location that nginx proxies with response buffering on',
    defaultSeverity: 'warning',
    category: 'topology',
    docs: {
      what: "Finds locations that proxy an event stream: a directive in the location names `text/event-stream` (`proxy_set_header Accept text/event-stream`, `add_header Content-Type text/event-stream`, `default_type`, an `if ($http_accept ~ text/event-stream)`), or the location is named for events (`/sse`, `/events`, `/event-stream`) and sets its own read timeout of 5 minutes or more for the connection to stay open. The rule reports such a location when response buffering is in force there: `proxy_buffering` (`uwsgi_buffering` for `uwsgi_pass`) set to `on` in the location, server or http block, or not set at all (nginx's default is on). It says so more firmly when `proxy_ignore_headers X-Accel-Buffering` is in force, since the app then cannot turn buffering off either.",
      why: "With buffering on, nginx collects the upstream's response into its buffers (and a temporary file) before it sends it on: events reach the browser in bursts of 4-8 KB, or only when the stream ends, and EventSource clients see nothing for minutes, retry, and open more streams. An app can turn buffering off for one response with the `X-Accel-Buffering: no` header, which nginx honours unless `proxy_ignore_headers` lists it; configuring `proxy_buffering off;` (and `proxy_cache off;`) on the stream's location is the documented fix (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering).",
      notes: "The rule cannot see whether the app sends `X-Accel-Buffering: no` (django-eventstream does, a hand-written StreamingHttpResponse usually does not); the message names it as the other way out. A location named like an event stream without a long read timeout of its own, or without any other sign of a stream, is not reported. Forcing `Connection: upgrade` on a plain HTTP location is websocket-upgrade-headers' finding.",
    },
  },
  check({ stack, report, where }) {
    for (const proxy of stack.proxies) {
      for (const loc of proxy.nginx.locations) {
        const s = streamSignals(proxy.nginx, loc);
        if (!s || !s.isEventStream || !s.bufferingOn) continue;
        const why = s.eventStream
          ? `serves an event stream (${s.eventStream.directive.name} ${s.eventStream.directive.args.map((a) => a.raw).join(' ')}, ${where(s.eventStream.directive.span)})`
          : `is named for server-sent events and holds connections open (${s.names.read} ${formatSeconds(s.longRead!.ms)}, ${where(s.longRead!.node.directive.span)})`;
        const buffering = s.buffering ? `${s.names.buffering} is on (${where(s.buffering.directive.span)})` : `${s.names.buffering} is not set, and nginx buffers by default`;
        const related: RelatedLocation[] = [];
        if (s.eventStream) related.push({ span: s.eventStream.directive.span, message: 'the location serves text/event-stream' });
        else if (s.longRead) related.push({ span: s.longRead.node.directive.span, message: `read timeout ${formatSeconds(s.longRead.ms)} for long-lived connections` });
        if (s.buffering) related.push({ span: s.buffering.directive.span, message: `${s.names.buffering} on` });
        if (s.ignoresAccel) related.push({ span: s.ignoresAccel.directive.span, message: `${s.ignoresAccel.directive.name} drops X-Accel-Buffering from the app` });
        const escape = s.ignoresAccel
          ? `, and ${s.ignoresAccel.directive.name} X-Accel-Buffering (${where(s.ignoresAccel.directive.span)}) stops the app from turning it off`
          : ', unless the app sends X-Accel-Buffering: no with every stream';
        report({
          span: s.buffering && s.buffering.parent === loc.node ? s.buffering.directive.span : loc.node.directive.nameSpan,
          message: `location ${loc.match} ${why}, but ${buffering}${escape}: nginx holds the events in its buffers and sends them in bursts or when the stream ends, so clients see nothing and reconnect`,
          related,
          hint: `add proxy_buffering off; and proxy_cache off; to location ${loc.match}`.replace(/proxy_/g, s.names.buffering.startsWith('uwsgi') ? 'uwsgi_' : 'proxy_'),
        });
      }
    }
  },
});
