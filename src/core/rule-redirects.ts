/**
 * Rule ids that were renamed or split, and the ids they stand for now (ruff's rule redirects).
 * A redirected id keeps working everywhere a user writes rule ids: `rules:` and `overrides` in the
 * config, and `arena-lint-disable` comments. The config schema, the docs and `arena-lint explain`
 * are generated from this one table, so they cannot disagree about what an old id means.
 */
export interface RuleRedirect {
  /** The old id, as users' configs and comments still write it. */
  readonly from: string;
  /** The ids it stands for now. */
  readonly to: readonly string[];
  /** The version that replaced it. */
  readonly since: string;
  /** Why it was replaced, in one sentence. */
  readonly why: string;
}

export const RULE_REDIRECTS: readonly RuleRedirect[] = [
  {
    from: 'timeout-chain',
    to: ['upstream-keepalive-timeout', 'proxy-read-timeout', 'pgbouncer-query-timeout', 'conn-max-age-idle-timeout'],
    since: '0.2.0',
    why: 'it checked four unrelated links of the request path under one id, so none of them could be turned off alone',
  },
];

const BY_FROM = new Map(RULE_REDIRECTS.map((r) => [r.from, r]));

export function redirectOf(id: string): RuleRedirect | undefined {
  return BY_FROM.get(id);
}

/** The redirected ids that stand for `id` (`proxy-read-timeout` -> [`timeout-chain`]). */
export function redirectsTo(id: string): string[] {
  return RULE_REDIRECTS.filter((r) => r.to.includes(id)).map((r) => r.from);
}

/** Whether a rule id written by a user (a rule's own id or a redirect) names the rule `ruleId`. */
export function namesRule(written: string, ruleId: string): boolean {
  return written === ruleId || (BY_FROM.get(written)?.to.includes(ruleId) ?? false);
}

/**
 * A rule's setting in one `rules:` mapping: its own id wins over a redirect that stands for it, so
 * `timeout-chain: off` with `proxy-read-timeout: error` leaves that one rule on, whatever the order.
 */
export function settingIn<T>(rules: Readonly<Record<string, T>> | undefined, ruleId: string): T | undefined {
  if (!rules) return undefined;
  if (Object.hasOwn(rules, ruleId)) return rules[ruleId];
  for (const from of redirectsTo(ruleId)) if (Object.hasOwn(rules, from)) return rules[from];
  return undefined;
}
