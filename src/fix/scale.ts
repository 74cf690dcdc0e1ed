import type { Finding } from '../core/finding.js';
import { insertAt, textEdit, type TextEdit } from '../core/fix.js';
import type { SourceFile } from '../core/source.js';
import type { Span, Value } from '../core/value.js';
import { check, UsageError, type CheckOptions, type CheckRun } from '../engine/run.js';
import type { ComposeService } from '../inputs/compose.js';
import type { ReplicaTier, Stack } from '../stack/stack.js';
import { resolvedUpstreams, type ResolvedUpstreamServer } from '../stack/topology.js';
import { applyEdits, planFixes, type FileChange } from './apply.js';
import { rawText, secretScrubber } from './loop.js';
import { addServerLines, removeDirectiveLine } from './nginx.js';
import { eolOf, isLiteralAt } from './text.js';
import { addNamesAfter, entryLines, isMap, isScalar, isSeq, namesIn, pairKey, parseForEdit, removeName, servicesMap } from './yaml.js';
import type { Node, Pair, YAMLMap } from 'yaml';

/** What `arena-lint scale TIER --replicas N` was asked to do. */
export interface ScaleRequest {
  readonly tier: string;
  readonly replicas: number;
  readonly workers?: number;
  readonly threads?: number;
  /** The compose file (root-relative) of the stack, when several stacks have the tier. */
  readonly stack?: string;
}

export interface ScalePlan {
  readonly stack: string;
  readonly before: CheckRun;
  /** The check of the scaled files (nothing written). */
  readonly after: CheckRun;
  readonly changes: readonly FileChange[];
  /** One line per kind of edit, for the terminal. */
  readonly steps: readonly string[];
  /** Findings of the scaled stack that the current one does not have. */
  readonly newFindings: readonly Finding[];
  /** Masks secrets in a printed line of the diff. */
  readonly scrub: (line: string) => string;
}

/** A tier as `scale` sees it: numbered replicas (`web-1`..`web-N`), or one service with a replica count. */
type ScaleTarget =
  | { readonly kind: 'numbered'; readonly tier: ReplicaTier; readonly prefix: string; readonly numbers: readonly number[] }
  | { readonly kind: 'count'; readonly service: ComposeService; readonly count: number; readonly span: Span };

