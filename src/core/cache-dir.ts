import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder the `arena-lint` command keeps its caches in: the user's own cache folder
 * ($XDG_CACHE_HOME, else ~/.cache), never the checked folder or a shared /tmp where another user
 * could plant data. Undefined when NODE_DISABLE_COMPILE_CACHE is set, Node's own switch for its
 * compile cache, which turns every cache of the command off.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'arena-lint');
}
