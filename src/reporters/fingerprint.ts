import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { Finding } from '../core/finding.js';

// node:crypto, with the streams, ciphers and key code it loads, is a few ms of every start, and a
// run whose report shows no fingerprint (stylish, plain) never hashes: it is loaded on the first hash.
// Any path does for createRequire: a builtin is not looked up on disk (and the CommonJS bundle
// has no import.meta.url).
let crypto: typeof Crypto | undefined;
const sha256Hex = (text: string): string => {
  crypto ??= createRequire(`${process.cwd()}/`)('node:crypto') as typeof Crypto;
  return crypto.createHash('sha256').update(text).digest('hex');
};

/**
 * What a finding is about, when its rule does not say (`ctx.report({ key })`): its message with the
 * numbers and the `file:line` references masked. What is left are the names a message gives, the
 * upstream, service, setting and directive involved (`upstream django_backend`, `web-16`,
 * `pool_mode`), so the key survives a count that changes (`15 of 16 replicas`), a value being tuned,
 * lines moving, and an unrelated flag being edited on the same line; it changes when the finding
 * is about another thing.
 */
export function defaultEntityKey(message: string): string {
  return message
    // `(docker-compose.yml:6)`, `pgbouncer/pgbouncer.ini:7:13`, `(.arena-lint.yaml:3)`: where the
    // other end is, not what; `(default)` says where a value comes from, which writing it changes.
    .replace(/\(?(?<![\w./-])\/?[\w.-]+(?:\/[\w.-]+)*\.[A-Za-z]\w*:\d+(?::\d+)?\)?/g, '')
    .replace(/\((?:[\w-]+ )?default\)/g, '')
    // Standalone numbers (`480`, `2.0`, `1.18.0`), not the digits of a name (`web-16`, `c5.12xlarge`).
    .replace(/(?<![\w.-])\d+(?:\.\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The key a finding is identified by: its rule's, or the default derived from its message. */
export function entityKey(f: Pick<Finding, 'key' | 'message'>): string {
  return f.key ?? defaultEntityKey(f.message);
}

/**
 * A finding's identity (rule, stack, the file it points at, and its entity key), without line
 * numbers or line text. GitHub code scanning matches alerts by it (`primaryLocationLineHash`) and
 * baselines and the pull-request check match findings by it. Paths are those of the checked
 * directory, so the same stack checked from another working directory keeps its fingerprints.
 */
export function entityHash(f: Pick<Finding, 'ruleId' | 'stack' | 'span' | 'key' | 'message'>): string {
  return sha256Hex(`arena-lint/2\0${f.ruleId}\0${f.stack ?? ''}\0${f.span.file}\0${entityKey(f)}`).slice(0, 32);
}

/**
 * `{ ...f, fingerprint: entityHash(f) }`, hashed when first read: hashing loads node:crypto, and
 * stylish and plain reports never read a fingerprint. The property is enumerable and in the same
 * place, so JSON and copies made with copyFinding see the same object; a plain spread (`{ ...f }`)
 * is right too, it only hashes at once.
 */
export function withLazyFingerprint(f: Finding): Finding {
  let hash: string | undefined;
  const copy = { ...f };
  Object.defineProperty(copy, 'fingerprint', { enumerable: true, configurable: true, get: () => (hash ??= entityHash(f)) });
  return copy;
}

/** `{ ...f, ...changes }`, keeping a fingerprint not hashed yet (withLazyFingerprint) unhashed. */
export function copyFinding(f: Finding, changes: Partial<Finding>): Finding {
  const lazy = Object.getOwnPropertyDescriptor(f, 'fingerprint');
  if (!lazy?.get) return { ...f, ...changes };
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(f)) {
    if (key === 'fingerprint' && !('fingerprint' in changes)) Object.defineProperty(copy, key, lazy);
    else copy[key] = key in changes ? changes[key as keyof Finding] : f[key as keyof Finding];
  }
  for (const key of Object.keys(changes)) if (!(key in copy)) copy[key] = changes[key as keyof Finding];
  return copy as unknown as Finding;
}

/** The fingerprint the engine recorded (before any path rewriting), or one computed now. */
export function fingerprintOf(f: Finding): string {
  return f.fingerprint ?? entityHash(f);
}

/**
 * One fingerprint per finding, `hash:n`: the counter tells apart findings with the same identity
 * (two services with the same `command:` line, reported by a rule that names neither).
 */
export function occurrenceFingerprints(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const hash = fingerprintOf(f);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  });
}
