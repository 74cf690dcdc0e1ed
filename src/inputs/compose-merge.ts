import { rangeOf } from '../parsers/mapped-text.js';
import { isNull, sliceText, textOf, valueOf, type ComposeEntry, type ComposeMap, type ComposeNode, type ComposeScalar } from './compose-tree.js';

/**
 * The compose specification's merge rules (compose-spec `merge.md`), applied to positioned trees:
 * - mappings merge recursively, the later file's value winning for scalars;
 * - sequences are appended, except:
 *   - `command`, `entrypoint` and `healthcheck.test` are replaced;
 *   - `volumes`, `secrets`, `configs` and `devices` are unique by their target path, `ports` by the
 *     whole port definition, `expose`, `dns`, `dns_search`, `env_file`, `tmpfs`, `cap_add`, `cap_drop`,
 *     `external_links`, `security_opt` and `profiles` by value;
 * - `environment`, `labels`, `annotations`, `extra_hosts`, `sysctls` (list or mapping), `depends_on`
 *   and `networks` (list or mapping) and `build` (string or mapping) are normalised to mappings and
 *   merged by key;
 * - a value tagged `!reset` removes the key, a value tagged `!override` replaces it whole.
 * Every node keeps the span of the file it came from.
 */

const REPLACED = new Set(['command', 'entrypoint']);
const UNIQUE_BY_TARGET = new Set(['volumes', 'secrets', 'configs', 'devices']);
const UNIQUE_BY_VALUE = new Set(['ports', 'expose', 'dns', 'dns_search', 'dns_opt', 'env_file', 'tmpfs', 'cap_add', 'cap_drop', 'external_links', 'security_opt', 'profiles', 'group_add', 'links']);
const KEY_VALUE = new Set(['environment', 'labels', 'annotations', 'extra_hosts', 'sysctls']);
const NAME_KEYED = new Set(['depends_on', 'networks']);

/** Merges the override service mapping `over` onto `base`. */
export function mergeService(base: ComposeMap, over: ComposeMap): ComposeMap {
  return mergeMaps(normaliseService(base), normaliseService(over), (key, a, b) => mergeServiceKey(key, a, b));
}

/** Merges two whole compose files: services by name, other top-level mappings recursively. */
export function mergeTopLevel(base: ComposeMap, over: ComposeMap): ComposeMap {
  return mergeMaps(base, over, (key, a, b) => {
    if (key === 'services' && a.kind === 'map' && b.kind === 'map') {
      return mergeMaps(a, b, (_name, s, t) => (s.kind === 'map' && t.kind === 'map' ? mergeService(s, t) : t));
    }
    return mergeGeneric(a, b);
  });
}

function mergeServiceKey(key: string, a: ComposeNode, b: ComposeNode): ComposeNode {
  if (REPLACED.has(key)) return b;
  if (key === 'healthcheck' && a.kind === 'map' && b.kind === 'map') {
    return mergeMaps(a, b, (k, x, y) => (k === 'test' ? y : mergeGeneric(x, y)));
  }
  if (UNIQUE_BY_TARGET.has(key) && a.kind === 'seq' && b.kind === 'seq') return uniqueBy(a, b, mountTarget);
  if (UNIQUE_BY_VALUE.has(key) && a.kind === 'seq' && b.kind === 'seq') return uniqueBy(a, b, (n) => JSON.stringify(plainKey(n)));
  return mergeGeneric(a, b);
}

function mergeGeneric(a: ComposeNode, b: ComposeNode): ComposeNode {
  if (a.kind === 'map' && b.kind === 'map') return mergeMaps(a, b, (_k, x, y) => mergeGeneric(x, y));
  if (a.kind === 'seq' && b.kind === 'seq') return { ...b, items: [...a.items, ...b.items] };
  return b;
}

function mergeMaps(a: ComposeMap, b: ComposeMap, merge: (key: string, a: ComposeNode, b: ComposeNode) => ComposeNode): ComposeMap {
  const entries: ComposeEntry[] = [...a.entries];
  for (const e of b.entries) {
    const i = entries.findIndex((x) => x.key === e.key);
    if (e.value.tag === '!reset') {
      if (i >= 0) entries.splice(i, 1);
      continue;
    }
    if (i < 0) {
      entries.push(e);
      continue;
    }
    const prev = entries[i]!;
    entries[i] = e.value.tag === '!override' ? e : { ...e, value: merge(e.key, prev.value, e.value) };
  }
  return { ...b, entries };
}

