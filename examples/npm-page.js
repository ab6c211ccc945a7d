// npm.html: the shop uses likewise as a package (ESM build, dependencies
// resolved by the page's import map) and renders shelves from code. The
// namespace import keeps the page alive, with a clear message, when the
// build does not export createLikewise yet.
import * as likewise from '/dist/likewise.mjs';

const $ = (selector) => document.querySelector(selector);
const status = $('[data-npm="status"]');
const params = new URLSearchParams(location.search);
const featured = params.get('id') || 'bk-0001';

function say(message) {
  if (!status) return;
  status.hidden = false;
  status.textContent = message;
}

// The shop's own helpers (shop.js runs first, as a classic script): only
// http(s) and relative URLs reach href/src; prices in the shop's format.
const { safeUrl, money } = window.FolioShop;

const VERBS = {
  view: 'viewed',
  click: 'opened',
  add_to_cart: 'put in your basket',
  purchase: 'bought',
};

/** "Because you viewed X", from a recommendation's reason. */
function because(reason, titles) {
  if (!reason) return '';
  const title = reason.itemId ? titles.get(reason.itemId) : undefined;
  if (title) return `Because you ${VERBS[reason.via] || 'looked at'} ${title}`;
  if (reason.kind === 'trending') return 'Popular right now';
  if (reason.kind === 'recent') return 'You looked at this recently';
  return 'Picked for you';
}

/** One card built from a Recommendation, with DOM APIs only. */
function card(rec, titles) {
  const item = rec.item;
  const li = document.createElement('li');
  li.className = 'card';
  li.setAttribute('data-likewise-item', rec.id);
  const link = document.createElement('a');
  link.className = 'card-link';
  link.href = safeUrl(item.url) || `/product.html?id=${encodeURIComponent(rec.id)}`;
  const img = document.createElement('img');
  img.className = 'cover';
  img.alt = '';
  img.width = 200;
  img.height = 300;
  const src = item.image ? safeUrl(item.image) : undefined;
  if (src) img.src = src;
  const title = document.createElement('h3');
  title.className = 'card-title';
  title.textContent = item.title;
  link.append(img, title);
  const author = document.createElement('p');
  author.className = 'card-author';
  author.textContent = item.brand || '';
  const why = document.createElement('p');
  why.className = 'why';
  why.textContent = because(rec.reason, titles);
  const foot = document.createElement('div');
  foot.className = 'card-foot';
  const price = document.createElement('span');
  price.className = 'card-price';
  price.textContent = money(item.price, item.currency);
  foot.append(price);
  li.append(link, author, why, foot);
  return li;
}

async function main() {
  if (typeof likewise.createLikewise !== 'function') {
    say(
      'dist/likewise.mjs does not export createLikewise yet: run `npm run build` once the SDK is in.',
    );
    return;
  }
  let agreed = false;
  try {
    // The shop's consent banner (shop.js) keeps the shopper's answer here.
    agreed = localStorage.getItem('folio-consent') === 'granted';
  } catch {}
  const lw = likewise.createLikewise({
    site: 'shop',
    consent: agreed ? 'granted' : 'pending',
    catalog: '/catalog.json',
    model: '/model/manifest.json',
    onError: (error) => console.warn('likewise:', error),
  });
  const similar = $('[data-npm="similar"]');
  const trending = $('[data-npm="trending"]');
  if (similar)
    lw.render(similar, {
      type: 'similar',
      itemId: featured,
      limit: 6,
      title: 'More like our featured book',
    });
  if (trending) lw.render(trending, { type: 'trending', limit: 6, title: 'Trending this week' });

  const forYou = $('[data-npm="for-you"]');
  if (!forYou) return;
  const [recs, catalog] = await Promise.all([
    lw.recommend({ type: 'for-you', limit: 6 }),
    fetch('/catalog.json').then((r) => (r.ok ? r.json() : [])),
  ]);
  const titles = new Map(Array.isArray(catalog) ? catalog.map((x) => [x.id, x.title]) : []);
  const grid = document.createElement('ul');
  grid.className = 'grid';
  grid.append(...recs.map((rec) => card(rec, titles)));
  forYou.replaceChildren(grid);
}

main().catch((error) => {
  say(`Recommendations are unavailable right now (${error?.message ? error.message : error}).`);
});
