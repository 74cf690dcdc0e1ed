import type { Span } from '../core/value.js';
import type { ComposeService } from '../inputs/compose.js';

/** One `ports:` entry as docker compose publishes it (compose-spec "ports"). */
export interface PublishedPort {
  /** The container port (first of a range). */
  readonly target: number;
  /** The host port; undefined when Docker picks one. */
  readonly published?: string;
  /** The host address it binds; undefined means every interface (0.0.0.0 and ::). */
  readonly hostIp?: string;
  readonly span: Span;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/;
const ANY = /^(0\.0\.0\.0|::|\[::\])$/;

/** True when the port is reachable on every interface of the host, not only on loopback (or one chosen address). */
export function onEveryInterface(p: PublishedPort): boolean {
  return p.hostIp === undefined || ANY.test(p.hostIp);
}

export function isLoopback(p: PublishedPort): boolean {
  return p.hostIp !== undefined && LOOPBACK.test(p.hostIp);
}

/** `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, with `[::1]` bracketed IPv6. */
function parseShort(text: string, span: Span): PublishedPort | undefined {
  const t = text.trim().replace(/\/(tcp|udp|sctp)$/i, '');
  let hostIp: string | undefined;
  let rest = t;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(t);
  if (v6) {
    hostIp = `[${v6[1]}]`;
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2) return undefined;
  const target = Number(parts.at(-1)!.split('-')[0]);
  if (!Number.isInteger(target) || target <= 0) return undefined;
  const published = parts.length === 2 ? parts[0] : undefined;
  return { target, ...(published ? { published } : {}), ...(hostIp !== undefined && hostIp !== '' ? { hostIp } : {}), span };
}

/** The service's published ports; entries that hold unknown values (an unset variable) are left out. */
export function publishedPorts(svc: ComposeService): PublishedPort[] {
  const data = svc.settings.get('ports')?.data;
  const items = Array.isArray(data) ? data : [];
  const out: PublishedPort[] = [];
  // svc.ports holds one entry (with its span) per item that has a value, in order.
  let i = 0;
  for (const item of items) {
    const entry = svc.ports[i];
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const o = item as Record<string, unknown>;
      if (o.target === undefined || !entry) continue;
      i++;
      const target = Number(String(o.target).split('-')[0]);
      if (!Number.isInteger(target) || String(o.host_ip ?? '').includes('$')) continue;
      const hostIp = o.host_ip !== undefined && o.host_ip !== '' ? String(o.host_ip) : undefined;
      out.push({ target, ...(o.published !== undefined ? { published: String(o.published) } : {}), ...(hostIp ? { hostIp } : {}), span: entry.span });
      continue;
    }
    if (!entry) break;
    i++;
    if (entry.value.kind !== 'known') continue;
    const p = parseShort(entry.value.value, entry.span);
    if (p) out.push(p);
  }
  return out;
}
