import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The model is built in stages (inputs -> container -> stack -> facts -> rules -> reporters); an
// import cycle means a lower stage reaches back into a higher one. Every relative import counts,
// `import type` and `export ... from` included: a type-only cycle is still a design that doubles back.

const ROOT = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith('.')) out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const spec = node.argument.literal.text;
      if (spec.startsWith('.')) out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Tarjan's strongly connected components; each component of more than one file is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

describe('import graph of src/ and rules/', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'rules'))];
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('reads every file and its imports', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(join(ROOT, 'src', 'stack', 'stack.ts'))).toContain(join(ROOT, 'src', 'inputs', 'compose-project.ts'));
  });

  // Known and owned elsewhere: src/container/types.ts (the contract) imports ContainerFs from
  // filesystem.ts, which imports FileOrigin back from types.ts (type-only both ways). The fix belongs
  // to the container branch (FileOrigin moved below both files). The list may only shrink: a listed
  // cycle that disappears fails this test until it is taken off the list.
  const KNOWN = [['src/container/filesystem.ts', 'src/container/types.ts']];

  it('has no import cycle, type-only imports included', () => {
    const found = cycles(graph).map((c) => c.map((f) => relative(ROOT, f)));
    expect(found.filter((c) => !KNOWN.some((k) => JSON.stringify(k) === JSON.stringify(c)))).toEqual([]);
    for (const k of KNOWN) expect(found, `${k.join(' <-> ')} is no longer a cycle: remove it from KNOWN`).toContainEqual(k);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });
});
