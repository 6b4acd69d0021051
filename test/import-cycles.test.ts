/**
 * lib/ has no import cycle: the core never reaches back into a front end, io or onnx. Walks the
 * value imports of every file under lib/ (type-only imports vanish from the compiled code, so
 * they cannot make a cycle at run time) and fails naming the first cycle it finds.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

const LIB = path.resolve(__dirname, '..', 'lib');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files `file` imports for their values: `import ... from './x'` and `export ... from './x'`, not `import type`. */
export function valueImports(file: string, source: string): string[] {
  const imports: string[] = [];
  const statement = /^(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/gms;
  for (const match of source.matchAll(statement)) {
    const [, , typeOnly, clause, specifier] = match as unknown as [string, string, string | undefined, string, string];
    if (typeOnly !== undefined) continue;
    // `import { type A, type B } from` is type-only too; `import { type A, b }` is not.
    const names = /^\{([^}]*)\}$/s.exec(clause.trim());
    if (names !== null && (names[1] as string).split(',').every((name) => name.trim() === '' || /^type\s/.test(name.trim()))) continue;
    imports.push(resolveImport(file, specifier));
  }
  for (const match of source.matchAll(/^import\s+'(\.[^']+)'/gm)) imports.push(resolveImport(file, match[1] as string));
  return imports;
}

/** The file an import names: TypeScript, or the JavaScript generated from onnx.proto (lib/onnx/proto/onnx.js), which imports nothing of lib/. */
function resolveImport(file: string, specifier: string): string {
  const base = path.resolve(path.dirname(file), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), `${base}.js`]) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(LIB, file)} imports '${specifier}', which is no file under lib/`);
}

/** A cycle in the graph as the files along it, the first repeated at the end; null if none. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of [...graph.keys()].sort()) {
    const cycle = visit(file);
    if (cycle !== null) return cycle;
  }
  return null;
}

describe('lib/ imports', () => {
  const graph = new Map(sourceFiles(LIB).map((file) => [file, valueImports(file, fs.readFileSync(file, 'utf8'))]));

  it('form no cycle', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((file) => path.relative(LIB, file)).join(' -> ') ?? 'none').to.equal('none');
  });

  it('the core, io and onnx never import a front end (lib/models)', () => {
    const offenders = [...graph].flatMap(([file, imports]) => {
      const dir = path.relative(LIB, file).split(path.sep)[0];
      if (!['core', 'io', 'onnx'].includes(dir as string)) return [];
      return imports.filter((target) => path.relative(LIB, target).startsWith(`models${path.sep}`)).map((target) => `${path.relative(LIB, file)} -> ${path.relative(LIB, target)}`);
    });
    expect(offenders).to.deep.equal([]);
  });

  it('the walk sees what it must: value imports, re-exports and side-effect imports, not type-only ones (the test can fail)', () => {
    const file = path.join(LIB, 'core', 'model.ts');
    const source = [
      "import { a } from '../tensor';",
      "import type { B } from '../errors';",
      "import { type C, type D } from '../validate';",
      "import { type E, f } from '../limits';",
      "export { g } from '../backend';",
      "import '../random';",
    ].join('\n');
    expect(valueImports(file, source).map((target) => path.relative(LIB, target))).to.deep.equal(['tensor.ts', 'limits.ts', 'backend.ts', 'random.ts']);
    const looped = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(findCycle(looped)).to.deep.equal(['a', 'b', 'c', 'a']);
  });
});
