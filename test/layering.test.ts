// The layering rule (DESIGN.md, STYLE.md): imports point down only, from the
// adapters (storage, tracking, measurement, model loading, widgets) and the
// joining layer (createLikewise, the entry points, the CLI) to the pure engine
// and the shared vocabulary. Read from the TypeScript sources, `import type`
// included: a type-only import drags declarations into the published .d.ts all
// the same.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../src');

/** From the bottom up: a folder of src/ (or a file at its top) and what it may import. */
const LAYERS: [name: string, parts: string[]][] = [
  ['vocabulary', ['shared', 'errors.ts', 'types.ts', 'nextTask.ts']],
  ['pure engine', ['engine']],
  ['storage', ['store']],
  ['tracking', ['track']],
  ['measurement', ['metrics']],
  ['model loading', ['model']],
  ['widgets', ['widgets']],
  // Files at the top of src/ that are not vocabulary are entry points or join the parts.
  ['joining layer, entry points and CLI', ['cli', '*.ts']],
];

/** The layer of a file of src/ (its path relative to src/), or -1. */
function layerOf(file: string): number {
  const [top, ...rest] = file.split('/');
  const exact = LAYERS.findIndex(([, parts]) => parts.includes(top));
  if (exact >= 0) return exact;
  return rest.length ? -1 : LAYERS.findIndex(([, parts]) => parts.includes('*.ts'));
}

/** Relative imports of one source file (static, dynamic, `export from`), as paths relative to src/. */
function importsOf(file: string, source: string): string[] {
  const found: string[] = [];
  for (const [, spec] of source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = normalize(join(dirname(file), spec));
    found.push(target.endsWith('.ts') ? target : `${target}.ts`);
  }
  return found;
}

/** Every import of a file into a higher layer, as `from -> to`. */
function upwardImports(sources: Record<string, string>): string[] {
  const up: string[] = [];
  for (const [file, source] of Object.entries(sources))
    for (const target of importsOf(file, source))
      if (layerOf(target) > layerOf(file)) up.push(`${file} -> ${target}`);
  return up.sort();
}

function readSources(): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const f of readdirSync(SRC, { recursive: true, encoding: 'utf8' }))
    if (f.endsWith('.ts')) sources[f.split('\\').join('/')] = readFileSync(join(SRC, f), 'utf8');
  return sources;
}

describe('layering of src/', () => {
  const sources = readSources();

  it('places every folder of src/ in a layer', () => {
    const unplaced = Object.keys(sources).filter((f) => layerOf(f) < 0);
    expect(unplaced, 'add their folder to LAYERS in test/layering.test.ts').toEqual([]);
  });

  it('imports point down only (or stay in their layer)', () => {
    // A new one: import the name from a lower layer, or move it down (shared
    // vocabulary into src/shared/, a type beside the function that returns it).
    expect(upwardImports(sources), 'imports into a higher layer (see LAYERS)').toEqual([]);
  });

  it('sees an upward import, a type-only and a dynamic one too (the check above can fail)', () => {
    const up = upwardImports({
      'engine/a.ts': "import { render } from '../widgets/render';",
      'store/b.ts': "import type { Likewise } from '../createLikewise';",
      'track/c.ts': "const m = () => import('../model/createCatalog');",
      'widgets/d.ts': "import { similar } from '../engine/recommend';\nimport { x } from './e';",
    });
    expect(up).toEqual([
      'engine/a.ts -> widgets/render.ts',
      'store/b.ts -> createLikewise.ts',
      'track/c.ts -> model/createCatalog.ts',
    ]);
  });
});
