import { posix } from 'node:path';
import type { RelatedLocation } from '../src/core/finding.js';
import { defineRule } from '../src/engine/rule.js';
import { childrenNamed, inherited, type NginxLocation, type NginxNode } from '../src/inputs/nginx.js';
import type { ContainerView } from '../src/container/types.js';
import type { DjangoApp } from '../src/inputs/django.js';
import type { ProxyService, Stack } from '../src/stack/stack.js';
import { passTargets } from '../src/stack/topology.js';
import { pathIn, settingPath, settingUrlPath, sharedLocation } from './support/static-paths.js';

const KINDS = [
  { url: 'STATIC_URL', root: 'STATIC_ROOT', files: 'static files', writer: 'collectstatic writes the files' },
  { url: 'MEDIA_URL', root: 'MEDIA_ROOT', files: 'uploaded media', writer: 'Django saves uploads' },
] as const;

export default defineRule({
  meta: {
    id: 'static-files',
    description: "Reports nginx serving STATIC_URL or MEDIA_URL from a folder that is not where the app's STATIC_ROOT or MEDIA_ROOT lands in the volume they share",
    defaultSeverity: 'error',
    category: 'topology',
    docs: {
      what: "For each nginx server block that proxies to a Django app, arena-lint takes `STATIC_URL`/`MEDIA_URL` and `STATIC_ROOT`/`MEDIA_ROOT` from the settings the app container loads, finds the location nginx picks for that URL (the longest prefix, unless a regex location wins) and the folder it serves it from (`alias`, or `root` plus the URL). It then follows both paths through each container's mounts to the named volume or bind-mounted repository folder behind them. When nginx and the app share that volume but the files land in one place and nginx looks in another (another sub-folder, another mount target, or `STATIC_ROOT` outside the volume nginx serves), the rule reports it with both paths.",
      why: "collectstatic and uploads write into the app container; nginx can only serve them if the same files appear where its `alias` or `root` points. A volume mounted at `/app/static` while `STATIC_ROOT` is `/app/staticfiles`, or `alias /vol/static/` while the volume is mounted at `/var/www/static`, makes every static file a 404 (admin without CSS, a blank single-page app), and uploaded media disappear for users while they are saved without an error.",
      notes: "Silent when any part is unknown: a setting built from `__file__` or an unset variable, a `STATIC_URL` on another host (a CDN), an nginx path with variables, a location that proxies to the app (WhiteNoise), a regex location that may win, or a folder nginx has from its own image rather than from a mount.",
    },
  },
  check({ stack, report, where }) {
    const seen = new Set<string>();
    for (const proxy of stack.proxies) {
      const nginxView = stack.view(proxy.service);
      if (!nginxView) continue;
      for (const server of serverBlocks(proxy)) {
        for (const app of appsBehind(stack, proxy, server)) {
          const appView = stack.view(app.service);
          if (!appView) continue;
          for (const kind of KINDS) {
            const url = settingUrlPath(app, kind.url);
            const root = settingPath(app, stack, kind.root);
            if (!url || !root) continue;
            const served = servingFolder(proxy, server, url.value);
            if (!served) continue;
            const nginxLoc = sharedLocation(nginxView.spec.mounts, served.path);
            const appLoc = sharedLocation(appView.spec.mounts, root.value);
            // Where nginx sees STATIC_ROOT, and where the app sees the folder nginx serves.
            const rootInNginx = appLoc ? pathIn(nginxView.spec.mounts, appLoc) : undefined;
            const servedInApp = nginxLoc ? pathIn(appView.spec.mounts, nginxLoc) : undefined;
            if (rootInNginx?.path === served.path || servedInApp?.path === root.value) continue;
            let contradiction: string;
            const related: RelatedLocation[] = [{ span: root.span, message: `${kind.root} is ${root.value}` }, { span: url.span, message: `${kind.url} is ${url.value}` }];
            if (rootInNginx && (nginxLoc || officialImageOnly(nginxView))) {
              contradiction = `${kind.root} ${root.value} (${where(root.span)}), where ${kind.writer}, is ${rootInNginx.path} in ${proxy.service.name} (${appLoc!.source}, ${where(appLoc!.mount.span)} and ${where(rootInNginx.mount.span)})${nginxLoc ? '' : `, and ${served.path} is outside every mount of ${proxy.service.name}, whose official image has nothing there`}`;
              related.push({ span: appLoc!.mount.span, message: `${app.service.name} mounts ${appLoc!.source} at ${appLoc!.mount.target}` }, { span: rootInNginx.mount.span, message: `${proxy.service.name} mounts ${appLoc!.source} at ${rootInNginx.mount.target}` });
            } else if (servedInApp) {
              const rootWhere = appLoc ? `in ${appLoc.source} (${where(appLoc.mount.span)})` : `in ${app.service.name}'s own filesystem, outside every volume`;
              contradiction = `${served.path} is ${nginxLoc!.source}, which ${app.service.name} mounts at ${servedInApp.mount.target} (${where(servedInApp.mount.span)})${servedInApp.path === servedInApp.mount.target.replace(/(.)\/$/, '$1') ? '' : ` and sees at ${servedInApp.path}`}, while ${kind.root} is ${root.value} (${where(root.span)}), ${rootWhere}`;
              related.push({ span: nginxLoc!.mount.span, message: `${proxy.service.name} mounts ${nginxLoc!.source} at ${nginxLoc!.mount.target}` }, { span: servedInApp.mount.span, message: `${app.service.name} mounts ${nginxLoc!.source} at ${servedInApp.mount.target}` });
            } else continue;
            const key = `${proxy.service.name}:${app.service.name}:${kind.url}:${served.path}`;
            if (seen.has(key)) continue;
            seen.add(key);
            report({
              span: served.directive.directive.span,
              message: `location ${served.location.match} serves ${kind.url} ${url.value} (${where(url.span)}) from ${served.path}, but ${contradiction}: nginx looks where ${kind.files} never land, and answers 404`,
              related,
              hint: rootInNginx
                ? `point ${served.directive.directive.name} at ${rootInNginx.path}${served.directive.directive.name === 'alias' ? '/' : ''}, or mount ${appLoc!.source} at the folder nginx serves`
                : `set ${kind.root} to ${servedInApp!.path}, or mount the volume at ${root.value} in ${app.service.name}`,
              key,
            });
          }
        }
      }
    }
  },
});

