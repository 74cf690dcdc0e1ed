import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import counterexamples from '../regressions/counterexamples.json' with { type: 'json' };

/**
 * Property tests, run two ways:
 * - in `npm test` (CI): a seed fixed per property and a bounded number of runs, after every
 *   counterexample ever found for it (test/regressions/counterexamples.json). CI never draws a seed
 *   nobody chose, so a pass or a failure repeats.
 * - under `npm run fuzz -- SECONDS` (scripts/fuzz.mjs sets ARENA_FUZZ_DEADLINE): fresh random seeds
 *   until the property's share of the time budget is spent, each seed and its runs reported so that
 *   a counterexample can be replayed and kept.
 * A test that calls this is titled 'property: ...': the fuzz run selects tests by that title.
 */
export interface PropertyOptions {
  /** Runs per CI run (fast-check's default is 100). */
  readonly numRuns?: number;
}

/** One line of the fuzz report (JSON lines, read by scripts/fuzz.mjs). */
export interface FuzzRecord {
  readonly property: string;
  readonly seeds: number[];
  readonly runs: number;
  readonly ms: number;
  readonly counterexample?: unknown[];
  readonly failingSeed?: number;
  readonly path?: string;
  readonly error?: string;
}

const STORED = counterexamples as Readonly<Record<string, unknown[][] | undefined>>;
const DEADLINE = Number(process.env.ARENA_FUZZ_DEADLINE ?? 0);
const REPORT = process.env.ARENA_FUZZ_REPORT;
const TOTAL = Number(process.env.ARENA_FUZZ_PROPERTIES ?? 1);

/** A stable seed per property name (FNV-1a), so properties do not share one stream. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Checks `property`, named `name` (the key of its stored counterexamples), as described above. */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IProperty<Ts>, opts: PropertyOptions = {}): void {
  const examples = (STORED[name] ?? []) as Ts[];
  if (!DEADLINE) {
    fc.assert(property, { seed: seedOf(name), numRuns: opts.numRuns ?? 100, examples });
    return;
  }
  fuzz(name, property, examples, opts.numRuns ?? 100);
}

function fuzz<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IProperty<Ts>, examples: Ts[], numRuns: number): void {
  const t0 = performance.now();
  // This property's share of what is left: the others still to run in this process get theirs.
  const budget = Math.max(200, (DEADLINE - Date.now()) / Math.max(1, TOTAL - finished()));
  const stop = t0 + budget;
  const seeds: number[] = [];
  let runs = 0;
  let failure: fc.RunDetails<Ts> | undefined;
  while (performance.now() < stop) {
    const seed = randomInt(2 ** 31 - 1);
    seeds.push(seed);
    const details = fc.check(property, {
      seed,
      numRuns: numRuns * 20,
      examples: seeds.length === 1 ? examples : [],
      interruptAfterTimeLimit: Math.max(1, stop - performance.now()),
      markInterruptAsFailure: false,
    });
    runs += details.numRuns;
    if (details.failed) {
      failure = details;
      break;
    }
  }
  const record: FuzzRecord = {
    property: name, seeds, runs, ms: Math.round(performance.now() - t0),
    ...(failure ? {
      counterexample: failure.counterexample ?? undefined, failingSeed: failure.seed, path: failure.counterexamplePath ?? undefined,
      error: String((failure.errorInstance as Error | undefined)?.message ?? failure.errorInstance).slice(0, 2000),
    } : {}),
  };
  if (REPORT) appendFileSync(REPORT, `${JSON.stringify(record)}\n`);
  if (failure) throw new Error(fc.defaultReportMessage(failure) ?? `property ${name} failed`);
}

/** Properties already fuzzed in this run (files run one after another, each in its own process). */
function finished(): number {
  return REPORT && existsSync(REPORT) ? readFileSync(REPORT, 'utf8').split('\n').filter(Boolean).length : 0;
}
