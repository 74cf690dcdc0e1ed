import { inherited, type NginxModel, type NginxNode } from '../../src/inputs/nginx.js';

/**
 * `inherited`, plus the http level of an image's own nginx.conf: conf.d files are read inside its
 * http block, which the model has no node for, so a `proxy_read_timeout` at the top of one conf.d
 * file applies to the servers of every other (nginx merges http-level settings when the block ends).
 */
export function inheritedSetting(model: NginxModel, node: NginxNode, name: string): NginxNode[] {
  const found = inherited(node, name);
  if (found.length || !model.implicitMain) return found;
  return model.roots.filter((r) => r.parent === undefined && r.context === 'http' && r.directive.name === name);
}
