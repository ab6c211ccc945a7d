// Builds: the library (ESM + CJS + one bundled .d.ts), the script-tag IIFE
// and the parts it loads on demand, and the Node CLI.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import dts from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';
import { writeDeclarations } from './scripts/declarations.mjs';

// esbuild only strips types (tsconfig has isolatedModules and
// verbatimModuleSyntax, so that is safe); `npm test` type-checks once with
// `tsc --noEmit`. The browser bundles keep ES2022, the Node builds ES2020.
const ts = (target = 'es2020') =>
  esbuild({ include: /\.ts$/, target, tsconfig: './tsconfig.json' });
// A fourth pass takes 19 B off the widget file (a fifth 1 B more); the
// other `unsafe*` and `hoist_funs` gain under 100 B gzip here, and
// `hoist_funs` broke the 2,000-event browser test: not worth it.
// `unsafe_arrows` turns the function expressions terser makes when it
// inlines (none uses `this`, `arguments` or `new`) into arrows: 5-10 B a
// page, which the widget pages' budgets need.
// `npm`: the npm build's modules, minified one by one (a shop's bundler
// minifies less: Vite's esbuild neither inlines nor drops as much), their
// `/* @__PURE__ */` marks kept for that bundler's tree-shaking.
/**
 * Property names internal to the script tag's files: the instance's shared
 * state that its parts read (`LikewiseCore`), the tracker, the stores and
 * their connections. Terser shortens them in the tag's core and in every
 * part alike, to the capital letter of their place here: one fixed table,
 * because each file is minified alone and a part reads what the core wrote.
 * Each use costs a letter instead of a word, on every tag page. None may be
 * a name that a page, the DOM, an option, an event or a file format uses,
 * nor `.d.ts` API (test/build/bundles.test.ts); the build fails when the
 * code already has a property named with one of the letters (`tagNames`).
 * Terser leaves names the DOM has alone whatever this says (`restore`,
 * `wait`): those cannot be listed.
 * The npm build keeps its names: the shop's bundler minifies it.
 */
export const TAG_PROPS = [
  'cleanups',
  'enrich',
  'extras',
  'flushNow',
  'found',
  'hasIndexedDB',
  'held',
  'mem',
  'most',
  'onForget',
  'prefetch',
  'rewrite',
  'serve',
  'starting',
  'timer',
  'touch',
];
const SHORT = TAG_PROPS.map((_, i) => String.fromCharCode(65 + i));
/** Fails the build on a property the code names with one of the short names (before minifying). */
const tagNames = {
  name: 'tag-names',
  renderChunk(code, chunk) {
    // `x.A` or `{ A: ...}`; not a spread (`...A`).
    const taken = new RegExp(
      `(?<!\\.\\.)\\.(${SHORT.join('|')})\\b|[{,]\\s*(${SHORT.join('|')})\\s*:`,
    );
    const m = taken.exec(code);
    if (m)
      this.error(`${chunk.fileName}: the property ${m[1] ?? m[2]} is a short name of TAG_PROPS`);
    return null;
  },
};
// `shared`: the script tag's core or one of its parts, which share objects
// (TAG_PROPS); the texts share none.
const min = (module = false, npm = false, shared = !npm) =>
  terser({
    ecma: 2020,
    module,
    compress: { passes: 4, unsafe_arrows: true },
    // `__vitePreload` keeps its name in the npm build: see src/importPart.ts.
    mangle: npm
      ? { reserved: ['__vitePreload'] }
      : shared
        ? { properties: { regex: new RegExp(`^(?:${TAG_PROPS.join('|')})$`) } }
        : true,
    // A fresh copy each time: terser adds to it.
    nameCache: shared
      ? { props: { props: Object.fromEntries(TAG_PROPS.map((n, i) => [`$${n}`, SHORT[i]])) } }
      : undefined,
    format: { comments: false, preserve_annotations: npm },
  });
