import type { Log, Location, ReportingDescriptor, Result } from 'sarif';
import type { RunResult, Severity } from '../core/finding.js';
import { docsUrl, type RuleMeta } from '../core/rule-meta.js';
import { sarifFixes } from '../fix/sarif.js';
import { occurrenceFingerprints } from './fingerprint.js';
import { repoPath, toLocated, uriPath, type LocatedRange, type ReportOptions } from './locate.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/**
 * GitHub: "code scanning only uses the primaryLocationLineHash"; without it upload-sarif fills in
 * a hash of the line text, which changes whenever another flag on the line does.
 */
const FINGERPRINT_KEY = 'primaryLocationLineHash';

/**
 * Limits GitHub code scanning documents for SARIF uploads
 * (https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
 * and "SARIF support for code scanning"). A test holds the output to every one of them.
 */
export const GITHUB_SARIF_LIMITS = {
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  toolExtensionsPerRun: 100,
  threadFlowLocationsPerResult: 10_000,
  /** locations[] (and, counted with them, relatedLocations[]) per result. */
  locationsPerResult: 1_000,
  tagsPerRule: 20,
  /** shortDescription.text and fullDescription.text of a rule. */
  descriptionChars: 1_024,
} as const;

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

/**
 * At most `limit` characters, cut after the last whole sentence that fits (or the last word), so
 * the alert's header reads as prose; the whole text is in `help`.
 */
export function withinChars(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const head = text.slice(0, limit - 1);
  const sentence = head.search(/[.!?](?=\s)[^.!?]*$/);
  if (sentence > limit / 3) return `${head.slice(0, sentence + 1)}…`.slice(0, limit);
  const word = head.lastIndexOf(' ');
  return `${head.slice(0, word > 0 ? word : head.length)}…`;
}

/** What the rule checks and why, when both fit GitHub's limit; else what it checks, cut to fit. */
function fullDescription(meta: RuleMeta): string {
  const both = `${meta.docs.what} ${meta.docs.why}`;
  const limit = GITHUB_SARIF_LIMITS.descriptionChars;
  return both.length <= limit ? both : withinChars(meta.docs.what, limit);
}

export function ruleDescriptor(meta: RuleMeta): ReportingDescriptor {
  return {
    id: meta.id,
    shortDescription: { text: withinChars(meta.description, GITHUB_SARIF_LIMITS.descriptionChars) },
    fullDescription: { text: fullDescription(meta) },
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

/** SARIF messages treat `[text](id)` as a link, so literal brackets (and the escape) are escaped. */
function escapeMessage(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&');
}

/**
 * The message with each related location linked (`[file:line](id)`), which is how code scanning
 * shows them: a `file:line` the message already cites becomes the link; the others follow it.
 */
export function linkedMessage(message: string, related: ReadonlyArray<{ readonly file: string; readonly line: number; readonly message: string }>, shownPath: (file: string) => string): string {
  let text = escapeMessage(message);
  const rest: string[] = [];
  const linked = new Set<string>();
  related.forEach((r, i) => {
    const id = i + 1;
    const cited = `${r.file}:${r.line}`;
    const at = linked.has(cited) ? -1 : text.indexOf(cited);
    if (at >= 0 && !/[\w:]/.test(text[at + cited.length] ?? '') && !/[\w/.-]/.test(text[at - 1] ?? '')) {
      linked.add(cited);
      text = `${text.slice(0, at)}[${escapeMessage(cited)}](${id})${text.slice(at + cited.length)}`;
    } else {
      rest.push(`[${escapeMessage(`${shownPath(r.file)}:${r.line}`)}](${id}) ${escapeMessage(r.message)}`);
    }
  });
  return rest.length ? `${text} See ${rest.join('; ')}.` : text;
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
  const prints = occurrenceFingerprints(result.findings);
  const results = located.map((at, i): Result => {
    const f = at.finding;
    const out: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: at.related.length ? linkedMessage(f.message, at.related, (file) => repoPath(opts, file)) : f.message },
      locations: [{ physicalLocation: physicalLocation(opts, at) }],
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
    };
    if (at.related.length > 0) {
      out.relatedLocations = at.related.slice(0, GITHUB_SARIF_LIMITS.locationsPerResult - 1).map((r, j) => ({
        id: j + 1,
        physicalLocation: physicalLocation(opts, r),
        message: { text: r.message },
      }));
    }
    const properties: Record<string, string> = {};
    if (f.stack !== undefined) properties.stack = f.stack;
    if (f.hint !== undefined) properties.hint = f.hint;
    if (f.fix?.safe && !f.fix.carriesSecret) out.fixes = sarifFixes(result, f.fix, (file) => uriPath(repoPath(opts, file)), SRCROOT);
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
