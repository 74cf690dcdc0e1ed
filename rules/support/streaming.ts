import { parseNginxTime } from '../../src/facts/timeouts.js';
import type { NginxLocation, NginxModel, NginxNode } from '../../src/inputs/nginx.js';
import { inheritedSetting } from './nginx-inherit.js';

/** A location path named for server-sent events: `/sse`, `/events/`, `/event-stream`, `/eventstream`. */
const SSE_PATH = /(^|\/)(sse|events?|event-?stream)(\/|$|\s|\$)/i;

/** A read timeout this long, set on the location itself, is meant for a connection that stays open. */
export const LONG_READ_MS = 300_000;

/** The buffering switch and read timeout a pass kind obeys. */
const DIRECTIVES: Readonly<Record<string, { buffering: string; read: string; ignore: string }>> = {
  proxy_pass: { buffering: 'proxy_buffering', read: 'proxy_read_timeout', ignore: 'proxy_ignore_headers' },
  uwsgi_pass: { buffering: 'uwsgi_buffering', read: 'uwsgi_read_timeout', ignore: 'uwsgi_ignore_headers' },
};

/** What makes a location an event stream or a long-lived stream, each with the directive that says so. */
export interface StreamSignals {
  readonly loc: NginxLocation;
  readonly pass: NonNullable<NginxLocation['proxyPass']>;
  readonly names: { readonly buffering: string; readonly read: string; readonly ignore: string };
  /** A directive of the location that names `text/event-stream` (an Accept or Content-Type header, default_type). */
  readonly eventStream?: NginxNode;
  /** The location's own read timeout when it is at least LONG_READ_MS. */
  readonly longRead?: { readonly node: NginxNode; readonly ms: number };
  /** The buffering directive in force (here or inherited); undefined when buffering is nginx's default, on. */
  readonly buffering?: NginxNode;
  readonly bufferingOn: boolean;
  /** `proxy_ignore_headers X-Accel-Buffering` in force: the app cannot turn buffering off per response. */
  readonly ignoresAccel?: NginxNode;
  /**
   * An event stream: `text/event-stream` named in the location, or an SSE-named path with its own long
   * read timeout that does not pass the websocket Upgrade header.
   */
  readonly isEventStream: boolean;
}

export function streamSignals(model: NginxModel, loc: NginxLocation): StreamSignals | undefined {
  const pass = loc.proxyPass;
  if (!pass) return undefined;
  const names = DIRECTIVES[pass.kind];
  if (!names) return undefined;
  const own = [...loc.node.children, ...loc.node.children.filter((c) => c.directive.name === 'if').flatMap((c) => c.children)];
  const eventStream = own.find((c) => c.directive.args.some((a) => a.value.toLowerCase().includes('text/event-stream')))
    ?? (loc.node.directive.args.some((a) => a.value.toLowerCase().includes('text/event-stream')) ? loc.node : undefined);
  const readNode = loc.node.children.find((c) => c.directive.name === names.read);
  const readMs = readNode ? parseNginxTime(readNode.directive.args[0]?.value ?? '') : undefined;
  const longRead = readNode && readMs !== undefined && readMs >= LONG_READ_MS ? { node: readNode, ms: readMs } : undefined;
  const buffering = inheritedSetting(model, pass.node, names.buffering)[0];
  const value = buffering?.directive.args[0]?.value;
  // A location that passes Upgrade proxies websockets (`/events` of taiga-events): after the handshake
  // nginx relays the socket unbuffered, and the long read timeout is for the socket, not for a stream.
  const websocket = inheritedSetting(model, pass.node, 'proxy_set_header').some((h) => h.directive.args[0]?.value.toLowerCase() === 'upgrade');
  const ignoresAccel = inheritedSetting(model, pass.node, names.ignore).find((n) => n.directive.args.some((a) => a.value.toLowerCase() === 'x-accel-buffering'));
  return {
    loc, pass, names,
    ...(eventStream ? { eventStream } : {}),
    ...(longRead ? { longRead } : {}),
    ...(buffering ? { buffering } : {}),
    bufferingOn: value === undefined || value === 'on',
    ...(ignoresAccel ? { ignoresAccel } : {}),
    isEventStream: eventStream !== undefined || (longRead !== undefined && !websocket && SSE_PATH.test(loc.match)),
  };
}

/** `600s`, `1h`. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s % 3600 === 0 ? `${s / 3600}h` : `${s}s`;
}
