/*
 * Quantities of memory and CPU as each tool that writes them reads them. Every parser names its
 * grammar so a message can say how it read a value ("2048M = 2.0 GiB (compose units, 1024-based)").
 * Parsers return undefined for anything their tool would reject; they never throw.
 */

export type UnitGrammar = 'compose-memory' | 'compose-cpus' | 'config-memory';

/** How each grammar is named in messages. */
export const UNIT_GRAMMAR_NAMES: Readonly<Record<UnitGrammar, string>> = {
  'compose-memory': 'compose units, 1024-based',
  'compose-cpus': 'compose cpus, a decimal number of CPUs',
  'config-memory': 'arena-lint units, 1024-based: GB means GiB',
};

const KiB = 1024;
const BINARY_PREFIX: Readonly<Record<string, number>> = { k: KiB, m: KiB ** 2, g: KiB ** 3, t: KiB ** 4, p: KiB ** 5 };

/**
 * Compose memory (`mem_limit`, `deploy.resources.*.memory`, `shm_size`): compose-go hands strings to
 * docker/go-units RAMInBytes, where every prefix is binary whatever the spelling: `2g`, `2gb`, `2GiB`
 * and `2 G` are all 2 GiB. A number, then at most one space, then `b`, or one of k m g t p optionally
 * followed by `b` or `ib`, any case. Fractions are allowed and the result is truncated to whole bytes.
 * A YAML integer is a byte count.
 */
export function parseComposeMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = /^\+?((?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?) ?([a-z]*)$/i.exec(value);
  if (!m) return undefined;
  const amount = Number(m[1]);
  const suffix = m[2]!.toLowerCase();
  let multiplier: number | undefined;
  if (suffix === '' || suffix === 'b') multiplier = 1;
  else if (/^[kmgtp](b|ib)?$/.test(suffix)) multiplier = BINARY_PREFIX[suffix[0]!];
  return multiplier === undefined || !Number.isFinite(amount) ? undefined : Math.trunc(amount * multiplier);
}

/**
 * Compose `cpus` (`cpus:` and `deploy.resources.*.cpus`): a number or a string compose-go reads with
 * Go's ParseFloat, so `'2.0'`, `1.5` and `"0.5"` work. Negative and non-finite counts are rejected
 * by the engine; 0 means no limit and is returned as 0.
 */
export function parseComposeCpus(value: string | number): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (/^\+?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(value)) n = Number(value);
  else return undefined;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Memory written in arena-lint's own config (host memory, instance overrides): a number of bytes, or a
 * number with B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB, any case, with or without a space. Every
 * prefix is 1024-based, `GB` included: this quantity is RAM, which JEDEC and the cloud vendors count
 * in binary units (AWS and Azure list GiB; Google's "GB" of machine memory is 2^30 bytes), so a host
 * written "96GB" after a vendor's table means 96 GiB. Reading it as 10^9 would shrink a c5.12xlarge
 * by 7% and report over-commitment that is not there.
 */
export function parseConfigMemory(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.trunc(value) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?)(i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const prefix = m[2]!.toLowerCase();
  const unit = m[3]?.toLowerCase();
  // `Ki`/`Gi` without the B is Kubernetes notation; a bare `iB` has no prefix to be binary about.
  if (unit === 'ib' && prefix === '') return undefined;
  const multiplier = prefix === '' ? 1 : BINARY_PREFIX[prefix]!;
  return Math.trunc(Number(m[1]) * multiplier);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** A byte count for people: whole bytes below 1 KiB, else one decimal in the largest binary unit (`2.0 GiB`). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < KiB) return `${sign}${Math.round(v)} B`;
  let unit = 0;
  while (unit < BINARY_UNITS.length - 1 && Number((v / KiB).toFixed(1)) >= 1) {
    v /= KiB;
    unit++;
  }
  return `${sign}${v.toFixed(1)} ${BINARY_UNITS[unit]}`;
}

/** A CPU count for people: up to three decimals, no trailing zeros (`1.5 CPUs`, `1 CPU`). */
export function formatCpus(n: number): string {
  const text = String(Number(n.toFixed(3)));
  return `${text} ${text === '1' ? 'CPU' : 'CPUs'}`;
}

/**
 * How a memory value was read, for messages: `2048M = 2.0 GiB (compose units, 1024-based)`.
 * Undefined when the grammar rejects the value.
 */
export function explainMemory(raw: string | number, grammar: 'compose-memory' | 'config-memory'): string | undefined {
  const bytes = grammar === 'compose-memory' ? parseComposeMemory(raw) : parseConfigMemory(raw);
  if (bytes === undefined) return undefined;
  return `${raw} = ${formatBytes(bytes)} (${UNIT_GRAMMAR_NAMES[grammar]})`;
}

/** How a compose `cpus` value was read, for messages: `'2.0' = 2 CPUs (compose cpus, a decimal number of CPUs)`. */
export function explainCpus(raw: string | number): string | undefined {
  const cpus = parseComposeCpus(raw);
  if (cpus === undefined) return undefined;
  return `${typeof raw === 'string' ? `'${raw}'` : raw} = ${formatCpus(cpus)} (${UNIT_GRAMMAR_NAMES['compose-cpus']})`;
}
