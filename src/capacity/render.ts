import pc from 'picocolors';
import { formatBytes } from '../reference/units.js';
import { formatAmount, formatNumber } from '../facts/resources.js';
import type { CapacityReport, ResourceTotal, SourcedNumber, StackCapacity } from './contract.js';

/*
 * One layout, three renderings: the report becomes titled tables of plain strings, which the
 * terminal form aligns and the markdown form turns into GitHub tables. Every number cell has its
 * origin in the row's `source` column (`file:line`, `default`, `unknown`).
 */

interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  /** Columns aligned right (numbers). */
  readonly numeric: readonly boolean[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly notes: readonly string[];
}

interface StackSection {
  readonly title: string;
  readonly tables: readonly Table[];
}

const num = (n: number | null | undefined): string => (n === null || n === undefined ? 'unknown' : formatNumber(n, 1));
const cpus = (v: SourcedNumber | null): string => (v === null ? '-' : v.value === null ? 'unknown' : formatAmount('cpus', v.value));
const mem = (v: SourcedNumber | null): string => (v === null ? '-' : v.value === null ? 'unknown' : formatBytes(v.value));

/** `a.yml:28,29` from several `a.yml:28`, `a.yml:29`; `default` and `unknown` kept once. */
export function joinSources(sources: ReadonlyArray<string | undefined>): string {
  const byFile = new Map<string, string[]>();
  const words: string[] = [];
  for (const s of sources) {
    if (s === undefined) continue;
    const m = /^(.*):(\d+)$/.exec(s);
    if (!m) {
      if (!words.includes(s)) words.push(s);
      continue;
    }
    const lines = byFile.get(m[1]!) ?? [];
    if (!lines.includes(m[2]!)) lines.push(m[2]!);
    byFile.set(m[1]!, lines);
  }
  return [...[...byFile].map(([f, lines]) => `${f}:${lines.join(',')}`), ...words].join(' ') || '-';
}

function cite(v: SourcedNumber): string {
  if (v.value === null && v.source !== 'unknown' && v.note && !v.note.startsWith('no limit')) return `${v.source}, unknown: ${v.note}`;
  return v.source === 'unknown' ? `unknown${v.note ? `: ${v.note}` : ''}` : v.note ? `${v.source}, ${v.note}` : v.source;
}

export function planLines(report: CapacityReport): string[] {
  const p = report.plan;
  const lines = [
    `target ${num(p.targetRps.value)} RPS (${cite(p.targetRps)}) at ${num(p.latencyMs.value)} ms per request (${cite(p.latencyMs)})`,
    `worker memory budget ${p.workerMemoryBytes.value === null ? 'unknown' : formatBytes(p.workerMemoryBytes.value)} (${cite(p.workerMemoryBytes)})`,
  ];
  if (p.host) {
    lines.push(`host ${p.host.instance ? `${p.host.instance}: ` : ''}${p.host.cpus.value === null ? 'unknown' : p.host.cpus.value} CPUs (${cite(p.host.cpus)}), ${p.host.memoryBytes.value === null ? 'unknown' : formatBytes(p.host.memoryBytes.value)} (${cite(p.host.memoryBytes)})`);
  } else {
    lines.push('host not configured (add host: to .arena-lint.yaml to compare resources with a machine)');
  }
  return lines;
}

function sections(report: CapacityReport): StackSection[] {
  const latency = num(report.plan.latencyMs.value);
  return report.stacks.map((s) => ({ title: s.name, tables: [concurrencyTable(s, latency, report), resourcesTable(s), funnelTable(s)] }));
}

function concurrencyTable(s: StackCapacity, latency: string, report: CapacityReport): Table {
  const rows = s.tiers.map((t) => [
    t.services.length > 1 && t.name !== t.services[0] ? `${t.name} (${t.services[0]}..${t.services[t.services.length - 1]})` : t.name,
    String(t.replicas),
    num(t.workers.value),
    `${num(t.perWorker.value)}${t.perWorkerUnit === 'worker_connections' ? ' conns' : ''}`,
    String(t.concurrency),
    num(t.rpsAtLatency),
    num(t.rpsAt100ms),
    joinSources([t.workers.source, t.perWorker.source]),
  ]);
  for (const u of s.unknownTiers) rows.push([u.service, '-', '-', '-', 'unknown', 'unknown', 'unknown', `${u.source} (${u.reason})`]);
  if (s.tiers.length + s.unknownTiers.length > 1) {
    rows.push(['total', '', '', '', num(s.total.concurrency), num(s.total.rpsAtLatency), num(s.total.rpsAt100ms), 'computed']);
  }
  const notes: string[] = [];
  const target = report.plan.targetRps.value;
  if (s.total.meetsTarget !== null && target !== null) {
    notes.push(`${s.total.concurrency} concurrent requests / ${formatNumber((report.plan.latencyMs.value ?? 500) / 1000, 3)} s = ${num(s.total.rpsAtLatency)} RPS: ${s.total.meetsTarget ? 'meets' : 'below'} the target of ${num(target)} RPS`);
  } else if (s.tiers.length === 0 && s.unknownTiers.length === 0) notes.push('no app server (gunicorn, uvicorn, daphne, uwsgi) found in this stack');
  return {
    title: 'Concurrency (replicas x workers x threads)',
    headers: ['tier', 'replicas', 'workers', 'threads', 'concurrency', `RPS @ ${latency} ms`, 'RPS @ 100 ms', 'source'],
    numeric: [false, true, true, true, true, true, true, false],
    rows,
    notes,
  };
}

