import type { Fix } from '../core/fix.js';
import type { SourceSet } from '../core/source.js';
import type { Known } from '../core/value.js';
import { insertAt } from '../core/fix.js';
import { isLiteralAt } from './text.js';
import type { NginxNode } from '../inputs/nginx.js';
import { keepaliveTimeoutEdit, keepaliveTimeoutBelow, formatNginxTime } from './nginx.js';

/**
 * Fixes shared by more than one rule, built from directive nodes and numbers only, so a rule that is
 * split or renamed (timeout-chain's first link becomes upstream-keepalive-timeout) calls the same code.
 */
export function upstreamKeepaliveFix(
  sources: SourceSet,
  upstream: { readonly keepalive: NginxNode; readonly timeout?: NginxNode },
  appKeepAliveSeconds: number,
  upstreamName: string,
): Fix | undefined {
  const file = sources.get(upstream.keepalive.directive.span.file);
  const timeoutArg = upstream.timeout?.directive.args[0];
  if (!file || (upstream.timeout && !timeoutArg)) return undefined;
  if (upstream.timeout && upstream.timeout.directive.span.file !== file.path) return undefined;
  const edit = keepaliveTimeoutEdit(file, {
    keepalive: upstream.keepalive.directive.span,
    ...(upstream.timeout && timeoutArg ? { timeout: { span: upstream.timeout.directive.span, arg: timeoutArg.span } } : {}),
  }, appKeepAliveSeconds);
  if (!edit) return undefined;
  const value = formatNginxTime(keepaliveTimeoutBelow(appKeepAliveSeconds));
  return { title: `set keepalive_timeout ${value} in upstream ${upstreamName}, below the app server's keep-alive ${appKeepAliveSeconds}s`, edits: [edit], safe: true };
}

/**
 * Redis maxmemory at `budget` bytes, written in whole mb (Redis's 1024-based unit, rounded down): the
 * value is replaced where it is written literally; an absent one is appended to a redis-server command
 * written as one plain string (a list-form command, or a value from a variable, is not edited).
 */
export function redisMaxmemoryFix(sources: SourceSet, max: Known<string>, budget: number, service: string): { fix?: Fix } {
  const mb = Math.floor(budget / 1024 ** 2);
  if (mb <= 0) return {};
  const file = sources.get(max.span.file);
  if (!file) return {};
  const title = `set maxmemory ${mb}mb on ${service} (90% of its memory limit)`;
  if (!max.isDefault) {
    if (!isLiteralAt(file, max.span, max.value) || max.via?.length) return {};
    return { fix: { title, edits: [{ span: max.span, text: `${mb}mb` }], safe: true } };
  }
  const command = file.text.slice(max.span.start, max.span.end);
  if (!/^(\S*\/)?(redis|valkey|keydb)-server(\s|$)/.test(command) || /["',\[\]\n$]/.test(command)) return {};
  return { fix: { title, edits: [insertAt(file.path, max.span.end, ` --maxmemory ${mb}mb`)], safe: true } };
}