const onwarn = (warning, warn) => {
  if (
    warning.code === 'CIRCULAR_DEPENDENCY' &&
    warning.ids?.some((id) => id.includes('node_modules'))
  )
    return;
  warn(warning);
};
// The published .d.ts files: each source file's declarations on its own
// (scripts/declarations.mjs), then bundled; no type checker runs here. They
// are written outside node_modules (rollup-plugin-dts keeps what resolves
// there external), in a temporary folder of this checkout's own. Where a
// file cannot be declared on its own, the build says which and takes the
// type-checked path for that entry: the same output, only slower.
const DECLARATIONS = join(
  tmpdir(),
  `likewise-declarations-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12)}`,
);
const declarations = (entry, files) => ({
  input: entry,
  output: files.map((file) => ({ file, format: 'es' })),
  plugins: [
    {
      // Declared when this config is built, not when the file is read:
      // scripts/build.mjs reads it in every process, and each builds its share.
      name: 'declare',
      options(o) {
        try {
          // A folder per entry: the two entries may be declared by two build processes at once.
          const dir = join(DECLARATIONS, entry.replace(/\W/g, '-'));
          return { ...o, input: writeDeclarations(entry, 'src', dir) };
        } catch (error) {
          console.warn(`${error.message}\n(building ${files[0]} the slow way meanwhile)`);
          return null;
        }
      },
    },
    dts(),
  ],
});
/**
 * The script tag's parts take what the core that loaded them already holds
 * (`window.Likewise`, the one global the tag sets, before any part loads)
 * instead of a copy each: `LikewiseError`, so that there is one class on the
 * page and `instanceof Likewise.LikewiseError` holds for every error, and
 * the small shared modules below, from `Likewise.shared` (src/startScriptTag.ts
 * lends them). Fewer bytes on every page with a part: gzip shares nothing
 * across files. A name listed here that the core does not lend fails
 * test/build/bundles.test.ts; one a part imports that is not listed fails
 * the build.
 */
export const FROM_CORE = {
  'src/errors.ts': ['', ['LikewiseError', 'isLikewiseError']],
  'src/shared/safeUrl.ts': ['.shared', ['safeUrl']],
  'src/nextTask.ts': ['.shared', ['nextTask']],
};
const fromCore = {
  name: 'from-core',
  async resolveId(id, importer) {
    if (!importer || id.startsWith('\0')) return null;
    const r = await this.resolve(id, importer, { skipSelf: true });
    const file = r && Object.keys(FROM_CORE).find((f) => r.id.endsWith(`/${f}`));
    return file ? `\0likewise-core:${file}` : null;
  },
  load(id) {
    if (!id.startsWith('\0likewise-core:')) return null;
    const [from, names] = FROM_CORE[id.slice('\0likewise-core:'.length)];
    return `export const { ${names.join(', ')} } = globalThis.Likewise${from};`;
  },
};
// The browser bundles keep ES2022 syntax (`??=`, class fields) as written: the
// code already needs ES2022 (`Object.hasOwn`), and the downlevelled forms are longer.
const browser = [resolve({ browser: true }), commonjs(), ts('es2022')];

/** The script-tag core's on-demand files, loaded as `likewise.<name>.mjs` (`LikewiseParts`; `widgets` holds four of them). */
export const PARTS = {
  // With widget markup, learning and the catalogue's loading part: see src/scriptTagWidgets.ts.
  widgets: 'src/scriptTagWidgets.ts',
  measure: 'src/metrics/startMetrics.ts',
  extras: 'src/extras.ts',
  // Deleting stored data: forget(), a withdrawal, quota recovery, compaction.
  erase: 'src/store/erase.ts',
};