function resourcesTable(s: StackCapacity): Table {
  const r = s.resources;
  // Replicas of a tier with the same numbers are one row, like the seed's "15 Django containers".
  const rows: string[][] = [];
  let previous: { key: string; row: string[]; first: string; count: number } | undefined;
  for (const x of r.services) {
    const cells = [num(x.count.value), cpus(x.limits.cpus), mem(x.limits.memoryBytes), cpus(x.reservations.cpus), mem(x.reservations.memoryBytes)];
    const key = `${x.tier}\0${cells.join('\0')}`;
    if (x.tier !== null && previous?.key === key) {
      previous.count++;
      previous.row[0] = `${x.tier} (${previous.first}..${x.service})`;
      previous.row[1] = String(Number(previous.row[1]) + (x.count.value ?? 0));
      previous.row[6] = `${previous.row[6]!.replace(/ \(.*\)$/, '')} (${previous.first}; same in ${previous.count - 1} more)`;
      continue;
    }
    const row = [x.service, ...cells, joinSources([x.count.source === 'default' ? undefined : x.count.source, x.limits.cpus?.source, x.limits.memoryBytes?.source, x.reservations.cpus?.source, x.reservations.memoryBytes?.source])];
    rows.push(row);
    previous = { key, row, first: x.service, count: 1 };
  }
  const t = (v: ResourceTotal, f: (n: number) => string) => (v.value === null ? 'unknown' : f(v.value));
  const pct = (v: ResourceTotal) => (v.percentOfHost === null ? '-' : `${v.percentOfHost}%`);
  rows.push(['total', '', t(r.limits.cpus, (n) => formatAmount('cpus', n)), t(r.limits.memoryBytes, formatBytes), t(r.reservations.cpus, (n) => formatAmount('cpus', n)), t(r.reservations.memoryBytes, formatBytes), 'computed']);
  if (r.limits.cpus.percentOfHost !== null || r.limits.memoryBytes.percentOfHost !== null) {
    rows.push(['% of host', '', pct(r.limits.cpus), pct(r.limits.memoryBytes), pct(r.reservations.cpus), pct(r.reservations.memoryBytes), 'computed']);
  }
  const notes = [
    `CPU limits: ${r.limits.cpus.arithmetic}`,
    `memory limits: ${r.limits.memoryBytes.arithmetic} (compose units, 1024-based)`,
  ];
  const unset = [...new Set([...r.limits.cpus.unset, ...r.limits.memoryBytes.unset])];
  if (unset.length) notes.push(`without a limit (not counted): ${unset.join(', ')}`);
  return {
    title: 'Resources (per container; totals count every replica)',
    headers: ['service', 'containers', 'CPU limit', 'memory limit', 'CPU reserved', 'memory reserved', 'source'],
    numeric: [false, true, true, true, true, true, false],
    rows,
    notes,
  };
}

function funnelTable(s: StackCapacity): Table {
  return {
    title: 'Connection funnel (nginx to Postgres, then Redis)',
    headers: ['stage', 'connections', 'made of', 'source'],
    numeric: [false, true, false, false],
    rows: s.funnel.map((f) => [f.label, f.value.value === null ? (f.value.note?.startsWith('no limit') ? 'no limit' : 'unknown') : String(f.value.value), f.detail ?? '', cite(f.value)]),
    notes: [],
  };
}

/** The terminal form: aligned columns, bold titles when colour is on. */
export function renderCapacityText(report: CapacityReport, opts: { color?: boolean } = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const out: string[] = [c.bold('Capacity plan'), ...planLines(report).map((l) => `  ${l}`), ''];
  for (const sec of sections(report)) {
    out.push(c.bold(`Stack ${sec.title}`), '');
    for (const t of sec.tables) {
      out.push(`  ${c.bold(t.title)}`);
      const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: readonly string[]) =>
        `    ${cells.map((cell, i) => (t.numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd();
      out.push(c.dim(line(t.headers)));
      for (const r of t.rows) out.push(line(r));
      for (const n of t.notes) out.push(`    ${n}`);
      out.push('');
    }
  }
  if (report.stacks.length === 0) out.push('no compose stack found');
  return `${out.join('\n').trimEnd()}\n`;
}

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** GitHub-flavoured markdown, for a PR comment or a job summary. */
export function renderCapacityMarkdown(report: CapacityReport): string {
  const out: string[] = ['## arena-lint capacity', '', ...planLines(report).map((l) => `- ${escapeCell(l)}`), ''];
  for (const sec of sections(report)) {
    out.push(`### \`${sec.title}\``, '');
    for (const t of sec.tables) {
      out.push(`**${t.title}**`, '');
      out.push(`| ${t.headers.map(escapeCell).join(' | ')} |`);
      out.push(`| ${t.numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`);
      for (const r of t.rows) out.push(`| ${r.map((cell) => escapeCell(cell) || ' ').join(' | ')} |`);
      out.push('');
      for (const n of t.notes) out.push(`- ${escapeCell(n)}`);
      if (t.notes.length) out.push('');
    }
  }
  if (report.stacks.length === 0) out.push('No compose stack found.', '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** The stable JSON contract (json-contract.md). */
export function renderCapacityJson(report: CapacityReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
