// Where the bytes of a browser bundle go: bundles the given source modules
// (default: the script-tag entry) the way rollup.config.mjs builds the IIFE,
// then prints the whole bundle's min+gzip size and each module's minified
// share.
//   node scripts/moduleSizes.mjs [src/a.ts src/b.ts ...]
//   node scripts/moduleSizes.mjs --parts   the script tag's core and parts, each as built, with their largest modules
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve as resolvePath } from 'node:path';
import { gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { minify } from 'terser';
import { PARTS as BUILT_PARTS, TAG_PROPS } from '../rollup.config.mjs';

/**
 * What the script-tag build ships, by file: the core and each part it loads
 * on demand (rollup.config.mjs builds each one alone, so a part repeats the
 * few small modules it shares with the core; the widget file holds four parts).
 */
const PARTS = [
  ['likewise.iife.js (the core)', ['src/iife.ts']],
  ['likewise.full.js (the core with the widget file, for pages with widgets)', ['src/iifeFull.ts']],
  ...Object.entries(BUILT_PARTS).map(([name, file]) => [`likewise.${name}.mjs`, [file]]),
];

/** Bundles `files` (their exports) and minifies: sizes of the whole and, per module, unmangled. */
async function measure(files) {
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
        resolve({ browser: true }),
        commonjs(),
        esbuild({ include: /\.ts$/, target: 'es2022', tsconfig: './tsconfig.json' }),
      ],
      onwarn: () => {},
    });
    // As rollup.config.mjs builds them: the core as an IIFE, the parts as modules.
    const iife = /src\/iife\.ts$/.test(input);
    const { output } = await bundle.generate({ format: iife ? 'iife' : 'es', name: 'Likewise' });
    const whole = await minify(output[0].code, {
      module: !iife,
      ecma: 2020,
      compress: { passes: 3 },
      // The internal property names shortened, as in the script tag's core and parts.
      mangle: { properties: { regex: new RegExp(`^(?:${TAG_PROPS.join('|')})$`) } },
      format: { comments: false },
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
  console.log(
    "the script tag's files, each bundled alone (min+gzip as built, less its source-map comment), and their largest modules:",
  );
  for (const [name, files] of PARTS) {
    const { min, gzip, rows } = await measure(files);
    console.log(`${String(gzip).padStart(6)} B gzip ${String(min).padStart(7)} B min  ${name}`);
    for (const [id, n] of rows.slice(0, 6)) console.log(`${String(n).padStart(24)} B  ${id}`);
  }
} else {
  const { min, gzip, rows } = await measure(args);
  console.log(`bundle: ${min} B min, ${gzip} B gzip`);
  for (const [id, n] of rows) console.log(`${String(n).padStart(7)} B  ${id}`);
}
