/**
 * Time values along the request path, each in the grammar of the program that reads it, converted to
 * milliseconds so a rule can compare nginx, gunicorn, pgbouncer, Django and PostgreSQL.
 */

const NGINX_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000,
};

/**
 * An nginx time (`ngx_parse_time`): one or more number+unit parts (`1m30s`), units ms, s, m, h, d, w,
 * M (30 days), y (365 days), case-sensitive; a bare number is seconds. Undefined when nginx would refuse it.
 * https://nginx.org/en/docs/syntax.html
 */
export function parseNginxTime(raw: string): number | undefined {
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const part = /(\d+)(ms|s|m|h|d|w|M|y)/y;
  let total = 0;
  let at = 0;
  while (at < raw.length) {
    while (raw[at] === ' ') at++;
    if (at >= raw.length) break;
    part.lastIndex = at;
    const m = part.exec(raw);
    if (!m) return undefined;
    total += Number(m[1]) * NGINX_UNITS_MS[m[2]!]!;
    at = part.lastIndex;
  }
  return at === 0 ? undefined : total;
}

/** `30s`, `1.5s`, `250ms`: a millisecond count in the unit every program of the chain understands. */
export function formatMillis(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${ms}ms`;
}