/** The `server` blocks of a proxy's configuration. */
function serverBlocks(proxy: ProxyService): NginxNode[] {
  const out = new Set<NginxNode>();
  for (const loc of proxy.nginx.locations) {
    const s = loc.node.parent;
    if (s?.directive.name === 'server') out.add(s);
  }
  return [...out];
}

/** The Django apps a server block proxies to. */
function appsBehind(stack: Stack, proxy: ProxyService, server: NginxNode): DjangoApp[] {
  const services = new Set(proxy.nginx.locations.filter((l) => l.node.parent === server && l.proxyPass).flatMap((l) => passTargets(stack, l.proxyPass!)));
  return stack.data.apps.filter((a) => services.has(a.service) && a.settings);
}

/** The folder a server block serves `url` from: the location nginx picks and its `alias` or `root`. */
function servingFolder(proxy: ProxyService, server: NginxNode, url: string): { path: string; location: NginxLocation; directive: NginxNode } | undefined {
  const uri = `${url.endsWith('/') ? url : `${url}/`}app.css`;
  const locations = proxy.nginx.locations.filter((l) => l.node.parent === server);
  let best: { loc: NginxLocation; prefix: string; stops: boolean } | undefined;
  const regexes: RegExp[] = [];
  for (const loc of locations) {
    const args = loc.node.directive.args.map((a) => a.value);
    if (args.length === 1 && !args[0]!.startsWith('@')) {
      if (uri.startsWith(args[0]!) && (!best || args[0]!.length > best.prefix.length)) best = { loc, prefix: args[0]!, stops: false };
    } else if (args.length === 2 && args[0] === '^~') {
      if (uri.startsWith(args[1]!) && (!best || args[1]!.length > best.prefix.length)) best = { loc, prefix: args[1]!, stops: true };
    } else if (args.length === 2 && (args[0] === '~' || args[0] === '~*')) {
      try {
        regexes.push(new RegExp(args[1]!, args[0] === '~*' ? 'i' : ''));
      } catch {
        return undefined; // A pattern JavaScript cannot read may match: unknown.
      }
    } else if (args.length === 2 && args[0] === '=') {
      if (args[1] === uri) return undefined;
    } else if (!(args.length === 1 && args[0]!.startsWith('@'))) return undefined;
  }
  if (!best) return undefined;
  if (!best.stops && regexes.some((r) => r.test(uri))) return undefined;
  const loc = best.loc;
  // The app serves the files itself (WhiteNoise), or the location redirects: not nginx's folder.
  if (loc.proxyPass || loc.node.children.some((c) => c.directive.name === 'location' || c.directive.name === 'return' || c.directive.name === 'rewrite' || c.directive.name === 'if')) return undefined;
  const alias = childrenNamed(loc.node, 'alias')[0];
  if (alias) {
    const a = alias.directive.args[0]?.value;
    if (!a || a.includes('$') || !a.startsWith('/')) return undefined;
    // `location /static/ { alias /vol/static; }` serves /vol/staticapp.css: nginx-alias-traversal's case, not a folder.
    if (best.prefix.endsWith('/') !== a.endsWith('/') && url.slice(best.prefix.length) === '') return undefined;
    return { path: clean(posix.join(a, url.slice(best.prefix.length))), location: loc, directive: alias };
  }
  const root = inherited(loc.node, 'root')[0];
  const r = root?.directive.args[0]?.value;
  if (!root || !r || r.includes('$') || !r.startsWith('/')) return undefined;
  return { path: clean(posix.join(r, url)), location: loc, directive: root };
}

/**
 * An nginx container that runs an official image as it is (no build): its own files are the image's,
 * which hold nothing but nginx's defaults, so a folder outside its mounts is empty.
 */
function officialImageOnly(view: ContainerView): boolean {
  if (view.spec.build || view.spec.image?.kind !== 'known') return false;
  return /^(docker\.io\/)?(library\/)?(nginx|nginxinc\/nginx-unprivileged)(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/.test(view.spec.image.value);
}

function clean(p: string): string {
  return posix.normalize(p).replace(/(.)\/$/, '$1');
}
