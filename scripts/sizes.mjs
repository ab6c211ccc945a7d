// What each kind of page pays in likewise JavaScript (bytes gzip, level 9),
// for the script tag and for the npm build in a Vite storefront, against
// the budgets of package.json "sizeBudgets" (issue #11). Printed by
// `node scripts/sizes.mjs` (after `npm run build`) and `npm run bench`, and
// enforced by test/build/size.test.ts inside `npm test`.
//
// A page counts every file it loads from likewise: the script-tag core and
// the parts it imports (`likewise.<part>.mjs`), or, in the Vite build, the
// chunks its entry imports and the likewise parts it loads on demand. The
// script tag's widget file holds the widget part, markup containers, the
// catalogue's loading part and learning (src/scriptTagWidgets.ts); the npm
// widget chunk all of them but the containers (src/widgetParts.ts): the
// Vite storefront renders from code (`lw.render()`). Every dynamic import
// of a Vite page must be a known part (test/build/size.test.ts), so no chunk
// a widget page loads goes uncounted.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const WIDGETS = { tag: ['widgets'], vite: ['widgets'] };
/** Page kinds: the budget's key, the parts loaded (script tag, Vite) and the storefront's options. */
export const PAGE_KINDS = [
  { kind: 'no widget', tag: [], vite: [], options: {}, render: false },
  { kind: 'widgets', ...WIDGETS, options: {}, render: true },
  // A page in a built-in language other than English loads that language's
  // texts beside the widget file (German's are the largest).
  {
    kind: 'widgets, German page',
    tag: [...WIDGETS.tag, 'texts.de'],
    vite: [...WIDGETS.vite, 'texts.de'],
    options: { locale: 'de-DE' },
    render: true,
  },
  {
    kind: 'widgets + endpoint + experiment',
    tag: [...WIDGETS.tag, 'measure'],
    vite: [...WIDGETS.vite, 'measure'],
    options: { endpoint: '/collect', experiment: { holdout: 0.1 } },
    render: true,
  },
];

/**
 * Parts no page kind above loads, only a rare event in a visitor's life: they
 * are printed apart (never hidden) and count on the page where they happen.
 * `erase`: deleting stored data (`forget()`, a consent withdrawal, the
 * recovery of a full origin, compacting a log over its bounds).
 */
export const RARE_PARTS = ['erase'];

const gzip = (code) => gzipSync(code, { level: 9 }).length;

/** The script tag's one file for pages with widgets: the core with the widget file inside (src/iifeFull.ts). */
export const FULL = 'likewise.full.js';

/**
 * The script tag's page kinds, each with the core (`likewise.iife.js`) and
 * the parts it loads; then each widget page kind again with `likewise.full.js`
 * (kind `<kind>, likewise.full.js`), which holds the widget file.
 *
 * @returns {{kind: string, files: {file: string, gzip: number}[], gzip: number, budget: number}[]}
 */
export function scriptTagSizes(root = '.') {
  const budgets = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).sizeBudgets;
  const row = (kind, files) => {
    const sized = files.map((f) => ({
      file: `dist/${f}`,
      gzip: gzip(readFileSync(join(root, 'dist', f))),
    }));
    return {
      kind,
      files: sized,
      gzip: sized.reduce((n, f) => n + f.gzip, 0),
      budget: budgets[`script tag: ${kind}`],
    };
  };
  const part = (p) => `likewise.${p}.mjs`;
  return [
    ...PAGE_KINDS.map(({ kind, tag }) => row(kind, ['likewise.iife.js', ...tag.map(part)])),
    ...PAGE_KINDS.filter(({ tag }) => tag.includes('widgets')).map(({ kind, tag }) =>
      row(`${kind}, ${FULL}`, [FULL, ...tag.filter((p) => p !== 'widgets').map(part)]),
    ),
  ];
}

/** Which likewise part a built chunk holds, from its source module, if any. */
const PART_OF = [
  ['widgets', /widgetParts/],
  ['containers', /observeWidgets/],
  ['measure', /startMetrics/],
  ['extras', /extras/],
  ['autoTrack', /autoTrack/],
  ['erase', /store\/erase/],
  // lw.observe() in the npm build (no page kind here calls it).
  ['observe', /observePage/],
  // The widget texts of each language but English (src/widgets/texts/).
  ...readdirSync(new URL('../src/widgets/texts/', import.meta.url))
    .map((f) => f.replace(/\.ts$/, ''))
    .map((l) => [`texts.${l}`, new RegExp(`texts/${l}\\.`)]),
];