function numberOf(name: string): number | undefined {
  const m = /(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function findTarget(stack: Stack, name: string): ScaleTarget | undefined {
  const tier = stack.tiers.find((t) => t.name === name && t.numbered);
  if (tier) {
    const last = tier.replicas[tier.replicas.length - 1]!;
    const prefix = last.name.replace(/\d+$/, '');
    if (tier.replicas.every((r) => r.name.startsWith(prefix) && numberOf(r.name) !== undefined)) {
      return { kind: 'numbered', tier, prefix, numbers: tier.replicas.map((r) => numberOf(r.name)!) };
    }
  }
  const svc = stack.service(name);
  if (!svc) return undefined;
  if (svc.replicas?.kind === 'known') return { kind: 'count', service: svc, count: svc.replicas.value, span: svc.replicas.span };
  const scale = svc.settings.get('scale');
  if (scale && typeof scale.data === 'number') return { kind: 'count', service: svc, count: scale.data, span: scale.span };
  if (scale && typeof scale.data === 'string' && /^\d+$/.test(scale.data)) return { kind: 'count', service: svc, count: Number(scale.data), span: scale.span };
  return { kind: 'count', service: svc, count: 1, span: svc.nameSpan };
}

/** Renumbers what identifies replica `from` in a line of its service (its name, a number glued to a name). */
export function renumber(line: string, prefix: string, from: number, to: number): string {
  const esc = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return line
    .replace(new RegExp(`(?<![A-Za-z0-9_.-])${esc}${from}(?!\\d)`, 'g'), `${prefix}${to}`)
    .replace(new RegExp(`(?<=[A-Za-z_-])${from}(?![\\d.])`, 'g'), String(to));
}

/** YAML anchors are defined once; a copied service must not define them again. */
function withoutAnchors(line: string): string {
  return line.replace(/(^|[\s:\-[{,])&[^\s,[\]{}]+[ \t]?/g, '$1');
}

interface ServiceBlock {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

function serviceBlocks(file: SourceFile): ServiceBlock[] | undefined {
  const doc = parseForEdit(file);
  const services = doc && servicesMap(doc);
  if (!services || services.flow) return undefined;
  return services.items.flatMap((p) => {
    const name = pairKey(p);
    const lines = entryLines(file.text, p);
    return name !== undefined && lines ? [{ name, ...lines }] : [];
  });
}

function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * The text of replica `to`, made from the last replica's block the way the file writes replicas: a line
 * that is the same in the last two replicas is copied; a line that differs only by the replica's own
 * number is renumbered; any other difference cannot be continued and throws.
 */
function cloneBlock(text: string, last: ServiceBlock, previous: ServiceBlock | undefined, prefix: string, lastN: number, prevN: number | undefined, to: number): string {
  const lines = splitLines(text.slice(last.start, last.end)).map(withoutAnchors);
  if (!previous || prevN === undefined) return lines.map((l) => renumber(l, prefix, lastN, to)).join('');
  const prev = splitLines(text.slice(previous.start, previous.end)).map(withoutAnchors);
  if (prev.length !== lines.length) {
    throw new UsageError(`${previous.name} and ${last.name} are not written alike (${prev.length} and ${lines.length} lines), so ${prefix}${to} cannot be written the way they are; align them first`);
  }
  return lines
    .map((l, i) => {
      if (l === prev[i]) return l;
      if (renumber(prev[i]!, prefix, prevN, lastN) === l) return renumber(l, prefix, lastN, to);
      throw new UsageError(`${previous.name} and ${last.name} differ in a way that is not their number:\n  ${prev[i]!.trimEnd()}\n  ${l.trimEnd()}\nso ${prefix}${to} cannot be written the way they are; align them first`);
    })
    .join('');
}

/** Edits of one pass: each is computed on the texts the pass started from. */
class EditSet {
  readonly edits: TextEdit[] = [];
  readonly steps: string[] = [];
  add(e: TextEdit | undefined, failure: string): void {
    if (!e) throw new UsageError(failure);
    this.edits.push(e);
  }
}

function sourceOf(stack: Stack, path: string): SourceFile {
  const f = stack.sources.get(path);
  if (!f) throw new UsageError(`cannot read ${path}`);
  return f;
}

/** The host a server line names for a replica, as the line it is copied from names its own. */
function hostFor(template: ResolvedUpstreamServer, name: string, prefix: string): string | undefined {
  const host = template.server.host!;
  const svc = template.service!;
  const n = numberOf(svc.name)!;
  const to = numberOf(name)!;
  if (host === svc.name) return name;
  const derived = renumber(host, prefix, n, to);
  return derived !== host ? derived : undefined;
}

function composeFilesOf(stack: Stack): string[] {
  return [...new Set(stack.services.map((s) => s.nameSpan.file))].sort();
}

/** Every list or map of service names in a compose file (depends_on, links, ...) with its node. */
function nameLists(file: SourceFile): Node[] {
  const doc = parseForEdit(file);
  const services = doc && servicesMap(doc);
  if (!services) return [];
  const out: Node[] = [];
  const walk = (n: unknown, depth: number) => {
    if (depth > 4 || !n) return;
    if (isSeq(n) || isMap(n)) out.push(n as Node);
    if (isSeq(n)) for (const i of n.items) walk(i, depth + 1);
    if (isMap(n)) for (const p of (n as YAMLMap).items) walk((p as Pair).value, depth + 1);
  };
  for (const p of services.items) walk(p.value, 0);
  return out;
}

/** Pass 1: replicas added or removed in compose, every upstream serving them, every list naming them. */
function topologyEdits(stack: Stack, target: ScaleTarget, replicas: number): EditSet {
  const set = new EditSet();
  if (target.kind === 'count') {
    if (target.count === replicas) return set;
    const svc = target.service;
    const file = sourceOf(stack, target.span.file);
    if (svc.replicas?.kind === 'known' || svc.settings.has('scale')) {
      const span = svc.replicas?.kind === 'known' ? svc.replicas.span : undefined;
      const at = span ?? scaleValueSpan(file, svc.name);
      if (!at || !isLiteralAt(file, at, String(target.count))) throw new UsageError(`the replica count of ${svc.name} is not written as a number (it comes through a variable or a template); set it where it is defined`);
      set.add(textEdit(at, String(replicas)), '');
      set.steps.push(`${svc.name}: replicas ${target.count} -> ${replicas} (${target.span.file})`);
      return set;
    }
    throw new UsageError(`${svc.name} is one service without deploy.replicas or scale:; add \`deploy: {replicas: ${replicas}}\` by hand, or name replicas ${svc.name}-1..${svc.name}-N`);
  }
  const { tier, prefix, numbers } = target;
  const n = numbers.length;
  if (replicas === n) return set;
  const highest = Math.max(...numbers);
  const adding = replicas > n ? Array.from({ length: replicas - n }, (_, i) => `${prefix}${highest + 1 + i}`) : [];
  const byNumber = [...tier.replicas].sort((a, b) => numberOf(a.name)! - numberOf(b.name)!);
  const removing = replicas < n ? byNumber.slice(replicas).map((r) => r.name) : [];
  if (replicas < 1) throw new UsageError('--replicas must be at least 1');

  // Compose: copy the last replica (in file order) for each new one, or delete the highest.
  const last = byNumber[byNumber.length - 1]!;
  const composePath = last.nameSpan.file;
  const compose = sourceOf(stack, composePath);
  const blocks = serviceBlocks(compose);
  if (!blocks) throw new UsageError(`${composePath}: services is not a block mapping arena-lint can edit`);
  if (adding.length) {
    const lastBlock = blocks.find((b) => b.name === last.name)!;
    const i = blocks.indexOf(lastBlock);
    const prevReplica = byNumber[byNumber.length - 2];
    const prevBlock = prevReplica && blocks.find((b) => b.name === prevReplica.name);
    // The separator the file puts between replicas (usually one blank line).
    const before = i > 0 ? compose.text.slice(blocks[i - 1]!.end, lastBlock.start) : '';
    const sep = /^\s*$/.test(before) ? before : eolOf(compose.text);
    const lastN = numberOf(last.name)!;
    const text = adding.map((name) => sep + cloneBlock(compose.text, lastBlock, prevBlock, prefix, lastN, prevReplica ? numberOf(prevReplica.name) : undefined, numberOf(name)!)).join('');
    const needsBreak = lastBlock.end === compose.text.length && !compose.text.endsWith('\n');
    set.add(insertAt(composePath, lastBlock.end, needsBreak ? eolOf(compose.text) + text : text), '');
    set.steps.push(`${composePath}: add ${adding.join(', ')} (copies of ${last.name})`);
  }
  if (removing.length) {
    for (const name of removing) {
      const svc = stack.service(name)!;
      const file = sourceOf(stack, svc.nameSpan.file);
      const fileBlocks = svc.nameSpan.file === composePath ? blocks : serviceBlocks(file);
      const k = fileBlocks?.findIndex((b) => b.name === name) ?? -1;
      if (!fileBlocks || k < 0) throw new UsageError(`cannot find ${name} in ${svc.nameSpan.file}`);
      const start = k > 0 ? fileBlocks[k - 1]!.end : fileBlocks[k]!.start;
      set.add(textEdit({ file: file.path, start, end: fileBlocks[k]!.end }, ''), '');
    }
    set.steps.push(`${composePath}: remove ${removing.join(', ')}`);
  }

  // Every upstream that serves the tier: new server lines copy the tier's last one; removed replicas lose theirs.
  for (const u of resolvedUpstreams(stack)) {
    const ofTier = u.servers.filter((s) => s.service && tier.replicas.includes(s.service));
    if (ofTier.length < 2) continue;
    const file = sourceOf(stack, u.upstream.node.directive.span.file);
    const keep = ofTier.filter((s) => !removing.includes(s.service!.name));
    if (adding.length) {
      // New lines copy the tier's last server line (same port and parameters) and follow it.
      const template = keep[keep.length - 1] ?? ofTier[ofTier.length - 1]!;
      const hosts = adding.map((name) => hostFor(template, name, prefix));
      if (hosts.some((h) => h === undefined)) throw new UsageError(`upstream ${u.upstream.name} names ${template.service!.name} as ${template.server.host}; cannot tell how to name ${adding[0]}`);
      const edit = addServerLines(file, { span: template.server.node.directive.span, address: template.server.address.span, host: template.server.host! }, hosts as string[]);
      set.add(edit, `upstream ${u.upstream.name}: its server lines cannot be copied as text (they hold variables or share a line)`);
      set.steps.push(`${file.path}: upstream ${u.upstream.name} += ${hosts.join(', ')}`);
    }
    const gone = ofTier.filter((s) => removing.includes(s.service!.name));
    for (const s of gone) set.add(removeDirectiveLine(file, s.server.node.directive.span), `upstream ${u.upstream.name}: the server line of ${s.service!.name} shares its line with another directive`);
    if (gone.length) set.steps.push(`${file.path}: upstream ${u.upstream.name} -= ${gone.map((s) => s.server.host).join(', ')}`);
  }

  // Every list naming replicas of the tier (nginx's depends_on, links, another service's depends_on).
  const tierNames = new Set(tier.replicas.map((r) => r.name));
  for (const path of composeFilesOf(stack)) {
    const file = sourceOf(stack, path);
    for (const list of nameLists(file)) {
      const names = namesIn(list);
      const listed = names.filter((x) => tierNames.has(x));
      if (listed.length < 2 && !(listed.length >= 1 && tier.replicas.length === 1)) continue;
      if (adding.length) {
        const anchor = [...listed].sort((a, b) => numberOf(a)! - numberOf(b)!).pop()!;
        set.add(addNamesAfter(file, list, anchor, adding), `${path}: the list naming ${listed.join(', ')} cannot be extended as text`);
        set.steps.push(`${path}: list with ${anchor} += ${adding.join(', ')}`);
      }
      const gone = listed.filter((x) => removing.includes(x));
      for (const name of gone) set.add(removeName(file, list, name), `${path}: cannot remove ${name} from its list`);
      if (gone.length) set.steps.push(`${path}: list -= ${gone.join(', ')}`);
    }
  }
  return set;
}

function scaleValueSpan(file: SourceFile, service: string): Span | undefined {
  const doc = parseForEdit(file);
  const svc = doc && servicesMap(doc)?.items.find((p) => pairKey(p) === service)?.value;
  if (!isMap(svc)) return undefined;
  const scale = svc.items.find((p) => pairKey(p) === 'scale')?.value;
  return isScalar(scale) && scale.range ? { file: file.path, start: scale.range[0], end: scale.range[1] } : undefined;
}

/**
 * The app server's worker and thread counts of a service, with where each is written. The one place
 * `scale` reads the app server model, so a change of that model is adapted here.
 */
export function appServerCounts(stack: Stack, svc: ComposeService): { workers?: Value<number>; threads?: Value<number>; command?: Span; kind?: string } | undefined {
  const app = stack.app(svc);
  if (!app) return undefined;
  const g = app.gunicorn;
  const first = app.server.argv[0]?.value.span;
  return { ...(g ? { workers: g.workers, threads: g.threads } : {}), ...(first ? { command: first } : {}), kind: app.server.kind };
}

/** Pass 2, on the texts of pass 1: `--workers`/`--threads` where each replica's app server takes them from. */
function concurrencyEdits(stack: Stack, target: ScaleTarget, req: ScaleRequest): EditSet {
  const set = new EditSet();
  const services = target.kind === 'numbered' ? stack.tiers.find((t) => t.name === target.tier.name)?.replicas ?? [] : [target.service];
  const seen = new Set<string>();
  const changed = { workers: new Set<string>(), threads: new Set<string>() };
  for (const svc of services) {
    const counts = appServerCounts(stack, svc);
    if (!counts?.command) throw new UsageError(`${svc.name} runs no app server arena-lint can read; --workers and --threads cannot be set`);
    if (counts.kind !== 'gunicorn') throw new UsageError(`${svc.name} runs ${counts.kind}; --workers and --threads are only edited for gunicorn`);
    for (const key of ['workers', 'threads'] as const) {
      const want = req[key];
      const v = counts[key];
      if (want === undefined || !v) continue;
      if (v.kind === 'unknown') throw new UsageError(`--${key} of ${svc.name} is unknown (${v.reason}); set it by hand`);
      if (v.value === want && !v.isDefault) continue;
      if (v.isDefault) {
        if (want === v.value) continue;
        const file = sourceOf(stack, counts.command.file);
        const word = file.text.slice(counts.command.start, counts.command.end);
        if (!/^(\S*\/)?gunicorn$/.test(word)) throw new UsageError(`${svc.name}: cannot add --${key} to its command; set it by hand`);
        const k = `${counts.command.file}:${counts.command.end}:${key}`;
        if (seen.has(k)) continue;
        seen.add(k);
        set.edits.push(insertAt(file.path, counts.command.end, ` --${key} ${want}`));
      } else {
        const file = sourceOf(stack, v.span.file);
        if (!isLiteralAt(file, v.span, String(v.value))) throw new UsageError(`--${key} of ${svc.name} is not written literally where it is set (${v.span.file}: a variable, a template or a computed value); set it by hand`);
        const k = `${v.span.file}:${v.span.start}`;
        if (seen.has(k)) continue;
        seen.add(k);
        set.edits.push(textEdit(v.span, String(want)));
      }
      changed[key].add(`${v.value} -> ${want}`);
    }
  }
  for (const key of ['workers', 'threads'] as const) if (changed[key].size) set.steps.push(`--${key} ${[...changed[key]].join(', ')} on ${services.length} service${services.length === 1 ? '' : 's'}`);
  return set;
}

function applyPass(run: CheckRun, overlay: Map<string, string>, originals: Map<string, { raw: string; shown: string }>, edits: readonly TextEdit[]): void {
  if (edits.length === 0) return;
  const plan = planFixes([{ title: 'scale', edits, safe: true }], (p) => rawText(run, p));
  if (plan.skipped.length) throw new UsageError(`internal: the scale edits overlap (${plan.skipped[0]!.reason})`);
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) byFile.set(e.span.file, [...(byFile.get(e.span.file) ?? []), e]);
  for (const [path, list] of byFile) {
    const text = rawText(run, path)!;
    if (!originals.has(path)) originals.set(path, { raw: text, shown: run.result.sources.get(path)?.text ?? text });
    overlay.set(path, applyEdits(text, list));
  }
}

/** A finding's identity across the resize: its rule, file and message with the numbers taken out. */
function findingKey(f: Finding): string {
  return `${f.ruleId}\0${f.span.file}\0${f.message.replace(/\d+(\.\d+)?/g, '#')}`;
}

/**
 * Plans `scale` without writing: builds the edits in two passes over in-memory texts (topology, then
 * the app server's counts on the scaled compose), and checks the result.
 */
export function planScale(opts: CheckOptions, req: ScaleRequest): ScalePlan {
  if (!Number.isInteger(req.replicas) || req.replicas < 1) throw new UsageError('--replicas needs a whole number of at least 1');
  const before = check(opts);
  const candidates = before.stacks.filter((s) => (req.stack ? s.name === req.stack : findTarget(s, req.tier) !== undefined));
  if (req.stack && candidates.length === 0) throw new UsageError(`no stack ${req.stack}; stacks: ${before.stacks.map((s) => s.name).join(', ') || 'none'}`);
  if (candidates.length === 0) throw new UsageError(`no stack has a tier or service named ${req.tier}`);
  if (candidates.length > 1) throw new UsageError(`several stacks have ${req.tier} (${candidates.map((s) => s.name).join(', ')}); choose one with --stack FILE`);
  const stack = candidates[0]!;
  const target = findTarget(stack, req.tier);
  if (!target) throw new UsageError(`${stack.name} has no tier or service named ${req.tier}`);

  const overlay = new Map<string, string>(opts.overlay ?? []);
  const originals = new Map<string, { raw: string; shown: string }>();
  const first = topologyEdits(stack, target, req.replicas);
  applyPass(before, overlay, originals, first.edits);
  const steps = [...first.steps];
  if (req.workers !== undefined || req.threads !== undefined) {
    const mid = first.edits.length ? check({ ...opts, overlay, rules: [] }) : before;
    const midStack = mid.stacks.find((s) => s.name === stack.name)!;
    const midTarget = findTarget(midStack, req.tier)!;
    const second = concurrencyEdits(midStack, midTarget, req);
    applyPass(mid, overlay, originals, second.edits);
    steps.push(...second.steps);
  }
  const after = originals.size ? check({ ...opts, overlay }) : before;
  const changes = [...originals.entries()]
    .map(([path, o]) => ({ path, original: o.raw, shown: o.shown, updated: overlay.get(path)! }))
    .filter((c) => c.original !== c.updated)
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const had = new Set(before.result.findings.map(findingKey));
  const newFindings = after.result.findings.filter((f) => !had.has(findingKey(f)));
  return { stack: stack.name, before, after, changes, steps, newFindings, scrub: secretScrubber(after) };
}
