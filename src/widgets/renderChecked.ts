import { LikewiseError } from '../errors';
import { safeUrl } from '../shared/safeUrl';
import type { Recommendation } from '../types';
import { formatPrice } from './formatPrice';
import { observeImpressions } from './observeImpressions';
import type { RenderDeps, RenderOptions, RenderPart } from './render';
import { adoptSheet } from './styles';
import { widgetTexts } from './widgetTexts';

const mounted = new WeakMap<Element, () => void>();

/**
 * {@link render} for options `checkRender` has passed already (the instance
 * checks in the core, before the widget part loads) and deps the instance
 * made: the widget part does not carry the checks a second time. The texts
 * of the page's language are here already (see `loadingTexts`), or it gets
 * English.
 */
export function renderChecked(
  container: HTMLElement,
  options: RenderOptions,
  deps: RenderDeps,
): () => void {
  const { type, itemId, template, showReason, classNames: cn = {}, limit = 8 } = options;
  const doc = container.ownerDocument;
  const locale = deps.locale || doc.documentElement.lang || navigator.language;
  const tr = widgetTexts(locale, doc, options.translations, options.onError);

  mounted.get(container)?.();
  const classes = container.classList;
  // li -> [safe recommendation, position]; cleared on cleanup, which silences late clicks and impressions.
  const recs = new Map<Element, [Recommendation, number]>();
  const listId = Math.random().toString(36).slice(2, 10);
  let alive = true;
  let lazy: IntersectionObserver | undefined;
  let stopImpressions: (() => void) | undefined;

  // biome-ignore lint/suspicious/noExplicitAny: a user callback with any arguments
  const call = (fn: ((...args: any[]) => void) | undefined, ...args: unknown[]) => {
    try {
      fn?.(...args);
    } catch (e) {
      // An onError that throws has nowhere left to report to.
      if (fn !== options.onError) call(options.onError, e);
    }
  };
  /** Creates `<tag class="likewise__part" part="part" ...attrs>text</tag>` in `parent`. */
  const h = (
    tag: string,
    part: RenderPart,
    parent: Node,
    text?: string,
    attrs: Record<string, string> = {},
  ): HTMLElement => {
    const el = doc.createElement(tag);
    el.className =
      (part === 'root' ? 'likewise' : 'likewise__' + part) + (cn[part] ? ' ' + cn[part] : '');
    attrs.part = part;
    for (const name in attrs) el.setAttribute(name, attrs[name]);
    if (text !== undefined) el.textContent = text;
    parent.appendChild(el);
    return el;
  };
  const host = doc.createElement('div');
  host.className = 'likewise-host';
  const root = (options.shadow ?? !template) ? host.attachShadow({ mode: 'open' }) : host;
  if (root !== host) adoptSheet(root as ShadowRoot);
  const frame = (attrs?: Record<string, string>) => {
    const section = h('section', 'root', doc.createDocumentFragment(), undefined, attrs);
    h('h2', 'title', section, options.title ?? tr[type]);
    root.replaceChildren(section);
    return section;
  };
  const card = (
    li: Node,
    name?: string,
    url?: string,
    image?: string,
    price?: string,
    reason?: string,
  ) => {
    const a = h('a', 'link', li, undefined, url ? { href: url } : {});
    h(
      image ? 'img' : 'span',
      'image',
      a,
      undefined,
      // `loading` before `src`: an image whose src is set first has already started loading.
      image ? { loading: 'lazy', alt: name!, width: '240', height: '240', src: image } : {},
    );
    h('span', 'name', a, name);
    h('span', 'price', a, price);
    if (showReason) h('p', 'reason', li, reason);
  };
  const empty = () => {
    classes.remove('likewise--loading');
    if (options.collapseEmpty === false) h('p', 'empty', frame(), tr.empty);
    else {
      root.replaceChildren();
      host.hidden = true;
      classes.add('likewise--empty');
    }
  };
  const base = doc.baseURI;
  // Ids shown or dismissed in this widget: a refill never brings one back.
  const used = new Set<string>();
  /** Appends `rec` as a card to `ul` unless it is unusable or already used; the new item, if any. */
  const add = (ul: Element, rec: Recommendation): HTMLElement | undefined => {
    const item = rec?.item;
    const url = typeof item?.title === 'string' && safeUrl(item.url, base);
    if (!url || typeof rec.id !== 'string' || used.has(rec.id)) return;
    used.add(rec.id);
    const image = safeUrl(item.image, base);
    const safe = { ...rec, item: { ...item, url, image } };
    const li = h('li', 'item', ul, undefined, { role: 'listitem', 'data-likewise-item': rec.id });
    const price = formatPrice(item.price, item.currency, locale);
    const anchor = rec.reason?.itemId;
    const anchorTitle = showReason && anchor && deps.catalogTitle?.(anchor);
    // Say what the shopper did with the item the reason names.
    const via = rec.reason?.via;
    const line =
      via === 'purchase' ? tr.reasonBought : via === 'add_to_cart' ? tr.reasonCart : tr.reason;
    const reason = anchorTitle ? line.replace('{title}', () => anchorTitle) : '';
    if (typeof template === 'function') li.append(template(safe, recs.size));
    else if (template) {
      const clone = doc.importNode(template.content, true);
      const fields: Record<string, unknown> = { title: item.title, price, reason, url, image };
      for (const el of clone.querySelectorAll('[data-field]')) {
        const field = el.getAttribute('data-field') as string;
        const value = fields[field];
        const attr = field === 'url' ? 'href' : field === 'image' && 'src';
        // Slots are filled as text or as a checked URL, never as markup.
        if (typeof value !== 'string' || !value) el.remove();
        else if (attr) el.setAttribute(attr, value);
        else el.textContent = value;
      }
      li.append(clone);
    } else card(li, item.title, url, image, price, reason);
    if (options.dismissible)
      h('button', 'dismiss', li, '×', {
        type: 'button',
        title: tr.dismiss,
        'aria-label': tr.dismiss + ': ' + item.title,
      });
    recs.set(li, [safe, recs.size]);
    return li;
  };
  const watch = (lis: Iterable<Element>) => {
    const stop = observeImpressions(
      lis,
      (li) => recs.has(li) && call(options.onImpression, ...recs.get(li)!, listId),
      deps,
    );
    const before = stopImpressions;
    stopImpressions = () => {
      before?.();
      stop();
    };
  };
  const paint = (list: Recommendation[]) => {
    const ul = h('ul', 'list', frame({ 'data-likewise-rec': listId }), undefined, { role: 'list' });
    // A non-iterable result throws here and ends as onError + empty state.
    for (const rec of list) {
      if (recs.size >= limit) break;
      add(ul, rec);
    }
    if (!recs.size) return empty();
    classes.remove('likewise--loading');
    watch(recs.keys());
  };
  /** The widget's request to its getter, for `n` items. */
  const ask = (n: number) =>
    deps.getRecommendations({
      type,
      itemId,
      limit: n,
      ...(options.rules && { rules: options.rules }),
      ...(showReason && { reasons: true }),
    });
  /** After a dismissal: asks again and appends the first recommendation not yet used. */
  const refill = (ul: Element) =>
    Promise.resolve()
      .then(() => ask(Math.min(50, used.size + 1)))
      .then((list) => {
        if (!alive || recs.size >= limit || !ul.isConnected) return;
        for (const rec of list) {
          const li = add(ul, rec);
          if (li) return watch([li]);
        }
      })
      .catch((e) => alive && call(options.onError, e));
  const onClick = (event: Event) => {
    const target = event.target as Element;
    const li = target.closest?.('[data-likewise-item]');
    const hit = li && recs.get(li);
    if (!hit) return;
    if (target.closest('.likewise__dismiss')) {
      if (event.type !== 'click') return;
      const next = li.nextElementSibling ?? li.previousElementSibling;
      const ul = li.parentElement as Element;
      li.remove();
      recs.delete(li);
      call(options.onDismiss, hit[0]);
      // Keep keyboard users in the list instead of dropping focus to <body>.
      if (recs.size) {
        next?.querySelector<HTMLElement>('a,button')?.focus();
        void refill(ul);
      } else empty();
    } else if (
      target.closest('a[href]') &&
      // Middle-click opens the link in a new tab without a click event.
      (event.type === 'click' || (event as MouseEvent).button === 1)
    )
      call(options.onClick, ...hit, listId);
  };
  const load = () => {
    lazy?.disconnect();
    lazy = undefined;
    Promise.resolve()
      .then((): unknown => alive && ask(limit))
      .then((list) => alive && paint(list as Recommendation[]))
      .catch((error) => {
        if (!alive) return;
        empty();
        call(
          options.onError,
          error instanceof LikewiseError
            ? error
            : new LikewiseError('RENDER', 'render: could not get recommendations', error),
        );
      });
  };

  // Skeleton: the same card markup, empty, so the real cards take the space it reserved.
  const ul = h('ul', 'list', frame({ 'aria-busy': 'true', 'aria-label': tr.loading }), undefined, {
    'aria-hidden': 'true',
  });
  for (let i = 0; i < limit; i++) card(h('li', 'item', ul));
  classes.add('likewise--loading');
  container.append(host);
  root.addEventListener('click', onClick);
  root.addEventListener('auxclick', onClick);
  const IO = deps.IntersectionObserver ?? globalThis.IntersectionObserver;
  if (options.lazy !== false && IO) {
    lazy = new IO((entries) => entries.some((e) => e.isIntersecting) && load(), {
      rootMargin: '200px',
    });
    lazy.observe(host);
    // In view (or within the margin, or above it) already: load now. The observer's first
    // report comes with a rendering update, 20-60 ms later on a page still
    // busy loading (bench/traceDemo.mjs). One microtask later, so the
    // widgets a page renders in one go share one layout. No box yet
    // (hidden, or laid out later): the observer decides.
    // (After a cleanup `load` asks nothing.)
    queueMicrotask(() => {
      const r = host.getBoundingClientRect();
      if (lazy && r.height && r.top < innerHeight + 200) load();
    });
  } else load();

  const cleanup = () => {
    if (!alive) return;
    alive = false;
    lazy?.disconnect();
    stopImpressions?.();
    recs.clear();
    host.remove();
    classes.remove('likewise--loading', 'likewise--empty');
    if (mounted.get(container) === cleanup) mounted.delete(container);
  };
  mounted.set(container, cleanup);
  return cleanup;
}
