import type { CapacityReport, SourcedNumber, StackCapacity } from '../capacity/index.js';
import { formatAmount, formatNumber } from '../facts/resources.js';
import { escapeCell } from '../reporters/markdown.js';

/** One number a pull request changed: what it is, before and after (null: absent or unknown). */
export interface CapacityDelta {
  readonly stack: string;
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

const num = (v: SourcedNumber | null | undefined): number | null => (v ? v.value : null);
const show = (n: number | null | undefined, fmt: (n: number) => string = (x) => formatNumber(x, 1)): string => (n === null || n === undefined ? '–' : fmt(n));

/** The numbers of a stack that a pull request's edits to replicas, workers, threads, pools or limits move. */
function facts(s: StackCapacity | undefined): Map<string, { value: number | null; fmt?: (n: number) => string }> {
  const out = new Map<string, { value: number | null; fmt?: (n: number) => string }>();
  if (!s) return out;
  for (const t of s.tiers) {
    out.set(`${t.name}: replicas`, { value: t.replicas });
    out.set(`${t.name}: workers per replica`, { value: num(t.workers) });
    out.set(`${t.name}: ${t.perWorkerUnit === 'threads' ? 'threads' : 'connections'} per worker`, { value: num(t.perWorker) });
    out.set(`${t.name}: concurrent requests`, { value: t.concurrency });
  }
  out.set('concurrent requests (stack)', { value: s.total.concurrency });
  out.set('requests/s at the planned latency', { value: s.total.rpsAtLatency, fmt: (n) => formatNumber(n, 0) });
  out.set('CPU limits (sum)', { value: s.resources.limits.cpus.value, fmt: (n) => formatAmount('cpus', n) });
  out.set('memory limits (sum)', { value: s.resources.limits.memoryBytes.value, fmt: (n) => formatAmount('memory', n) });
  for (const step of s.funnel) out.set(step.label, { value: num(step.value) });
  return out;
}

/** What changed, per stack, in the order the capacity report lists it; empty when nothing did. */
export function capacityChange(base: CapacityReport | undefined, head: CapacityReport): CapacityDelta[] {
  if (!base) return [];
  const names = [...new Set([...head.stacks.map((s) => s.name), ...base.stacks.map((s) => s.name)])];
  const deltas: CapacityDelta[] = [];
  for (const name of names) {
    const before = facts(base.stacks.find((s) => s.name === name));
    const after = facts(head.stacks.find((s) => s.name === name));
    for (const what of new Set([...after.keys(), ...before.keys()])) {
      const b = before.get(what);
      const a = after.get(what);
      if ((b?.value ?? null) === (a?.value ?? null)) continue;
      const fmt = a?.fmt ?? b?.fmt;
      deltas.push({ stack: name, what, before: show(b?.value, fmt), after: show(a?.value, fmt) });
    }
  }
  return deltas;
}

export function capacityChangeMarkdown(deltas: readonly CapacityDelta[]): string {
  if (deltas.length === 0) return '';
  const lines = ['### Capacity change', '', '| Stack | | Before | After |', '|---|---|---:|---:|'];
  for (const d of deltas) lines.push(`| ${escapeCell(d.stack)} | ${escapeCell(d.what)} | ${escapeCell(d.before)} | ${escapeCell(d.after)} |`);
  return `${lines.join('\n')}\n`;
}
