import type { ResolvedConfig } from '../engine/config.js';
import type { Stack } from '../stack/stack.js';
import { buildCapacityReport } from './build.js';
import { renderCapacityMarkdown } from './render.js';

export { buildCapacityReport, sourcedValue } from './build.js';
export { renderCapacityJson, renderCapacityMarkdown, renderCapacityText } from './render.js';
export * from './contract.js';

/** The capacity report of built stacks as markdown (the GitHub Action's job summary embeds it). Pure. */
export function capacityMarkdown(stacks: readonly Stack[], config: ResolvedConfig, root = '.'): string {
  return renderCapacityMarkdown(buildCapacityReport(stacks, config, root));
}
