/** gitignore-style globs: `**` crosses folders, `*` and `?` do not, a pattern without `/` matches at any depth. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const res = patterns.map(toRegExp);
  return (path) => res.some((re) => re.test(path));
}

function toRegExp(pattern: string): RegExp {
  let p = pattern.trim().replace(/^\.\//, '');
  const anchored = p.startsWith('/') || p.replace(/\/$/, '').includes('/');
  p = p.replace(/^\//, '');
  const dirOnly = p.endsWith('/');
  p = p.replace(/\/$/, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      re += p[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += p[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A folder pattern also matches everything below it.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}${dirOnly ? '/.*' : '(?:/.*)?'}$`);
}
