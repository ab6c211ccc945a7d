// Where the bytes of a browser bundle go: bundles the given source modules
// (default: the script-tag entry) the way rollup.config.mjs builds the IIFE,
// then prints the whole bundle's min+gzip size and each module's minified
// share.
//   node scripts/moduleSizes.mjs [src/a.ts src/b.ts ...]
//   node scripts/moduleSizes.mjs --parts   the script-tag core's parts, each bundled alone
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve as resolvePath } from 'node:path';
import { gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { minify } from 'terser';

/**
 * The parts of the script-tag core that issue #4 lists (tracker, store,
 * scoring of a loaded model, widgets), by the modules that carry each one;
 * what they import comes along. `createLikewise` is the glue between them.
 */
const PARTS = [
  [
    'tracking and store (validation, sessions, consent, auto-tracking, IndexedDB log)',
    [
      'src/track/createTracker.ts',
      'src/track/autoTrack.ts',
      'src/track/readScriptConfig.ts',
      'src/store/createEventStore.ts',
      'src/store/createStateStore.ts',
      'src/store/deleteSiteData.ts',
    ],
  ],
  [
    'scoring of a loaded model (catalogue, model client, five scenarios, rules)',
    [
      'src/model/createCatalog.ts',
      'src/model/createModelClient.ts',
      'src/model/createRecommender.ts',
    ],
  ],
  [
    'widgets (render, styles, containers, impressions, custom element)',
    ['src/widgets/render.ts', 'src/widgets/observeContainers.ts', 'src/widgets/defineElement.ts'],
  ],
  ['the whole core (src/iife.ts)', ['src/iife.ts']],
  [
    'the core with scoring and the widget renderer behind a dynamic import (a split design)',
    ['src/iife.ts'],
    {
      'widgets/render': ['render'],
      // SCENARIOS (a constant the tracker's checks read) stays a static export.
      'model/createRecommender': ['createRecommender', 'checkRequest', 'SCENARIOS'],
      'model/createCatalog': ['createCatalog'],
      'model/createModelClient': ['createModelClient'],
    },
  ],
];

/**
 * Replaces the modules named in `lazy` (path under src/, without `.ts`) by
 * stubs whose functions load the real module with `import()`, left out of
 * the bundle: what the core would weigh with those parts on demand. Names
 * in capitals are constants: the stub re-exports them from the real module,
 * and tree-shaking keeps only them.
 */
function onDemand(lazy) {
  return {
    name: 'on-demand',
    resolveId(id, importer) {
      if (id.startsWith('lazy:')) return { id, external: true };
      if (!importer || importer.startsWith('\0')) return null;
      const k = Object.keys(lazy).find((m) => id.endsWith(m) && !importer.includes(m));
      return k ? `\0lazy:${k}` : null;
    },
    load(id) {
      if (!id.startsWith('\0lazy:')) return null;
      const k = id.slice(6);
      const real = JSON.stringify(resolvePath(`src/${k}.ts`));
      return lazy[k]
        .map((n) =>
          /^[A-Z_]+$/.test(n)
            ? `export { ${n} } from ${real};`
            : `export const ${n} = (...a) => import('lazy:${k}').then((m) => m.${n}(...a));`,
        )
        .join('\n');
    },
  };
}

/** Bundles `files` (their exports) and minifies: sizes of the whole and, per module, unmangled. */
async function measure(files, lazy) {
  const dir = mkdtempSync(join(tmpdir(), 'likewise-size-'));
  let input = resolvePath(files[0] ?? 'src/iife.ts');
  if (files.length > 1) {
    input = join(process.cwd(), 'src', `.size-entry-${process.pid}.ts`);
    writeFileSync(
      input,
      files.map((f) => `export * from './${relative('src', f).replace(/\.ts$/, '')}';`).join('\n'),
    );
  }
  try {
    const bundle = await rollup({
      input,
      plugins: [
        ...(lazy ? [onDemand(lazy)] : []),
        resolve({ browser: true }),
        commonjs(),
        esbuild({ include: /\.ts$/, target: 'es2022', tsconfig: './tsconfig.json' }),
      ],
      onwarn: () => {},
    });
    const { output } = await bundle.generate({ format: 'es' });
    const whole = await minify(output[0].code, {
      module: true,
      ecma: 2020,
      compress: { passes: 2 },
    });
    const rows = [];
    for (const [id, m] of Object.entries(output[0].modules)) {
      if (!m.code) continue;
      const r = await minify(m.code, { module: false, ecma: 2020, compress: false, mangle: false });
      rows.push([relative(process.cwd(), id), r.code?.length ?? 0]);
    }
    rows.sort((a, b) => b[1] - a[1]);
    return { min: whole.code.length, gzip: gzipSync(whole.code, { level: 9 }).length, rows };
  } finally {
    if (files.length > 1) rmSync(input);
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--parts') {
  console.log('script-tag core, each part bundled alone (min+gzip; parts share some code):');
  for (const [name, files, lazy] of PARTS) {
    const { min, gzip } = await measure(files, lazy);
    console.log(`${String(gzip).padStart(6)} B gzip ${String(min).padStart(7)} B min  ${name}`);
  }
} else {
  const { min, gzip, rows } = await measure(args);
  console.log(`bundle: ${min} B min, ${gzip} B gzip`);
  for (const [id, n] of rows) console.log(`${String(n).padStart(7)} B  ${id}`);
}
