import { LikewiseError } from '../errors';
import { safeUrl } from '../shared/safeUrl';
import type { Recommendation, Scenario } from '../types';
import { checkRender } from './checkRender';
import { formatPrice } from './formatPrice';
import { observeImpressions } from './observeImpressions';
import { adoptSheet } from './styles';
import { type RenderTranslations, widgetTexts } from './widgetTexts';

export type { RenderTranslations } from './widgetTexts';

/** Names of the widget's elements: keys of `classNames` and `::part()` names. */
export type RenderPart =
  | 'root'
  | 'title'
  | 'list'
  | 'item'
  | 'link'
  | 'image'
  | 'name'
  | 'price'
  | 'reason'
  | 'dismiss'
  | 'empty';

/** Options of {@link render}. Callbacks never throw into the page: their errors go to `onError`. */
export interface RenderOptions {
  /** Which recommendations: `similar`, `for-you`, `bought-together`, `recently-viewed`, `trending`. */
  type: Scenario;
  /** The anchor item (`similar`, `bought-together`). */
  itemId?: string;
  /** How many items, an integer from 1 to 50. Default 8. */
  limit?: number;
  /** Heading. Default per scenario (`Similar items`, ...), or `translations[type]`. */
  title?: string;
  /**
   * Item template: a function returning a Node (it gets the recommendation with
   * `item.url` and `item.image` already checked; put text in with
   * `textContent`), or a `<template>` whose clone has its
   * `data-field="title|price|image|url|reason"` elements filled as text
   * (`url` sets `href`, `image` sets `src`; a field without a value is removed).
   */
  template?: ((rec: Recommendation, index: number) => Node) | HTMLTemplateElement;
  /** Extra classes added next to the stable `likewise__*` classes. */
  classNames?: Partial<Record<RenderPart, string>>;
  /**
   * Texts; see {@link RenderTranslations}. Built in for German, English,
   * French, Italian, Spanish and Dutch (chosen from `deps.locale`, else
   * `<html lang>`); a `<script type="application/json" data-likewise-texts>`
   * block on the page overrides them, and these override both.
   */
  translations?: RenderTranslations;
  /** Business rules passed to the getter (category, price range, exclusions, per-category cap, in stock). */
  rules?: RenderRequest['rules'];
  /** Hide the widget when there is nothing to show (or the getter failed). Default true. */
  collapseEmpty?: boolean;
  /** Fetch only when the widget is within 200px of the viewport. Default true. */
  lazy?: boolean;
  /** Show why an item is there ("Because you viewed X", "... is in your basket", "Because you bought X") under items whose reason names an item. Default false. */
  showReason?: boolean;
  /** Show a "not interested" button per item, which removes it, calls `onDismiss` and refills the slot with the next recommendation. Default false. */
  dismissible?: boolean;
  /**
   * Render inside an open shadow root with the default styles. Default true
   * without `template`, false with one (so the page's CSS styles the template).
   */
  shadow?: boolean;
  /** The shopper dismissed an item. */
  onDismiss?: (rec: Recommendation) => void;
  /** A link was clicked (navigation proceeds). `position` is 0-based, `listId` is `data-likewise-rec`. */
  onClick?: (rec: Recommendation, position: number, listId: string) => void;
  /** An item was at least half visible for 1 s (once per item per list). */
  onImpression?: (rec: Recommendation, position: number, listId: string) => void;
  /** A background failure (the getter rejected, a callback threw). */
  onError?: (error: unknown) => void;
}

/** What {@link render} asks its getter for. */
export interface RenderRequest {
  type: Scenario;
  itemId?: string;
  limit: number;
  /** `options.rules`, when given. */
  rules?: {
    category?: string | readonly string[];
    minPrice?: number;
    maxPrice?: number;
    exclude?: Iterable<string>;
    maxPerCategory?: number;
    /** `true` (from markup): only items whose catalogue entry is not `inStock: false`. */
    inStock?: ((id: string) => boolean) | true;
  };
}

/** Where {@link render} gets its data and platform from (injected; fakes in tests). */
export interface RenderDeps {
  /** Resolves the recommendations to show. */
  getRecommendations: (request: RenderRequest) => Promise<Recommendation[]>;
  /** Title of an item, for the reason line. */
  catalogTitle?: (itemId: string) => string | undefined;
  /** Locale for prices. Default `<html lang>`, else `navigator.language`. */
  locale?: string;
  /** Default `globalThis.IntersectionObserver`; without one, rendering is immediate and no impressions are reported. */
  IntersectionObserver?: typeof IntersectionObserver;
}

const mounted = new WeakMap<Element, () => void>();

/**
 * Renders a recommendation widget into `container`: a heading and an
 * accessible list of linked cards (image, title, price), themed by CSS custom
 * properties (see `styles`). Space is reserved at once by a skeleton of
 * `limit` cards; the data is fetched when the container nears the viewport.
 * Rendering again into the same container replaces the previous widget.
 *
 * @param container - the element to render into (the widget is appended as `div.likewise-host`)
 * @param options - see {@link RenderOptions}
 * @param deps - the data getter and platform objects
 * @returns a cleanup that removes the widget, its listeners and observers (idempotent)
 * @throws LikewiseError `INVALID_OPTION` on a missing container, unknown type, `similar` without `itemId`, a title that is not a string, bad limit, template or rules (see `checkRender`)
 * @example
 * const stop = render(document.querySelector('#recs')!, { type: 'similar', itemId: 'sku-1' }, {
 *   getRecommendations: (req) => lw.recommend(req),
 * });
 */
export function render(
  container: HTMLElement,
  options: RenderOptions,
  deps: RenderDeps,
): () => void {
  checkRender(container, options);
  if (typeof deps?.getRecommendations !== 'function')
    throw new LikewiseError('INVALID_OPTION', 'render: deps.getRecommendations must be a function');
  return renderChecked(container, options, deps);
}

/**
 * {@link render} for options `checkRender` has passed already (the instance
 * checks in the core, before the widget part loads) and deps the instance
 * made: the widget part does not carry the checks a second time.
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
  /** After a dismissal: asks again and appends the first recommendation not yet used. */
  const refill = (ul: Element) =>
    Promise.resolve()
      .then(() =>
        deps.getRecommendations({
          type,
          itemId,
          limit: Math.min(50, used.size + 1),
          ...(options.rules && { rules: options.rules }),
        }),
      )
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
    Promise.resolve()
      .then(
        (): unknown =>
          alive &&
          deps.getRecommendations({
            type,
            itemId,
            limit,
            ...(options.rules && { rules: options.rules }),
          }),
      )
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
