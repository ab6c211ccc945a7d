// Folio & Fern's own behaviour: the basket (localStorage), the product page,
// category listings and the "new in store" grid, built with DOM APIs from
// catalog.json. The likewise SDK does not depend on this file: the shop only
// marks its elements (data-likewise-view, -item, -cart, -remove, -purchase),
// which the SDK's auto-tracking reads, and asks for consent (the banner).
//
// Runs as a classic blocking script placed before the SDK's async tag, so the
// attributes the SDK reads (data-likewise-view, data-item-id) are set before
// the SDK starts. No innerHTML, no inline styles: csp.html uses this file too.
(() => {
  const CART_KEY = 'folio-cart';
  const page = document.body.dataset.page || '';
  const params = new URLSearchParams(location.search);

  // ---------- tiny DOM helpers ----------

  /** Creates an element with attributes and children (strings become text). */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === undefined || value === null) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'className') node.className = String(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
  const slot = (name, root) => $(`[data-shop="${name}"]`, root);
  const setText = (name, text) => {
    const node = slot(name);
    if (node) node.textContent = text;
  };

  /** Only http(s) and same-site relative URLs reach href/src. */
  function safeUrl(raw) {
    try {
      const url = new URL(String(raw), location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
      return undefined;
    }
  }

  // The shop's own texts on its German page (de.html); the SDK brings its own.
  const GERMAN = document.documentElement.lang.startsWith('de');
  const DE = {
    'Free delivery in the EU on orders over €30 · Signed copies every Friday':
      'Versandkostenfrei in der EU ab 30 € · Jeden Freitag signierte Exemplare',
    'Search titles, authors, genres…': 'Titel, Autoren, Genres suchen…',
    'Search the shop': 'Im Shop suchen',
    Search: 'Suchen',
    Insights: 'Einblicke',
    'Basket ': 'Warenkorb ',
    Genres: 'Genres',
    Shop: 'Shop',
    'Your basket': 'Ihr Warenkorb',
    'Other ways in': 'Weitere Wege',
    Help: 'Hilfe',
    'Privacy policy': 'Datenschutz',
    'Privacy choices': 'Datenschutz-Einstellungen',
    'Delivery & returns': 'Versand & Rückgabe',
    Add: 'Kaufen',
    'Sold out': 'Ausverkauft',
    'Added ✓': 'Im Korb ✓',
    "An independent bookshop since 1987. Our booksellers read everything so you don't have to choose alone.":
      'Eine unabhängige Buchhandlung seit 1987. Unsere Buchhändler lesen alles, damit Sie nicht allein wählen müssen.',
    '© 2025 Folio & Fern Booksellers · Recommendations are computed in your browser by likewise; nothing about your reading leaves this device unless you agree.':
      '© 2025 Folio & Fern · Empfehlungen berechnet likewise in Ihrem Browser; nichts über Ihre Lektüre verlässt dieses Gerät ohne Ihre Zustimmung.',
    'We would like to remember the books you look at on this device and send anonymous shopping events to our shop, so that recommendations follow you from page to page. Until you agree, what you browse stays in this tab only.':
      'Wir möchten die Bücher, die Sie ansehen, auf diesem Gerät speichern und anonyme Einkaufsereignisse an unseren Shop senden, damit die Empfehlungen Sie von Seite zu Seite begleiten. Bis Sie zustimmen, bleibt alles nur in diesem Tab.',
    Accept: 'Zustimmen',
    'No, keep it on this device': 'Nein, nur auf diesem Gerät',
    'Your privacy': 'Ihre Privatsphäre',
  };
  const t = (text) => (GERMAN && DE[text]) || text;

  // One shop, one currency (the catalogue is in euros), written one way: in
  // the page's language, as the SDK's widgets write it. One formatter per
  // currency: building an Intl.NumberFormat costs far more than formatting
  // (75 ms of a page load when built per price).
  const formats = new Map();
  const LOCALE = document.documentElement.lang || 'en';
  function money(price, currency) {
    if (typeof price !== 'number' || !Number.isFinite(price)) return '';
    const code = currency || 'EUR';
    try {
      if (!formats.has(code))
        formats.set(code, new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code }));
      return formats.get(code).format(price);
    } catch {
      return `${price.toFixed(2)} ${currency || ''}`.trim();
    }
  }

  /** A small stable hash, for deterministic made-up details (pages, reviews). */
  function hash(text) {
    let x = 2166136261;
    for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
    return x >>> 0;
  }

  // ---------- the parts every page shares (one place, built before first paint) ----------

  const GENRES = [
    'Fantasy',
    'Science Fiction',
    'Mystery',
    'Thriller',
    'Romance',
    'Historical Fiction',
    'Literary Fiction',
    'Popular Science',
    'Cookery',
    "Children's",
  ];
  const genreHref = (genre) => `/category.html?c=${encodeURIComponent(genre)}`;
  const links = (list) =>
    h(
      'ul',
      {},
      ...list.map(([text, href, attrs]) => h('li', {}, h('a', { href, text: t(text), ...attrs }))),
    );

  function siteHeader() {
    return [
      h('p', {
        className: 'topbar',
        text: t('Free delivery in the EU on orders over €30 · Signed copies every Friday'),
      }),
      h(
        'div',
        { className: 'header-main wrap' },
        h(
          'a',
          { className: 'logo', href: '/', 'aria-label': 'Folio & Fern home' },
          h('img', { src: '/logo.svg', alt: '', width: 40, height: 40 }),
          h(
            'span',
            { className: 'logo-text' },
            'Folio ',
            h('span', { className: 'amp', text: '&' }),
            ' Fern',
          ),
        ),
        h(
          'search',
          { className: 'search-box' },
          h(
            'form',
            { className: 'search', action: '/category.html', method: 'get' },
            h('input', {
              type: 'search',
              name: 'q',
              placeholder: t('Search titles, authors, genres…'),
              'aria-label': t('Search the shop'),
            }),
            h('button', { type: 'submit', text: t('Search') }),
          ),
        ),
        h(
          'nav',
          { className: 'account', 'aria-label': 'Account' },
          h('a', { href: '/dashboard.html', text: t('Insights') }),
          h(
            'a',
            { className: 'cart-link', href: '/cart.html' },
            t('Basket '),
            h('span', { className: 'cart-count', 'data-cart-count': true, text: '0' }),
          ),
        ),
      ),
      h(
        'nav',
        { className: 'genres', 'aria-label': 'Genres' },
        h(
          'ul',
          { className: 'wrap' },
          ...GENRES.map((g) => h('li', {}, h('a', { href: genreHref(g), text: g }))),
        ),
      ),
    ];
  }

  function siteFooter() {
    const column = (title, list) => h('section', {}, h('h2', { text: t(title) }), links(list));
    return [
      h(
        'div',
        { className: 'wrap footer-grid' },
        h(
          'section',
          {},
          h('h2', { className: 'footer-logo', text: 'Folio & Fern' }),
          h('p', {
            text: t(
              "An independent bookshop since 1987. Our booksellers read everything so you don't have to choose alone.",
            ),
          }),
        ),
        column('Shop', [
          ...['Fantasy', 'Mystery', 'Cookery'].map((g) => [g, genreHref(g)]),
          ['Your basket', '/cart.html'],
        ]),
        column('Other ways in', [
          ['Built with npm', '/npm.html'],
          ['Custom element', '/element.html'],
          ['Strict CSP page', '/csp.html'],
          ['Recommendation insights', '/dashboard.html'],
          ['Auf Deutsch', '/de.html'],
        ]),
        column('Help', [
          ['Privacy policy', '/privacy.html'],
          // The likewise privacy panel opens from any element carrying this attribute.
          ['Privacy choices', '/privacy.html#choices', { 'data-likewise-privacy': true }],
          ['Delivery & returns', '/privacy.html#delivery'],
        ]),
      ),
      h('p', {
        className: 'wrap copyright',
        text: t(
          '© 2025 Folio & Fern Booksellers · Recommendations are computed in your browser by likewise; ' +
            'nothing about your reading leaves this device unless you agree.',
        ),
      }),
    ];
  }

  /** The product page's empty article (product.html, csp.html), filled by fillProduct. */
  function productArticle() {
    const slotted = (tag, name, attrs, ...children) =>
      h(tag, { 'data-shop': name, ...attrs }, ...children);
    const fact = (term, detail) => h('div', {}, h('dt', { text: term }), detail);
    return [
      h(
        'div',
        { className: 'product-cover' },
        slotted('img', 'cover', { alt: '', width: 300, height: 450 }),
      ),
      h(
        'div',
        { className: 'product-info' },
        slotted('p', 'genre', { className: 'eyebrow', text: '\u00a0' }),
        slotted('h1', 'title', { text: 'Loading…' }),
        h(
          'p',
          { className: 'byline' },
          'by ',
          slotted('a', 'author', { href: '/category.html', text: '\u00a0' }),
        ),
        h(
          'p',
          { className: 'rating' },
          h('span', { 'aria-hidden': 'true', text: '★★★★☆' }),
          h('span', { className: 'sr-only', text: 'Rated 4 out of 5.' }),
          ' ',
          slotted('span', 'reviews', { text: '\u00a0' }),
        ),
        slotted('p', 'price', { className: 'price', text: '\u00a0' }),
        slotted('p', 'stock', { className: 'stock', text: '\u00a0' }),
        h(
          'div',
          { className: 'buy' },
          slotted('button', 'add', {
            className: 'btn btn-primary',
            type: 'button',
            text: 'Add to basket',
          }),
          h('a', { className: 'btn btn-ghost', href: '/cart.html', text: 'View basket' }),
        ),
        slotted('p', 'description', { className: 'description', text: '\u00a0' }),
        h(
          'dl',
          { className: 'facts' },
          fact('Format', slotted('dd', 'format', { text: 'Paperback' })),
          fact('Pages', slotted('dd', 'pages', { text: '–' })),
          fact('Language', h('dd', { text: 'English' })),
          fact('Ships', h('dd', { text: 'in 1–2 working days' })),
        ),
      ),
    ];
  }

  /** Fills the shared placeholders that are still empty. */
  function buildSharedParts() {
    const parts = { header: siteHeader, footer: siteFooter };
    for (const el of $$('[data-shop-chrome]')) {
      const build = parts[el.getAttribute('data-shop-chrome')];
      if (build && !el.firstElementChild) el.replaceChildren(...build());
    }
    const article = slot('product');
    if (article && !article.firstElementChild) article.replaceChildren(...productArticle());
  }

  // ---------- the SDK, when it is there (optional) ----------

  function sdk() {
    const lw = window.Likewise;
    return lw && typeof lw === 'object' && lw.instance && typeof lw.instance.track === 'function'
      ? lw.instance
      : undefined;
  }

  // ---------- consent (the shop's banner; the SDK starts `pending`) ----------

  // The shopper's answer, kept by the shop as any consent banner keeps it.
  const CONSENT_KEY = 'folio-consent';
  const readChoice = () => {
    try {
      return localStorage.getItem(CONSENT_KEY);
    } catch {
      return null;
    }
  };

  /**
   * Grants consent through the SDK's call queue, so a returning shopper's
   * grant is replayed the moment the SDK starts, before any event. On a
   * later page the SDK's remembered refusal ("stop personalisation" in the
   * privacy panel: the documented `likewise-<site>.consent` key) wins.
   */
  function grant(answered) {
    try {
      if (!answered && localStorage.getItem('likewise-shop.consent') === 'denied') return;
    } catch {}
    window.Likewise = window.Likewise || [];
    window.Likewise.push(['setConsent', 'granted']);
  }

  /**
   * Until the shopper answers, the SDK keeps events in memory only (the
   * tag's data-consent="pending"): recommendations follow this tab's browsing
   * and nothing is stored or sent. "Accept" grants consent (stored on the
   * device, sent to the shop's collector); "No" keeps it that way.
   */
  function consentBanner() {
    const choice = readChoice();
    if (choice === 'granted') return grant();
    if (choice === 'refused') return;
    const answer = (value) => {
      try {
        localStorage.setItem(CONSENT_KEY, value);
      } catch {}
      banner.remove();
      if (value === 'granted') grant(true);
    };
    const banner = h(
      'section',
      { className: 'consent', 'aria-label': t('Your privacy'), 'data-consent-banner': true },
      h('p', {
        text: t(
          'We would like to remember the books you look at on this device and send anonymous shopping events to our shop, so that recommendations follow you from page to page. Until you agree, what you browse stays in this tab only.',
        ),
      }),
      h(
        'div',
        { className: 'consent-actions' },
        h('button', {
          className: 'btn btn-primary',
          type: 'button',
          'data-consent-accept': true,
          text: t('Accept'),
        }),
        h('button', {
          className: 'btn btn-ghost',
          type: 'button',
          'data-consent-refuse': true,
          text: t('No, keep it on this device'),
        }),
      ),
    );
    banner.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('[data-consent-accept]')) answer('granted');
      else if (target?.closest('[data-consent-refuse]')) answer('refused');
    });
    document.body.append(banner);
  }

  // ---------- catalogue ----------

  let catalogPromise;
  function loadCatalog() {
    if (!catalogPromise) {
      // Under a URL of the shop's own: the page's `<link rel=preload>` of
      // /catalog.json is likewise's, and a fetch of that URL here (this
      // script runs first) took the preloaded response, so likewise's own
      // request went out again after its script started, on the first
      // widget's path. A real shop renders its grid on the server and never
      // asks for likewise's file.
      catalogPromise = fetch('/catalog.json?for=shop', { credentials: 'same-origin' })
        .then((r) =>
          r.ok ? r.json() : Promise.reject(new Error(`catalog.json: HTTP ${r.status}`)),
        )
        .then((list) => {
          if (!Array.isArray(list)) throw new Error('catalog.json is not an array');
          const items = list.filter(
            (x) => x && typeof x.id === 'string' && typeof x.title === 'string',
          );
          return { items, byId: new Map(items.map((x) => [x.id, x])) };
        });
    }
    return catalogPromise;
  }

  // ---------- basket (localStorage; absent in sandboxed or cross-site frames) ----------

  function readCart() {
    try {
      const raw = JSON.parse(window.localStorage.getItem(CART_KEY) || '[]');
      return Array.isArray(raw)
        ? raw.filter((l) => l && typeof l.id === 'string' && Number.isInteger(l.qty) && l.qty > 0)
        : [];
    } catch {
      return [];
    }
  }

  function writeCart(lines) {
    try {
      window.localStorage.setItem(CART_KEY, JSON.stringify(lines));
    } catch {
      // Storage denied or full: the basket lives for this page only.
    }
    updateCartCount(lines);
  }

  function updateCartCount(lines) {
    const count = (lines || readCart()).reduce((n, l) => n + l.qty, 0);
    for (const badge of $$('[data-cart-count]')) {
      badge.textContent = String(count);
      badge.setAttribute('aria-label', `${count} ${count === 1 ? 'book' : 'books'} in basket`);
    }
  }

  function addToCart(item) {
    const lines = readCart();
    const line = lines.find((l) => l.id === item.id);
    if (line) line.qty += 1;
    else
      lines.push({
        id: item.id,
        qty: 1,
        title: item.title,
        brand: item.brand,
        price: item.price,
        currency: item.currency,
        image: item.image,
        url: item.url,
      });
    writeCart(lines);
  }

  /** Feedback on an add button without changing its size (fixed min-width in CSS). */
  function flashAdded(button) {
    const label = button.textContent;
    button.textContent = t('Added ✓');
    button.disabled = true;
    setTimeout(() => {
      button.textContent = label;
      button.disabled = false;
    }, 1400);
  }

  // Add-to-basket buttons anywhere (cards, product page). The SDK tracks the
  // same click through data-likewise-cart on its own.
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const button = target?.closest('[data-shop-add]');
    if (!button) return;
    const id = button.getAttribute('data-shop-add');
    loadCatalog()
      .then(({ byId }) => {
        const item = byId.get(id);
        if (!item) return;
        addToCart(item);
        flashAdded(button);
      })
      .catch(showCatalogError);
  });

  function showCatalogError(error) {
    console.warn('Folio & Fern: could not load the catalogue', error);
    const main = $('#main');
    if (main && !$('.notice-error[data-shop="catalog-error"]', main))
      main.prepend(
        h('p', {
          className: 'notice notice-error',
          'data-shop': 'catalog-error',
          text: 'Our shelves could not be loaded. Please try again in a moment.',
        }),
      );
  }

  // ---------- product cards ----------

  function skeletonCard() {
    return h(
      'li',
      { className: 'card skeleton', 'aria-hidden': 'true' },
      h('div', { className: 'cover' }),
      h('p', { className: 'card-title', text: '\u00a0' }),
      h('p', { className: 'card-author', text: '\u00a0' }),
      h('div', { className: 'card-foot' }),
    );
  }

  function productCard(item) {
    const href = safeUrl(item.url) || `/product.html?id=${encodeURIComponent(item.id)}`;
    const src = item.image ? safeUrl(item.image) : undefined;
    const inStock = item.inStock !== false;
    return h(
      'li',
      { className: 'card', 'data-likewise-item': item.id },
      h(
        'a',
        { className: 'card-link', href },
        h('img', {
          className: 'cover',
          src,
          alt: '',
          width: 200,
          height: 300,
          loading: 'lazy',
          decoding: 'async',
        }),
        h('h3', { className: 'card-title', text: item.title }),
      ),
      h('p', { className: 'card-author', text: item.brand || item.category || '' }),
      h(
        'div',
        { className: 'card-foot' },
        h('span', { className: 'card-price', text: money(item.price, item.currency) }),
        h('button', {
          className: 'card-add',
          type: 'button',
          'data-shop-add': item.id,
          'data-likewise-cart': inStock ? item.id : undefined,
          disabled: !inStock,
          'aria-label': inStock ? `Add ${item.title} to basket` : `${item.title} is out of stock`,
          text: t(inStock ? 'Add' : 'Sold out'),
        }),
      ),
    );
  }

  /** Reserves the grid's final size at once (skeletons), then fills it. */
  function fillGrid(grid, itemsPromise) {
    const count = Number(grid.dataset.count) || 8;
    grid.replaceChildren(...Array.from({ length: count }, skeletonCard));
    return itemsPromise.then((items) => {
      grid.replaceChildren(...items.map(productCard));
      return items;
    });
  }

  /**
   * The SDK's order for a "recommended" grid, before the grid is filled: the
   * SDK re-ranks marked grids anyway, but cards that move once shown are a
   * layout shift. Waits a little for the async script tag (when the page has
   * one), then keeps the shop's order.
   */
  function personalOrder(items) {
    if (!$('script[src*="likewise"]')) return Promise.resolve(items);
    const deadline = Date.now() + 1500;
    return new Promise((resolve) => {
      const poll = () => (sdk() || Date.now() > deadline ? resolve(sdk()) : setTimeout(poll, 30));
      poll();
    })
      .then((lw) =>
        lw && typeof lw.rerank === 'function'
          ? Promise.race([
              Promise.resolve(lw.ready).then(() => lw.rerank(items.map((x) => x.id))),
              new Promise((resolve) => setTimeout(resolve, 1500)),
            ])
          : undefined,
      )
      .then(
        (ids) => {
          if (!Array.isArray(ids)) return items;
          const rank = new Map(ids.map((id, i) => [id, i]));
          const at = (x) => rank.get(x.id) ?? ids.length;
          return items.slice().sort((a, b) => at(a) - at(b));
        },
        () => items,
      );
  }

  // ---------- pages ----------

  function homePage() {
    for (const grid of $$('[data-shop-grid="new"]')) {
      const count = Number(grid.dataset.count) || 8;
      // "New in store": the newest arrivals (last in the catalogue), one per author.
      fillGrid(
        grid,
        loadCatalog().then(({ items }) => {
          const authors = new Set();
          const picked = [];
          for (let i = items.length - 1; i >= 0 && picked.length < count; i--) {
            const x = items[i];
            if (x.inStock === false || authors.has(x.brand)) continue;
            authors.add(x.brand);
            picked.push(x);
          }
          return picked;
        }),
      ).catch(showCatalogError);
    }
  }

  /** An invisible card that keeps a short listing as tall as its skeleton was. */
  function spacerCard() {
    return h('li', { className: 'card card-spacer', 'aria-hidden': 'true' });
  }

  function categoryPage() {
    const category = params.get('c');
    const query = (params.get('q') || '').trim().toLowerCase();
    const heading = category || (query ? `Results for “${params.get('q')}”` : 'All books');
    setText('heading', heading);
    setText('crumb', heading);
    document.title = `${heading} · Folio & Fern Booksellers`;
    const grid = $('[data-shop-grid="category"]');
    const sort = slot('sort');
    const more = slot('more');
    if (!grid) return;
    // One page of cards at a time, exactly as many as the skeleton reserved:
    // a listing that grew from 12 skeletons to 55 cards pushed everything
    // below it (the "You might also like" shelf) down (CLS). More cards come
    // only when the shopper asks, and a shift right after input does not count.
    const pageSize = Number(grid.dataset.count) || 12;
    let visible = pageSize;
    let shown = [];
    const render = () => {
      const list = shown.slice();
      const by = sort ? sort.value : 'recommended';
      if (by === 'price-asc') list.sort((a, b) => (a.price ?? 0) - (b.price ?? 0));
      else if (by === 'price-desc') list.sort((a, b) => (b.price ?? 0) - (a.price ?? 0));
      else if (by === 'title') list.sort((a, b) => a.title.localeCompare(b.title));
      // The likewise re-ranker only personalises the shop's default order.
      if (by === 'recommended') grid.setAttribute('data-likewise-rerank', '');
      else grid.removeAttribute('data-likewise-rerank');
      const cards = list.slice(0, visible).map(productCard);
      while (cards.length < pageSize) cards.push(spacerCard());
      grid.replaceChildren(...cards);
      if (more) {
        more.hidden = list.length <= visible;
        more.textContent = `Show more books (${list.length - Math.min(visible, list.length)} left)`;
      }
    };
    fillGrid(
      grid,
      loadCatalog()
        .then(({ items }) =>
          items.filter((x) => {
            if (category && x.category !== category) return false;
            if (!query) return true;
            return [x.title, x.brand, x.category].some(
              (f) => typeof f === 'string' && f.toLowerCase().includes(query),
            );
          }),
        )
        // The default sort is "recommended": the grid is marked for re-ranking.
        .then((items) => (!sort || sort.value === 'recommended' ? personalOrder(items) : items)),
    )
      .then((items) => {
        shown = items;
        render();
        setText('count', `${items.length} ${items.length === 1 ? 'book' : 'books'}`);
        if (sort) sort.addEventListener('change', render);
        if (more)
          more.addEventListener('click', () => {
            visible += pageSize;
            render();
          });
      })
      .catch(showCatalogError);
  }

  function productPage() {
    const article = slot('product');
    if (!article) return;
    // csp.html pins its product (static JSON-LD); product.html takes ?id=.
    const id = article.dataset.productId || params.get('id') || '';
    const hasJsonLd = $$('script[type="application/ld+json"]').some((s) =>
      /"Product"/.test(s.textContent || ''),
    );
    // Synchronously, before the SDK's async script runs: what it reads to
    // recognise the product page and anchor the widgets.
    if (id) {
      if (!hasJsonLd) article.setAttribute('data-likewise-view', id);
      for (const widget of $$('[data-likewise="similar"], [data-likewise="bought-together"]'))
        if (!widget.hasAttribute('data-item-id')) widget.setAttribute('data-item-id', id);
    }
    loadCatalog()
      .then(({ items, byId }) => {
        if (!id && items.length) {
          location.replace(safeUrl(items[0].url) || `/product.html?id=${items[0].id}`);
          return;
        }
        const item = byId.get(id);
        slot('crumbs')?.classList.remove('is-pending');
        if (!item) {
          setText('title', 'We could not find that book');
          setText('description', 'It may have sold out for good. Try the shelves below.');
          return;
        }
        fillProduct(item);
      })
      .catch(showCatalogError);
  }

  function fillProduct(item) {
    document.title = `${item.title} · Folio & Fern Booksellers`;
    const cover = slot('cover');
    const src = item.image ? safeUrl(item.image) : undefined;
    if (cover && src) {
      cover.setAttribute('src', src);
      cover.setAttribute('alt', `Cover of ${item.title}`);
    }
    setText('genre', item.category || 'Books');
    setText('title', item.title);
    setText('crumb-title', item.title);
    const crumb = slot('crumb-genre');
    if (crumb && item.category) {
      crumb.textContent = item.category;
      crumb.setAttribute('href', `/category.html?c=${encodeURIComponent(item.category)}`);
    }
    const author = slot('author');
    if (author) {
      author.textContent = item.brand || 'Various authors';
      author.setAttribute('href', `/category.html?q=${encodeURIComponent(item.brand || '')}`);
    }
    const n = hash(item.id);
    setText('reviews', `${20 + (n % 380)} reader reviews`);
    setText('price', money(item.price, item.currency));
    setText('pages', String(180 + (n % 420)));
    const inStock = item.inStock !== false;
    const stock = slot('stock');
    if (stock) {
      stock.textContent = inStock ? 'In stock · ready to ship' : 'Out of stock · back soon';
      stock.classList.toggle('out', !inStock);
    }
    const add = slot('add');
    if (add) {
      add.setAttribute('data-shop-add', item.id);
      if (inStock) add.setAttribute('data-likewise-cart', item.id);
      add.disabled = !inStock;
      add.textContent = inStock ? 'Add to basket' : 'Sold out';
    }
    const genre = (item.category || 'book').toLowerCase();
    setText(
      'description',
      `${item.title} is the ${genre} title our booksellers keep pressing into readers' hands. ` +
        `${item.brand ? `${item.brand} writes` : 'It is written'} with warmth and wit; ` +
        'a book to start on the train and finish at home with the lights still on.',
    );
  }

  function cartPage() {
    const list = slot('cart-lines');
    if (!list) return;
    const render = () => {
      const lines = readCart();
      list.replaceChildren(...lines.map(cartLine));
      const empty = slot('cart-empty');
      if (empty) empty.hidden = lines.length > 0 || !slot('thanks')?.hidden;
      const currency = lines[0]?.currency || 'EUR';
      const subtotal = lines.reduce((s, l) => s + (Number(l.price) || 0) * l.qty, 0);
      const delivery = subtotal === 0 || subtotal >= 30 ? 0 : 3.95;
      setText('subtotal', money(subtotal, currency));
      setText('delivery', delivery ? money(delivery, currency) : 'Free');
      setText('total', money(subtotal + delivery, currency));
      const checkout = slot('checkout');
      if (checkout) checkout.disabled = lines.length === 0;
    };
    const setQty = (id, delta) => {
      const lines = readCart();
      const line = lines.find((l) => l.id === id);
      if (!line) return;
      line.qty += delta;
      writeCart(lines.filter((l) => l.qty > 0));
      render();
    };
    function cartLine(line) {
      const href = safeUrl(line.url) || `/product.html?id=${encodeURIComponent(line.id)}`;
      return h(
        'li',
        { className: 'cart-line', 'data-likewise-item': line.id },
        h('img', {
          src: line.image ? safeUrl(line.image) : undefined,
          alt: '',
          width: 72,
          height: 108,
        }),
        h(
          'div',
          {},
          h('h2', {}, h('a', { href, text: line.title || line.id })),
          h('p', { className: 'muted small', text: line.brand || '' }),
          // data-likewise-remove(+quantity): the SDK records the removal by itself.
          h('button', {
            className: 'link-button',
            type: 'button',
            'data-cart-remove': line.id,
            'data-likewise-remove': line.id,
            'data-likewise-quantity': line.qty,
            text: 'Remove',
          }),
        ),
        h(
          'div',
          { className: 'qty' },
          h('button', {
            type: 'button',
            'data-cart-step': '-1',
            'data-id': line.id,
            'data-likewise-remove': line.id,
            'aria-label': 'One fewer',
            text: '−',
          }),
          h('output', { text: String(line.qty) }),
          h('button', {
            type: 'button',
            'data-cart-step': '1',
            'data-id': line.id,
            'aria-label': 'One more',
            text: '+',
          }),
        ),
        h('p', {
          className: 'line-total',
          text: money((Number(line.price) || 0) * line.qty, line.currency),
        }),
      );
    }
    list.addEventListener('click', (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const step = target?.closest('[data-cart-step]');
      if (step) setQty(step.getAttribute('data-id'), Number(step.getAttribute('data-cart-step')));
      const remove = target?.closest('[data-cart-remove]');
      if (remove) {
        const id = remove.getAttribute('data-cart-remove');
        const line = readCart().find((l) => l.id === id);
        if (line) setQty(id, -line.qty);
      }
    });
    const checkout = slot('checkout');
    if (checkout)
      checkout.addEventListener('click', () => {
        const lines = readCart();
        if (!lines.length) return;
        // The order confirmation carries data-likewise-purchase: the SDK records the purchase.
        const order = `FF-${Date.now().toString(36).toUpperCase()}`;
        const confirmation = slot('order');
        if (confirmation) {
          confirmation.setAttribute('data-likewise-currency', lines[0].currency || 'EUR');
          confirmation.replaceChildren(
            ...lines.map((l) =>
              h('li', {
                'data-likewise-item': l.id,
                'data-likewise-price': typeof l.price === 'number' ? l.price : undefined,
                'data-likewise-quantity': l.qty,
                text: `${l.qty} × ${l.title || l.id}`,
              }),
            ),
          );
          confirmation.setAttribute('data-likewise-purchase', order);
        }
        writeCart([]);
        const thanks = slot('thanks');
        if (thanks) thanks.hidden = false;
        render();
      });
    render();
  }

  function elementPage() {
    // element.html?id=... anchors the "similar" shelf on another book.
    const id = params.get('id');
    if (id) for (const el of $$('likewise-recs[type="similar"]')) el.setAttribute('item-id', id);
  }

  // For the shop's other scripts (npm-page.js): one copy of these helpers.
  window.FolioShop = Object.freeze({ safeUrl, money });
  buildSharedParts();
  updateCartCount();
  consentBanner();
  const search = $('.search input');
  if (search && params.get('q')) search.value = params.get('q');
  if (page === 'home') homePage();
  else if (page === 'category') categoryPage();
  else if (page === 'product') productPage();
  else if (page === 'cart') cartPage();
  else if (page === 'element') elementPage();
})();
