import type { RunResult } from '../core/finding.js';
import { formatGithub } from './github.js';
import { formatGitlab } from './gitlab.js';
import { formatJunit } from './junit.js';
import { formatJson } from './json.js';
import type { ReportOptions } from './locate.js';
import { formatMarkdownSummary } from './markdown.js';
import { formatPlain } from './plain.js';
import { formatSarif } from './sarif.js';
import { formatStylish } from './stylish.js';

export type Formatter = (result: RunResult, opts: ReportOptions) => string;

export type FormatName = 'stylish' | 'json' | 'sarif' | 'github' | 'markdown' | 'plain' | 'junit' | 'gitlab';

/** Every `--format` value; the CLI picks one by name and writes the string it returns. */
export const formatters: Readonly<Record<FormatName, Formatter>> = {
  stylish: formatStylish,
  json: formatJson,
  sarif: formatSarif,
  github: formatGithub,
  markdown: formatMarkdownSummary,
  plain: (result) => formatPlain(result),
  junit: formatJunit,
  gitlab: formatGitlab,
};

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(formatters, name);
}

export { formatGithub, escapeData, escapeProperty } from './github.js';
export { formatJson, toJsonReport, JSON_REPORT_VERSION } from './json.js';
export type { JsonReport, JsonStack, JsonDiagnostic, JsonRelated, JsonSummary } from './json.js';
export { formatMarkdownSummary, githubBlobUrl } from './markdown.js';
export { formatPlain } from './plain.js';
export { formatJunit } from './junit.js';
export { formatGitlab, type GitlabIssue } from './gitlab.js';
export { formatSarif, toSarifLog } from './sarif.js';
export { formatStylish } from './stylish.js';
export { toLocated, locateSpan, summaryLine, repoPath } from './locate.js';
export type { ReportOptions, LocatedFinding, LocatedRelated, LocatedRange } from './locate.js';