function uniqueBy(a: ComposeNode & { kind: 'seq' }, b: ComposeNode & { kind: 'seq' }, key: (n: ComposeNode) => string): ComposeNode {
  const items = [...a.items];
  for (const n of b.items) {
    const k = key(n);
    const i = items.findIndex((x) => key(x) === k);
    if (i >= 0) items[i] = n;
    else items.push(n);
  }
  return { ...b, items };
}

function plainKey(n: ComposeNode): unknown {
  if (n.kind === 'scalar') return textOf(n) ?? null;
  if (n.kind === 'seq') return n.items.map(plainKey);
  return Object.fromEntries(n.entries.map((e) => [e.key, plainKey(e.value)]));
}

/** The container path of a volume, secret, config or device entry (short or long syntax). */
export function mountTarget(n: ComposeNode): string {
  if (n.kind === 'map') return textOf(valueOf(n, 'target')) ?? textOf(valueOf(n, 'source')) ?? JSON.stringify(plainKey(n));
  const t = textOf(n) ?? '';
  const parts = t.split(':');
  // `src:target[:mode]`, `target`; a secret or config short form is its name.
  return parts.length >= 2 ? parts[1]! : parts[0]!;
}

/** Service keys with two spellings become one mapping, so two files merge key by key. */
export function normaliseService(svc: ComposeMap): ComposeMap {
  let changed = false;
  const entries = svc.entries.map((e) => {
    let value = e.value;
    if (KEY_VALUE.has(e.key) && value.kind === 'seq') value = keyValueMap(value);
    else if (NAME_KEYED.has(e.key) && value.kind === 'seq') value = nameMap(value);
    else if (e.key === 'build' && value.kind === 'scalar' && !isNull(value)) {
      value = { kind: 'map', span: value.span, dir: value.dir, entries: [{ key: 'context', keySpan: value.span, value, via: [] }] };
    } else return e;
    changed = true;
    return value.tag === e.value.tag ? { ...e, value } : { ...e, value: e.value.tag ? { ...value, tag: e.value.tag } : value };
  });
  return changed ? { ...svc, entries } : svc;
}

/** `- KEY=value` items as `KEY: value` entries; `- KEY` (taken from the shell) becomes a null value. */
function keyValueMap(seq: ComposeNode & { kind: 'seq' }): ComposeMap {
  const entries: ComposeEntry[] = [];
  for (const item of seq.items) {
    if (item.kind !== 'scalar' || !item.text) continue;
    const t = item.text;
    const eq = t.text.indexOf('=');
    const keyEnd = eq < 0 ? t.text.length : eq;
    const key = t.text.slice(0, keyEnd).trim();
    const keySpan = rangeOf(t, 0, keyEnd).span;
    const value: ComposeScalar = eq < 0
      ? { kind: 'scalar', span: item.span, dir: item.dir }
      : { kind: 'scalar', span: item.span, dir: item.dir, text: sliceText(t, eq + 1, t.text.length) };
    const i = entries.findIndex((x) => x.key === key);
    const entry = { key, keySpan, value, via: [] };
    if (i >= 0) entries[i] = entry;
    else entries.push(entry);
  }
  return { kind: 'map', span: seq.span, dir: seq.dir, entries };
}

/** `- name` items as `name:` entries with a null value. */
function nameMap(seq: ComposeNode & { kind: 'seq' }): ComposeMap {
  const entries: ComposeEntry[] = [];
  // A Set, not a scan of the entries: nginx's `depends_on` lists every replica of a large stack.
  const seen = new Set<string>();
  for (const item of seq.items) {
    const name = textOf(item);
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    entries.push({ key: name, keySpan: item.span, value: { kind: 'scalar', span: item.span, dir: item.dir }, via: [] });
  }
  return { kind: 'map', span: seq.span, dir: seq.dir, entries };
}

/** Drops what a `!reset` left behind where there was nothing to reset. */
export function withoutResets(node: ComposeNode): ComposeNode {
  // A subtree without a `!reset` is returned as it is: copying all of a 1000-service project for
  // none was a twentieth of reading it.
  if (node.kind === 'map') {
    let changed = false;
    const entries: typeof node.entries[number][] = [];
    for (const e of node.entries) {
      if (e.value.tag === '!reset') {
        changed = true;
        continue;
      }
      const value = withoutResets(e.value);
      if (value !== e.value) changed = true;
      entries.push(value === e.value ? e : { ...e, value });
    }
    return changed ? { ...node, entries } : node;
  }
  if (node.kind === 'seq') {
    let changed = false;
    const items: ComposeNode[] = [];
    for (const n of node.items) {
      if (n.tag === '!reset') {
        changed = true;
        continue;
      }
      const item = withoutResets(n);
      if (item !== n) changed = true;
      items.push(item);
    }
    return changed ? { ...node, items } : node;
  }
  return node;
}
