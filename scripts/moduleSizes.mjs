// Where the bytes of a browser bundle go: bundles the given source modules
// (default: the script-tag entry) the way rollup.config.mjs builds the IIFE,
// then prints the whole bundle's min+gzip size and each module's minified
// share. Usage: node scripts/moduleSizes.mjs [src/a.ts src/b.ts ...]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve as resolvePath } from 'node:path';
import { gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { minify } from 'terser';

const files = process.argv.slice(2);
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
      typescript({
        tsconfig: './tsconfig.json',
        include: ['src/**/*.ts'],
        outDir: dir,
        compilerOptions: { noEmit: false },
      }),
    ],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'es' });
  const whole = await minify(output[0].code, { module: true, ecma: 2020, compress: { passes: 2 } });
  console.log(
    `bundle: ${whole.code.length} B min, ${gzipSync(whole.code, { level: 9 }).length} B gzip`,
  );
  const rows = [];
  for (const [id, m] of Object.entries(output[0].modules)) {
    if (!m.code) continue;
    const r = await minify(m.code, { module: false, ecma: 2020, compress: false, mangle: false });
    rows.push([relative(process.cwd(), id), r.code?.length ?? 0]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  for (const [id, n] of rows) console.log(`${String(n).padStart(7)} B  ${id}`);
} finally {
  if (files.length > 1) rmSync(input);
  rmSync(dir, { recursive: true, force: true });
}
