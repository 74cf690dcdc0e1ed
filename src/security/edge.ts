import type { Span } from '../core/value.js';
import type { DjangoApp } from '../inputs/django.js';
import type { NginxLocation, NginxNode, ProxyPass } from '../inputs/nginx.js';
import { isPyList, type PyValue } from '../python/value.js';
import type { ProxyService, Stack } from '../stack/stack.js';
import { passTargets } from '../stack/topology.js';
import { effective, levelOf } from './nginx-levels.js';
import { once } from './stack-access.js';

/**
 * The edge of the stack: which nginx locations reach which Django app, what nginx sends it (the
 * headers in effect at the proxy_pass, includes and inheritance applied), and what the Django
 * settings that app runs say about trusting those headers. Built once per stack.
 */
export interface DjangoRoute {
  readonly proxy: ProxyService;
  readonly location: NginxLocation;
  readonly pass: ProxyPass;
  /** The server block the location sits in (undefined for a location outside one, e.g. a snippet). */
  readonly server?: NginxNode;
  readonly app: DjangoApp;
}

export function serverOf(node: NginxNode): NginxNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.directive.name === 'server') return p;
  return undefined;
}

export function djangoRoutes(stack: Stack): readonly DjangoRoute[] {
  return once(stack, 'security.django-routes', () => {
    const apps = stack.data.apps.filter((a) => a.settings !== undefined);
    const out: DjangoRoute[] = [];
    for (const proxy of stack.proxies) {
      for (const location of proxy.nginx.locations) {
        const pass = location.proxyPass;
        if (!pass || pass.kind !== 'proxy_pass') continue;
        const targets = new Set(passTargets(stack, pass));
        const seen = new Set<string>();
        for (const app of apps) {
          if (!targets.has(app.service)) continue;
          // Replicas running the same settings evaluation are one Django for these checks.
          const key = app.settings!.entry;
          if (seen.has(key)) continue;
          seen.add(key);
          const server = serverOf(location.node);
          out.push({ proxy, location, pass, app, ...(server ? { server } : {}) });
        }
      }
    }
    return out;
  });
}

/** A header nginx sends at a proxy_pass: the `proxy_set_header` in effect, or undefined when none sets it. */
export function sentHeader(route: DjangoRoute, name: string): NginxNode | undefined {
  const headers = effective(route.proxy.nginx, levelOf(route.pass.node), 'proxy_set_header');
  return headers.find((h) => h.directive.args[0]?.value.toLowerCase() === name.toLowerCase());
}

export type SettingLookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'set'; readonly value: PyValue & { kind: 'known' } };

/**
 * A module-level setting of the app's settings: set, absent (Django's default applies), or unknown
 * (its value, or whether a star import it cannot read sets it, is not known).
 */
export function setting(stack: Stack, app: DjangoApp, name: string): SettingLookup {
  const settings = app.settings;
  if (!settings) return { kind: 'unknown' };
  const v = settings.names.get(name);
  if (v) return v.kind === 'known' ? { kind: 'set', value: v } : { kind: 'unknown' };
  // `from somewhere import *` that could not be read may set it.
  const unread = new Set(settings.unresolvedImports.map((i) => i.module));
  for (const f of settings.files) {
    const text = stack.sources.get(f)?.text ?? '';
    for (const m of text.matchAll(/^\s*from\s+(\S+)\s+import\s+\*/gm)) {
      const mod = m[1]!;
      if ([...unread].some((u) => u === mod || u.endsWith(mod.replace(/^\.+/, '')))) return { kind: 'unknown' };
    }
  }
  return { kind: 'absent' };
}

/** The strings of a known list or tuple setting; undefined when any item is unknown or not a string. */
export function stringItems(v: PyValue): Array<{ value: string; span: Span }> | undefined {
  if (v.kind !== 'known') return undefined;
  if (v.value === null || typeof v.value !== 'object' || !isPyList(v.value)) return undefined;
  const out: Array<{ value: string; span: Span }> = [];
  for (const item of v.value.items) {
    if (item.kind !== 'known' || typeof item.value !== 'string') return undefined;
    out.push({ value: item.value, span: item.span });
  }
  return out;
}

/** `HTTP_X_FORWARDED_PROTO` (a META key) as the header nginx sets: `X-Forwarded-Proto`. */
export function headerOfMetaKey(key: string): string | undefined {
  if (!key.startsWith('HTTP_')) return undefined;
  return key.slice(5).split('_').map((w) => w.charAt(0) + w.slice(1).toLowerCase()).join('-');
}

/** True when the server block terminates TLS itself (`listen 443 ssl`, `listen ... quic`, `ssl on`). */
export function terminatesTls(server: NginxNode | undefined): boolean {
  if (!server) return false;
  return server.children.some((c) => (c.directive.name === 'listen' && c.directive.args.some((a) => a.value === 'ssl' || a.value === 'quic'))
    || (c.directive.name === 'ssl' && c.directive.args[0]?.value === 'on'));
}

/** The exact names a server block answers to (`server_name`), leaving out `_`, wildcards and regexes. */
export function serverNames(server: NginxNode | undefined): Array<{ name: string; span: Span }> {
  if (!server) return [];
  return server.children.filter((c) => c.directive.name === 'server_name')
    .flatMap((c) => c.directive.args.map((a) => ({ name: a.value.toLowerCase().replace(/\.$/, ''), span: a.span })))
    .filter((n) => n.name !== '' && n.name !== '_' && !n.name.startsWith('~') && !n.name.includes('*') && !n.name.includes('$'));
}

/** Django's own host matching (django.http.request.validate_host): `*`, `.example.com`, exact, case-insensitive. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return patterns.some((p) => {
    const q = p.toLowerCase();
    if (q === '*') return true;
    if (q.startsWith('.')) return h === q.slice(1) || h.endsWith(q);
    return h === q;
  });
}

/** Django's host syntax check (django.http.request.host_validation_re): an underscore fails it. */
export function validHostSyntax(host: string): boolean {
  return /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?$/i.test(host);
}

/**
 * Django 4.0+'s Origin check (CsrfViewMiddleware._origin_verified): an Origin passes when it equals
 * the request's own `scheme://host`, is listed exactly in CSRF_TRUSTED_ORIGINS, or matches a
 * `scheme://*.domain` entry. Entries without a scheme match nothing (Django's check 4_0.E001).
 */
export function originTrusted(origin: string, goodOrigin: string | undefined, trusted: readonly string[]): boolean {
  const o = origin.toLowerCase();
  if (goodOrigin !== undefined && o === goodOrigin.toLowerCase()) return true;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/.exec(o);
  if (!m) return false;
  for (const t of trusted.map((x) => x.toLowerCase())) {
    if (!t.includes('*')) {
      if (t === o) return true;
      continue;
    }
    const tm = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/.exec(t);
    if (!tm || tm[1] !== m[1]) continue;
    // `https://*.example.com` keeps `.example.com`; django.utils.http.is_same_domain matches it.
    const pattern = tm[2]!.slice(tm[2]!.indexOf('*') + 1);
    const host = m[2]!;
    if (pattern.startsWith('.') ? host === pattern.slice(1) || host.endsWith(pattern) : host === pattern) return true;
  }
  return false;
}