/**
 * Builds storefront pages with Vite (the version in devDependencies) in a
 * fresh temporary folder, `likewise` resolving to this repository's
 * `dist/likewise.mjs` (the package's "import" export), with Vite's
 * defaults but for what `build` (and `config`, Vite's top level) override.
 *
 * @param pages - page name to its module's code
 * @returns the output folder, Vite's manifest, and `remove()` for the folder
 */
export async function buildWithVite(root, pages, build = {}, config = {}) {
  const { build: vite } = await import('vite');
  const dir = mkdtempSync(join(tmpdir(), 'likewise-vite-'));
  const input = {};
  for (const [name, code] of Object.entries(pages)) {
    input[name] = join(dir, `${name}.js`);
    writeFileSync(input[name], code);
  }
  const out = join(dir, 'out');
  try {
    await vite({
      root: dir,
      logLevel: 'silent',
      configFile: false,
      resolve: { alias: { likewise: resolve(root, 'dist/likewise.mjs') } },
      ...config,
      build: { outDir: out, manifest: true, ...build, rollupOptions: { input } },
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    out,
    manifest: JSON.parse(readFileSync(join(out, '.vite/manifest.json'), 'utf8')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A storefront page's module: creates an instance, tracks a view of
 * `itemId` and, if asked, renders its `similar` widget into `#recs`.
 */
export const storefrontPage = (options, render, itemId = 'sku-1') =>
  [
    "import { createLikewise } from 'likewise';",
    `const lw = createLikewise(${JSON.stringify({ site: 'shop', catalog: '/catalog.json', model: '/model/manifest.json', ...options })});`,
    `lw.track({ type: 'view', itemId: ${JSON.stringify(itemId)} });`,
    render
      ? `lw.render(document.querySelector('#recs'), { type: 'similar', itemId: ${JSON.stringify(itemId)} });`
      : '',
  ].join('\n');

/**
 * Builds one tiny storefront page per page kind with Vite in its default
 * configuration (`build.modulePreload` on, as a shop has it unless it
 * turns it off; `build` overrides it), and sums per page the chunks its
 * entry imports and the parts it loads.
 */
export async function viteSizes(root = '.', build = {}) {
  const budgets = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).sizeBudgets;
  const pages = Object.fromEntries(
    PAGE_KINDS.map(({ options, render }, i) => [`page${i}`, storefrontPage(options, render)]),
  );
  const { out, manifest, remove } = await buildWithVite(root, pages, build);
  try {
    const partOf = (key) => PART_OF.find(([, re]) => re.test(key))?.[0];
    return PAGE_KINDS.map(({ kind, vite: parts }, i) => {
      const seen = new Set();
      // Chunks loaded on demand that are no known part: they would go uncounted.
      const unknown = [];
      const visit = (key) => {
        if (seen.has(key)) return;
        seen.add(key);
        const chunk = manifest[key];
        for (const k of chunk.imports ?? []) visit(k);
        for (const k of chunk.dynamicImports ?? []) {
          if (!partOf(k)) unknown.push(k);
          if (parts.includes(partOf(k))) visit(k);
        }
      };
      visit(
        Object.keys(manifest).find((k) => manifest[k].name === `page${i}` && manifest[k].isEntry),
      );
      const files = [...seen].map((k) => ({
        file: `${manifest[k].file} (${partOf(k) ?? (manifest[k].isEntry ? 'page + core' : 'shared')})`,
        gzip: gzip(readFileSync(join(out, manifest[k].file))),
      }));
      return {
        kind,
        files,
        gzip: files.reduce((n, f) => n + f.gzip, 0),
        budget: budgets[`npm (Vite): ${kind}`],
        unknown,
      };
    });
  } finally {
    remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const print = (title, rows) => {
    console.log(title);
    for (const r of rows) {
      const pct = r.budget ? ` (${((100 * r.gzip) / r.budget).toFixed(0)}% of ${r.budget} B)` : '';
      console.log(`  ${r.kind.padEnd(34)} ${String(r.gzip).padStart(6)} B gzip${pct}`);
      for (const f of r.files) console.log(`    ${String(f.gzip).padStart(6)} B  ${f.file}`);
    }
  };
  print('script tag, per page kind (likewise JS loaded, gzip -9):', scriptTagSizes());
  print('npm build in a Vite storefront (default config), per page kind:', await viteSizes());
  // Vite lists a part's chunks for preloading (`__vite__mapDeps`) unless told not to.
  const off = await viteSizes('.', { modulePreload: false });
  console.log(
    `  with build.modulePreload false: ${off.map((r) => `${r.kind} ${r.gzip} B`).join(', ')}`,
  );
  for (const p of RARE_PARTS)
    console.log(
      `rare path, loaded only when it happens: dist/likewise.${p}.mjs ${gzip(readFileSync(`dist/likewise.${p}.mjs`))} B gzip`,
    );
}
