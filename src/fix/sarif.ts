import type { Fix as SarifFix } from 'sarif';
import type { RunResult } from '../core/finding.js';
import type { Fix } from '../core/fix.js';
import { createSourceFile, positionAt } from '../core/source.js';

/**
 * A fix as SARIF `fixes` (one artifactChange per file, a replacement per edit). Regions carry both
 * line/column (UTF-16, as the run's columnKind says) and charOffset/charLength, so a viewer may use
 * either; an insertion is an empty region.
 */
export function sarifFixes(result: RunResult, fix: Fix, uriOf: (file: string) => string, uriBaseId: string): SarifFix[] {
  const files = [...new Set(fix.edits.map((e) => e.span.file))].sort();
  return [
    {
      description: { text: fix.title },
      artifactChanges: files.map((file) => {
        const source = result.sources.get(file) ?? createSourceFile(file, '');
        return {
          artifactLocation: { uri: uriOf(file), uriBaseId },
          replacements: fix.edits
            .filter((e) => e.span.file === file)
            .map((e) => {
              const start = positionAt(source, e.span.start);
              const end = positionAt(source, e.span.end);
              return {
                deletedRegion: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column, charOffset: e.span.start, charLength: e.span.end - e.span.start },
                insertedContent: { text: e.text },
              };
            }),
        };
      }),
    },
  ];
}
