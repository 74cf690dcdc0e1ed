import { describe, expect, it } from 'vitest';
import { evaluate } from './helpers.js';

/** Each unset read as `NAME "expression text"`, and whether Python raises there. */
function unsetReads(source: string, env: Record<string, string> = {}, files: Record<string, string> = {}): string[] {
  const r = evaluate(source, env, files);
  return r.envUnset.map((u) => {
    const raises = r.raises.some((x) => x.span.start === u.span.start && x.span.end === u.span.end);
    return `${u.name} ${JSON.stringify(r.file.text.slice(u.span.start, u.span.end))}${raises ? ' raises' : ''}`;
  });
}

describe('reads of variables the environment does not set', () => {
  it('records os.environ, os.getenv, django-environ and decouple reads at their expression; a read without a default raises there', () => {
    const src = [
      'import os, environ',
      'from decouple import config',
      'env = environ.Env()',
      'A = os.environ.get("A", "redis://localhost:6379/0")',
      'B = os.getenv("B")',
      'C = env("C", default="x")',
      'D = config("D", default=1, cast=int)',
      'E = os.environ.get("E", "set")',
      'F = os.environ["F"]',
      'G = env.list("G")',
    ].join('\n');
    expect(unsetReads(src, { E: 'e' })).toEqual([
      'A "os.environ.get(\\"A\\", \\"redis://localhost:6379/0\\")"',
      'B "os.getenv(\\"B\\")"',
      'C "env(\\"C\\", default=\\"x\\")"',
      'D "config(\\"D\\", default=1, cast=int)"',
      'F "os.environ[\\"F\\"]" raises',
      'G "env.list(\\"G\\")" raises',
    ]);
  });

  it('records nothing once a .env is loaded, whose lines may set the variable; a missing .env is skipped, as django-environ does', () => {
    const src = 'import environ\nenviron.Env.read_env()\nX = environ.Env()("X", default="y")\n';
    expect(unsetReads(src, {}, { '.env': 'OTHER=1\n' })).toEqual([]);
    expect(unsetReads(src)).toEqual(['X "environ.Env()(\\"X\\", default=\\"y\\")"']);
  });
});
