// The generated big shop (bench/generateBigShop.mjs) on a local server, for
// bench/bigshop.mjs and the browser test of the catalogue shards.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.html': 'text/html',
};

/**
 * The product page of item `id`, or the home page, with the likewise tag
 * and, unless `preload` is false, the preloads the README documents: the
 * manifest, the widget file and the `files` likewise/node names (popularity and, on
 * a product page, its item's model shard and the catalogue shards of the
 * items its widget shows first: `modelPreloads` of likewise/node).
 */
function page(kind, id, entry, catalog, preload, files, file = 'likewise.iife.js') {
  const link = (f) => `<link rel="preload" href="/shop/model/${f}" as="fetch" crossorigin>`;
  // The catalogue shards after the script's preload: over HTTP/1.1 (six
  // connections) they would otherwise queue the script behind them.
  const after = files
    .filter((f) => f.startsWith('catalog-'))
    .map(link)
    .join('');
  const links = preload
    ? link('manifest.json') +
      files
        .filter((f) => !f.startsWith('catalog-'))
        .map(link)
        .join('') +
      // likewise.full.js holds the widget file.
      (file === 'likewise.iife.js'
        ? '<link rel="modulepreload" href="/dist/likewise.widgets.mjs">'
        : '') +
      (after ? `<link rel="preload" href="/dist/${file}" as="script">` + after : '')
    : '';

  const tag = `<script src="/dist/${file}" data-site="bigshop" data-model="/shop/model/manifest.json"${
    catalog ? ' data-catalog="/shop/catalog.json"' : ''
  }></script>`;
  const ld = entry
    ? `<script type="application/ld+json">${JSON.stringify({
        '@context': 'https://schema.org',
        '@type': 'Product',
        sku: entry.id,
        name: entry.title,
        url: entry.url,
        image: entry.image,
        offers: { '@type': 'Offer', price: entry.price, priceCurrency: entry.currency },
      }).replace(/</g, '\\u003c')}</script>`
    : '';
  const widget =
    kind === 'product'
      ? `<h1>${entry.title}</h1><div data-likewise="similar" data-item-id="${id}"></div>`
      : '<h1>Home</h1><div data-likewise="for-you"></div>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${kind}</title>${links}${ld}</head><body>${widget}${tag}</body></html>`;
}

/**
 * Serves the shop on 127.0.0.1: `/product.html?id=ID` (a product page with
 * its JSON-LD and a `similar` widget), `/home.html` (a `for-you` widget),
 * both with the likewise tag (`data-model` only, or also
 * `data-catalog="/shop/catalog.json"` with `&catalog=whole`) and the
 * documented preloads (none with `&preload=no`; the files from
 * `modelPreloads` unless `&preload=basic`, only its model files with
 * `&preload=model`: the pages before the catalogue's were named; the tag
 * `likewise.full.js` instead of `likewise.iife.js` with `&file=full`), the build at
 * `/dist/` and the shop's files at `/shop/`, with `no-store`. Every request
 * is recorded (path, start and end in ms since `mark()`, bytes, body).
 *
 * @param {string} shopDir - generateBigShop's folder
 * @param {{ id: string }[]} catalog - its catalogue entries
 * @param {string} dist - the build's folder
 * @param {{ model?: object }} [options] - `model`: the shop's model already open (another server's `model`)
 */
export async function startShopServer(shopDir, catalog, dist, options = {}) {
  const byId = new Map(catalog.map((e) => [e.id, e]));
  // This checkout's build, whatever `dist` the pages load (a baseline's may predate it).
  const { modelPreloads, openModel } = await import('../dist/node.mjs');
  const model = options.model ?? (await openModel(join(shopDir, 'model')));
  const { manifest } = model;
  const log = [];
  let t0 = performance.now();
  const server = createServer(async (req, res) => {
    const start = performance.now() - t0;
    const url = new URL(req.url, 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    let body;
    let type = 'text/html';
    if (path === '/product.html' || path === '/home.html') {
      const id = url.searchParams.get('id') ?? '';
      const whole = url.searchParams.get('catalog') === 'whole';
      const preload = url.searchParams.get('preload');
      const kind = path === '/product.html' ? 'product' : 'home';
      const files =
        preload === 'basic'
          ? []
          : modelPreloads(manifest, kind === 'product' ? [id] : [], {
              model: preload === 'model' ? undefined : model,
            });
      const file = url.searchParams.get('file') === 'full' ? 'likewise.full.js' : undefined;
      body = Buffer.from(page(kind, id, byId.get(id), whole, preload !== 'no', files, file));
    } else {
      const [root, rest] = path.startsWith('/dist/')
        ? [dist, path.slice(6)]
        : path.startsWith('/shop/')
          ? [shopDir, path.slice(6)]
          : [];
      const file = root && normalize(join(root, rest));
      try {
        if (!file?.startsWith(root)) throw new Error('outside');
        body = readFileSync(file);
        type = TYPES[extname(file)] ?? 'application/octet-stream';
      } catch {
        res.writeHead(404).end();
        return;
      }
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body, () =>
      log.push({ path, start, end: performance.now() - t0, bytes: body.length, body }),
    );
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${server.address().port}`,
        log,
        model,
        mark() {
          log.length = 0;
          t0 = performance.now();
        },
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}
