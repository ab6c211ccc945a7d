import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The benchmarks bundle the SDK's sources by path (a generated entry of
// `export { name } from '<root>/src/...'`), so a source moved, renamed or
// removed breaks them only when someone next runs them: bench/forYou.mjs
// bundled src/model/createModelService.ts for a session after its removal.
// This reads every path and name they import from src/ and checks both.
const root = join(__dirname, '..', '..');
const scripts = ['bench', 'scripts'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => `${dir}/${f}`),
);

/** `src/...ts` paths a script names, with the names it re-exports from each (none: the file only). */
function imports(text: string): [string, string[]][] {
  const found: [string, string[]][] = [];
  // export { a, b } from ${src('x/y.ts')} | '${src}/x/y.ts' | join(root, 'src/x/y.ts')
  const reexport =
    /export \{([^}]*)\} from [^\n]*?(?:src\(['"]|\$\{src\}\/|['"]src\/)([\w/.-]+\.ts)/g;
  for (const m of text.matchAll(reexport))
    found.push([`src/${m[2]}`, m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0])]);
  // join(root, 'src/x/y.ts') or join(root, 'src', 'x', 'y.ts')
  for (const m of text.matchAll(/join\((?:root|ROOT), ((?:'[\w./-]+'(?:, )?)+)\)/g)) {
    const path = m[1]
      .split(/,\s*/)
      .map((p) => p.slice(1, -1))
      .join('/');
    if (/^src\/.+\.ts$/.test(path)) found.push([path, []]);
  }
  return found;
}

const exported = (source: string, name: string) =>
  new RegExp(
    `export (?:async )?(?:function\\*? |const |let |class |type |interface )${name}\\b|export \\{[^}]*\\b${name}\\b[^}]*\\}`,
  ).test(source);

describe('the sources the benchmarks bundle', () => {
  it('finds what it checks (the patterns still match the scripts)', () => {
    const all = scripts.flatMap((s) => imports(readFileSync(join(root, s), 'utf8')));
    // forYou, quantisation, sequence, train and eval at least.
    expect(all.length).toBeGreaterThan(15);
    expect(all.some(([p]) => p === 'src/engine/buildNeighbours.ts')).toBe(true);
  });

  it.each(scripts)('%s names only files that exist, and names they export', (script) => {
    for (const [path, names] of imports(readFileSync(join(root, script), 'utf8'))) {
      expect(existsSync(join(root, path)), `${script}: ${path}`).toBe(true);
      const source = readFileSync(join(root, path), 'utf8');
      for (const name of names)
        expect(exported(source, name), `${script}: ${name} from ${path}`).toBe(true);
    }
  });
});