const configs = [
  {
    input: 'src/index.ts',
    external: ['ml-matrix'],
    // The ES build keeps one file per module, so the shop's bundler sees
    // which modules only the on-demand parts use and splits them off with
    // those parts (a pre-built shared chunk would be loaded whole by every page).
    output: [
      {
        dir: 'dist',
        format: 'es',
        sourcemap: true,
        preserveModules: true,
        preserveModulesRoot: 'src',
        entryFileNames: (chunk) =>
          chunk.facadeModuleId?.endsWith('src/index.ts') ? 'likewise.mjs' : 'esm/[name].mjs',
        plugins: [min(true, true)],
      },
      {
        dir: 'dist',
        format: 'cjs',
        sourcemap: true,
        exports: 'named',
        entryFileNames: 'likewise.cjs',
        chunkFileNames: 'chunks/[name]-[hash].cjs',
      },
    ],
    plugins: [ts()],
    onwarn,
  },
  // The same declarations twice: TypeScript reads a `.d.ts` beside an ESM
  // package as ESM, so `require` consumers (module node16) need a `.d.cts`.
  declarations('src/index.ts', ['dist/likewise.d.ts', 'dist/likewise.d.cts']),
  // The script-tag core, and beside it what it loads on demand. Their source
  // maps are shipped beside them (`<file>.map`) but not named in them
  // (`hidden`): the `//# sourceMappingURL=` line is about 34 B gzip that
  // every shopper downloads with every file for a developer tool; a
  // developer adds the map in the browser's devtools, and bench/traceDemo.mjs
  // reads it by name.
  {
    input: 'src/iife.ts',
    output: {
      file: 'dist/likewise.iife.js',
      format: 'iife',
      name: 'Likewise',
      sourcemap: 'hidden',
    },
    plugins: [...browser, tagNames, min()],
    onwarn,
  },
  // The same core with the widget file inside it, for pages with widgets.
  {
    input: 'src/iifeFull.ts',
    output: {
      file: 'dist/likewise.full.js',
      format: 'iife',
      name: 'Likewise',
      sourcemap: 'hidden',
    },
    plugins: [...browser, tagNames, min()],
    onwarn,
  },
  // Each part self-contained (a few small modules repeated in them): a part
  // that imported a shared chunk would cost the page another round trip.
  ...Object.entries(PARTS).map(([name, input]) => ({
    input,
    output: { file: `dist/likewise.${name}.mjs`, format: 'es', sourcemap: 'hidden' },
    plugins: [fromCore, ...browser, tagNames, min(true)],
    onwarn,
  })),
  // The widget texts of each built-in language but English, a file each
  // (`likewise.texts.<lang>.mjs`, loaded by src/scriptTagWidgets.ts): a page
  // loads its own language's only, an English page none.
  {
    input: Object.fromEntries(
      readdirSync('src/widgets/texts').map((f) => [
        f.replace(/\.ts$/, ''),
        `src/widgets/texts/${f}`,
      ]),
    ),
    output: { dir: 'dist', format: 'es', entryFileNames: 'likewise.texts.[name].mjs' },
    plugins: [...browser, min(true, false, false)],
    onwarn,
  },
];
if (existsSync('src/cli/main.ts')) {
  configs.push({
    input: 'src/cli/main.ts',
    external: (id) => id.startsWith('node:'),
    // The ClickHouse client is imported only when asked for: one file still.
    output: { file: 'dist/cli.mjs', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [resolve({ preferBuiltins: true }), commonjs(), ts()],
    onwarn,
  });
}
// The Node API (`likewise/node`): model files in, recommendations out.
if (existsSync('src/node.ts')) {
  configs.push(
    {
      input: 'src/node.ts',
      external: (id) => id.startsWith('node:'),
      output: [
        { file: 'dist/node.mjs', format: 'es', sourcemap: true },
        { file: 'dist/node.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
      ],
      plugins: [ts()],
      onwarn,
    },
    declarations('src/node.ts', ['dist/node.d.ts', 'dist/node.d.cts']),
  );
}

// `scripts/build.mjs` runs one rollup process per core, each with its group
// (LIKEWISE_BUILD_GROUP=k/n). The configs are shared out greedily by their
// relative cost (measured CPU time; minifying dominates), so the groups end
// together. Plain `rollup -c` builds everything.
const COST = {
  'src/scriptTagWidgets.ts': 12,
  'src/iife.ts': 9,
  'src/iifeFull.ts': 20,
  'src/extras.ts': 6.5,
  'src/cli/main.ts': 4,
  'src/metrics/startMetrics.ts': 3.5,
  'src/index.ts': 2,
};
const group = /^(\d+)\/(\d+)$/.exec(process.env.LIKEWISE_BUILD_GROUP ?? '');
const share = (all, k, n) => {
  const load = Array(n).fill(0);
  const mine = [];
  const cost = (c) => (c.plugins?.some((p) => p?.name === 'dts') ? 1 : (COST[c.input] ?? 1));
  for (const c of [...all].sort((a, b) => cost(b) - cost(a))) {
    const g = load.indexOf(Math.min(...load));
    load[g] += cost(c);
    if (g === k) mine.push(c);
  }
  return mine;
};

export default group ? share(configs, +group[1], +group[2]) : configs;
