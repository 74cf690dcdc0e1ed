import { insertAt, textEdit, type TextEdit } from '../core/fix.js';
import type { SourceFile } from '../core/source.js';
import type { Span } from '../core/value.js';
import { eolOf, indentAt, lineStart, nextLineStart, standsAlone } from './text.js';

/** nginx comments run from `#` to the end of the line. */
const TRAILING_COMMENT = /^\s*(#.*)?\r?$/;

/** A `server` line of an upstream, by the spans the nginx reader gives. */
export interface ServerLine {
  /** The whole directive, `server` to `;`. */
  readonly span: Span;
  /** The address argument (`web-3:8000`). */
  readonly address: Span;
  /** The host name inside the address. */
  readonly host: string;
}

/**
 * Lines after `template`, one per host, each a copy of the template's directive with its host replaced:
 * the same port and parameters (`max_fails=3 weight=1`) and the same indentation; a comment after the
 * template stays with it. Undefined when the line cannot be copied as text (it shares its line with
 * another directive, or holds variables that a template or the environment fills in).
 */
export function addServerLines(file: SourceFile, template: ServerLine, hosts: readonly string[]): TextEdit | undefined {
  const text = file.text;
  if (hosts.length === 0 || !standsAlone(text, template.span, TRAILING_COMMENT)) return undefined;
  const directive = text.slice(template.span.start, template.span.end);
  if (directive.includes('$')) return undefined;
  const address = text.slice(template.address.start, template.address.end);
  const at = address.indexOf(template.host);
  if (at < 0) return undefined;
  const hostStart = template.address.start - template.span.start + at;
  const eol = eolOf(text);
  const indent = indentAt(text, template.span.start);
  const lines = hosts.map((h) => `${indent}${directive.slice(0, hostStart)}${h}${directive.slice(hostStart + template.host.length)}${eol}`).join('');
  const end = nextLineStart(text, template.span.end);
  const needsBreak = end === text.length && !text.endsWith('\n');
  return insertAt(file.path, end, needsBreak ? eol + lines.slice(0, -eol.length) : lines);
}

/** Deletes a directive's whole line (with its comment); undefined when it shares the line with another directive. */
export function removeDirectiveLine(file: SourceFile, span: Span): TextEdit | undefined {
  if (!standsAlone(file.text, span, TRAILING_COMMENT)) return undefined;
  return textEdit({ file: file.path, start: lineStart(file.text, span.start), end: nextLineStart(file.text, span.end) }, '');
}

/** New directive lines right after `after` (a directive span), indented like it. */
export function addDirectivesAfter(file: SourceFile, after: Span, directives: readonly string[]): TextEdit | undefined {
  const text = file.text;
  if (directives.length === 0 || !standsAlone(text, after, TRAILING_COMMENT)) return undefined;
  const eol = eolOf(text);
  const indent = indentAt(text, after.start);
  const lines = directives.map((d) => `${indent}${d}${eol}`).join('');
  const end = nextLineStart(text, after.end);
  const needsBreak = end === text.length && !text.endsWith('\n');
  return insertAt(file.path, end, needsBreak ? eol + lines.slice(0, -eol.length) : lines);
}

/** nginx time as it is usually written: whole seconds as `Ns`, else milliseconds. */
export function formatNginxTime(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The longest idle time nginx may keep an upstream connection so that the app server never closes it
 * first: a second below the app's keep-alive, or half of it when that is a second or less.
 */
export function keepaliveTimeoutBelow(appKeepAliveSeconds: number): number {
  const ms = Math.round(appKeepAliveSeconds * 1000);
  return ms > 1000 ? ms - 1000 : Math.max(1, Math.floor(ms / 2));
}

/** The upstream's `keepalive` and `keepalive_timeout` directives, by span. */
export interface UpstreamKeepalive {
  readonly keepalive: Span;
  /** `keepalive_timeout`'s directive and its first argument, when written. */
  readonly timeout?: { readonly span: Span; readonly arg: Span };
}

/**
 * Makes an upstream's keepalive_timeout shorter than the shortest keep-alive of the app servers behind
 * it (timeout-chain's first link; `upstream-keepalive-timeout` once that rule is split out): the argument
 * is rewritten when written, else the directive is added after `keepalive`.
 */
export function keepaliveTimeoutEdit(file: SourceFile, upstream: UpstreamKeepalive, appKeepAliveSeconds: number): TextEdit | undefined {
  if (!(appKeepAliveSeconds > 0)) return undefined;
  const value = formatNginxTime(keepaliveTimeoutBelow(appKeepAliveSeconds));
  if (upstream.timeout) {
    const arg = file.text.slice(upstream.timeout.arg.start, upstream.timeout.arg.end);
    if (arg.includes('$')) return undefined;
    return textEdit(upstream.timeout.arg, value);
  }
  return addDirectivesAfter(file, upstream.keepalive, [`keepalive_timeout ${value};`]);
}
