import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.js';

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
  return createHash('sha256').update(`arena-lint/2\0${f.ruleId}\0${f.stack ?? ''}\0${f.span.file}\0${entityKey(f)}`).digest('hex').slice(0, 32);
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
