import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering ARCHITECTURE.md describes, held: runtime imports (type-only imports are erased) form no cycle
 * between files, and the lower folders import nothing above them.
 */

const SRC = join(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The files a module imports at run time (relative imports that are not `import type` or all-`type` names). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const imports: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)';/gms)) {
    const [, typeOnly, clause, target] = match;
    if (typeOnly) continue;
    const names = /^\{([^}]*)\}$/.exec(clause!.trim());
    if (names && names[1]!.split(',').every((name) => !name.trim() || name.trim().startsWith('type ')))
      continue;
    imports.push(normalize(join(dirname(file), target!.replace(/\.js$/, '.ts'))));
  }
  return imports;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

describe('the layers of src/', () => {
  it('has no runtime import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') {
          cycles.push(
            stack
              .slice(stack.indexOf(next))
              .map((f) => relative(SRC, f))
              .join(' -> '),
          );
        } else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it.each([
    ['time', ['errors']],
    ['json', []],
    ['errors', ['json']],
    ['files', ['errors']],
    ['store', ['time', 'json', 'errors', 'files']],
    ['metrics', []],
  ])('%s imports at run time only %j', (folder, allowed) => {
    const imported = new Set<string>();
    for (const [file, imports] of graph) {
      if (folderOf(file) !== folder) continue;
      for (const target of imports) if (folderOf(target) !== folder) imported.add(folderOf(target));
    }
    expect([...imported].filter((f) => !allowed.includes(f))).toEqual([]);
  });
});
