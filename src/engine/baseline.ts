import type { Finding, RunResult } from '../core/finding.js';
import { fingerprintOf } from '../reporters/fingerprint.js';

/**
 * Findings a repository has accepted for now (`--write-baseline`), so that adopting arena-lint fails
 * only on new ones (`--baseline`). An entry is matched by rule and fingerprint: the finding's
 * identity (rule, stack, file, and what it is about: the upstream, service or setting), never by
 * line number or line text, so moving lines or editing another flag on the same line keeps it. It
 * is the fingerprint SARIF gives code scanning (without the occurrence counter).
 */
export interface BaselineEntry {
  readonly rule: string;
  /** The file as the report printed it; for the reader, not used for matching. */
  readonly file: string;
  readonly fingerprint: string;
  /** For the reader of the baseline; not used for matching (messages cite other files' lines). */
  readonly message: string;
}

export interface Baseline {
  readonly version: 2;
  readonly findings: readonly BaselineEntry[];
}

export const BASELINE_VERSION = 2;

function entryOf(f: Finding): BaselineEntry {
  return { rule: f.ruleId, file: f.span.file, fingerprint: fingerprintOf(f), message: f.message };
}

const keyOf = (e: Pick<BaselineEntry, 'rule' | 'fingerprint'>) => `${e.rule}\0${e.fingerprint}`;
const sortKey = (e: BaselineEntry) => `${e.file}\0${e.rule}\0${e.fingerprint}`;

export function baselineOf(result: RunResult): Baseline {
  const findings = result.findings.map(entryOf);
  // Sorted, so that rewriting an unchanged baseline gives the same file.
  findings.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  return { version: BASELINE_VERSION, findings };
}

export function formatBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** Reads a baseline file's text; the error says what is wrong, for a usage error naming the file. */
export function parseBaseline(text: string): { baseline?: Baseline; error?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON (${(e as Error).message})` };
  }
  const d = data as { version?: unknown; findings?: unknown };
  if (typeof d === 'object' && d !== null && d.version === 1) {
    return { error: 'written by arena-lint 0.1, whose fingerprints were hashes of line text; rewrite it with --write-baseline' };
  }
  if (typeof d !== 'object' || d === null || d.version !== BASELINE_VERSION || !Array.isArray(d.findings)) {
    return { error: `not an arena-lint baseline (expected {"version": ${BASELINE_VERSION}, "findings": [...]}); write one with --write-baseline` };
  }
  const bad = d.findings.findIndex((e: unknown) => {
    const x = e as Record<string, unknown> | null;
    return typeof x !== 'object' || x === null || typeof x.rule !== 'string' || typeof x.file !== 'string' || typeof x.fingerprint !== 'string';
  });
  if (bad >= 0) return { error: `findings[${bad}] needs string "rule", "file" and "fingerprint"` };
  return { baseline: d as Baseline };
}

export interface BaselineMatch {
  /** The findings the baseline does not account for: the ones that fail the run. */
  readonly findings: readonly Finding[];
  /** How many findings the baseline accounted for. */
  readonly matched: number;
  /** Baseline entries no finding matched any more (fixed, or changed beyond recognition). */
  readonly gone: number;
}

/**
 * Drops the findings the baseline holds. Identical entries are counted: a baseline with two of a
 * finding absorbs two, and a third identical one is new.
 */
export function applyBaseline(result: RunResult, baseline: Baseline): BaselineMatch {
  const left = new Map<string, number>();
  for (const e of baseline.findings) left.set(keyOf(e), (left.get(keyOf(e)) ?? 0) + 1);
  const findings: Finding[] = [];
  let matched = 0;
  for (const f of result.findings) {
    const key = keyOf(entryOf(f));
    const n = left.get(key) ?? 0;
    if (n > 0) {
      left.set(key, n - 1);
      matched++;
    } else {
      findings.push(f);
    }
  }
  const gone = [...left.values()].reduce((a, b) => a + b, 0);
  return { findings, matched, gone };
}
