/**
 * Python's urllib.parse as database and cache URL helpers use it (urlsplit/urlparse, unquote,
 * parse_qs), for the URLs those helpers accept. Anything whose parsing we are not sure matches
 * Python's (whitespace, control or non-ASCII characters, malformed percent escapes) is refused,
 * so callers answer Unknown rather than a wrong value.
 */
export interface PyUrl {
  readonly scheme: string;
  readonly netloc: string;
  readonly path: string;
  readonly query: string;
  readonly username?: string;
  readonly password?: string;
  /** Lower-cased, IPv6 brackets removed; undefined when empty (Python's None). */
  readonly hostname?: string;
  readonly port?: number;
}

export type UrlResult = { ok: true; url: PyUrl } | { ok: false; reason: string; raises?: string };

export function urlsplit(text: string): UrlResult {
  if (/[^\x21-\x7e]/.test(text)) return { ok: false, reason: 'the URL has spaces, control or non-ASCII characters, whose parsing is not modelled' };
  let rest = text;
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  const at = netloc.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : netloc.slice(0, at);
  const hostinfo = at < 0 ? netloc : netloc.slice(at + 1);
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    username = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) password = userinfo.slice(colon + 1);
  }
  let host: string;
  let portText: string | undefined;
  if (hostinfo.startsWith('[')) {
    const close = hostinfo.indexOf(']');
    if (close < 0) return { ok: false, reason: "Invalid IPv6 URL", raises: 'ValueError' };
    host = hostinfo.slice(1, close);
    const after = hostinfo.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
  } else {
    const colon = hostinfo.indexOf(':');
    host = colon < 0 ? hostinfo : hostinfo.slice(0, colon);
    if (colon >= 0) portText = hostinfo.slice(colon + 1);
  }
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    if (!/^[0-9]+$/.test(portText)) return { ok: false, reason: `Port could not be cast to integer value as '${portText}'`, raises: 'ValueError' };
    port = Number(portText);
    if (port > 65535) return { ok: false, reason: 'Port out of range 0-65535', raises: 'ValueError' };
  }
  const url: { -readonly [K in keyof PyUrl]: PyUrl[K] } = { scheme, netloc, path, query };
  if (username !== undefined) url.username = username;
  if (password !== undefined) url.password = password;
  if (host !== '') url.hostname = host.toLowerCase();
  if (port !== undefined) url.port = port;
  return { ok: true, url };
}

/** urllib.parse.unquote (plus: unquote_plus); undefined when an escape does not decode as UTF-8. */
export function unquote(s: string, plus = false): string | undefined {
  const t = plus ? s.replace(/\+/g, ' ') : s;
  if (!t.includes('%')) return t;
  try {
    // Python leaves malformed escapes as they are; decodeURIComponent throws on them: refuse those.
    return decodeURIComponent(t);
  } catch {
    return undefined;
  }
}

/** urllib.parse.parse_qs with its defaults: `&`-separated, blank values dropped, later values appended. */
export function parseQs(query: string): Map<string, string[]> | undefined {
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = unquote(part.slice(0, eq), true);
    const value = unquote(part.slice(eq + 1), true);
    if (key === undefined || value === undefined) return undefined;
    if (value === '') continue;
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}
