import type { Log, Location, ReportingDescriptor, Result } from 'sarif';
import type { RunResult, Severity } from '../core/finding.js';
import { docsUrl, type RuleMeta } from '../core/rule-meta.js';
import { sarifFixes } from '../fix/sarif.js';
import { lineHash } from './fingerprint.js';
import { repoPath, toLocated, uriPath, type LocatedFinding, type LocatedRange, type ReportOptions } from './locate.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** Bump the suffix when the fingerprint recipe changes, so old and new alerts are not matched. */
const FINGERPRINT_KEY = 'arenaLintLineHash/v1';

// The repository page is where the rule docs live; derived so the two cannot disagree.
const INFORMATION_URI = docsUrl('x').replace(/\/blob\/.*$/, '');

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function helpText(meta: RuleMeta): string {
  const parts = [meta.docs.what, `Why: ${meta.docs.why}`];
  if (meta.docs.notes !== undefined) parts.push(meta.docs.notes);
  parts.push(`Documentation: ${docsUrl(meta.id)}`);
  return parts.join('\n\n');
}

function helpMarkdown(meta: RuleMeta): string {
  const parts = [`**What it checks.** ${meta.docs.what}`, `**Why it breaks the stack.** ${meta.docs.why}`];
  if (meta.docs.notes !== undefined) parts.push(`**Notes.** ${meta.docs.notes}`);
  parts.push(`[Documentation for ${meta.id}](${docsUrl(meta.id)})`);
  return parts.join('\n\n');
}

export function ruleDescriptor(meta: RuleMeta): ReportingDescriptor {
  return {
    id: meta.id,
    shortDescription: { text: meta.description },
    fullDescription: { text: `${meta.docs.what} ${meta.docs.why}` },
    help: { text: helpText(meta), markdown: helpMarkdown(meta) },
    helpUri: docsUrl(meta.id),
    defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
    properties: { tags: [meta.category] },
  };
}

function physicalLocation(opts: ReportOptions, at: LocatedRange): Location['physicalLocation'] {
  return {
    artifactLocation: { uri: uriPath(repoPath(opts, at.file)), uriBaseId: SRCROOT },
    region: { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn },
  };
}

/**
 * Code scanning matches alerts across commits by these fingerprints; line numbers are left out
 * so an alert survives edits above it. The counter tells apart identical findings on identical
 * lines of one file (e.g. two services with the same `command:` line).
 */
function fingerprints(result: RunResult, opts: ReportOptions, located: readonly LocatedFinding[]): string[] {
  const seen = new Map<string, number>();
  return located.map((at) => {
    const hash = lineHash(result, at.finding.ruleId, repoPath(opts, at.file), at);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}

export function toSarifLog(result: RunResult, opts: ReportOptions): Log {
  const rules = opts.rules.map(ruleDescriptor);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  // A finding from a rule the caller did not list (e.g. parse-error) still needs a descriptor,
  // or code scanning shows it without a name.
  for (const f of result.findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push({ id: f.ruleId, shortDescription: { text: f.ruleId }, helpUri: docsUrl(f.ruleId) });
  }

  const located = result.findings.map((f) => toLocated(result, f));
  const prints = fingerprints(result, opts, located);
  const results = located.map((at, i): Result => {
    const f = at.finding;
    const out: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: physicalLocation(opts, at) }],
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
    };
    if (at.related.length > 0) {
      out.relatedLocations = at.related.map((r, j) => ({
        id: j + 1,
        physicalLocation: physicalLocation(opts, r),
        message: { text: r.message },
      }));
    }
    const properties: Record<string, string> = {};
    if (f.stack !== undefined) properties.stack = f.stack;
    if (f.hint !== undefined) properties.hint = f.hint;
    if (f.fix?.safe) out.fixes = sarifFixes(result, f.fix, (file) => uriPath(repoPath(opts, file)), SRCROOT);
    if (Object.keys(properties).length > 0) out.properties = properties;
    return out;
  });

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'arena-lint',
            version: opts.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: {
          // No absolute URI: the report stays the same on every machine, and code scanning
          // resolves %SRCROOT%-relative paths against the checkout.
          [SRCROOT]: { description: { text: 'The directory arena-lint ran in (the repository root in CI).' } },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(result: RunResult, opts: ReportOptions): string {
  return `${JSON.stringify(toSarifLog(result, opts), null, 2)}\n`;
}
