import { LikewiseError } from '../errors';
import { noPreload } from '../shared/noPreload';
import type { Recommendation, Scenario } from '../types';
import { checkRender } from './checkRender';
import { loadTexts } from './loadTexts';
import { renderChecked } from './renderChecked';
import { type LoadTexts, loadingTexts, type RenderTranslations } from './widgetTexts';

export type { LoadTexts, RenderTranslations } from './widgetTexts';

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
  /** Fetch only when the widget is within 200px of the viewport (or above it): at once when it is so at render, else when it comes near. Default true. */
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
  /** `true` when the widget shows reasons (`showReason`): the titles of the items they name are needed too. */
  reasons?: true;
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
  /**
   * Loads the built-in texts of a language other than English; the widget
   * starts once they are here (in English if they cannot load). Default:
   * the package's own chunk of that language.
   */
  loadTexts?: LoadTexts;
}

/**
 * Renders a recommendation widget into `container`: a heading and an
 * accessible list of linked cards (image, title, price), themed by CSS custom
 * properties (see `styles`). Space is reserved at once by a skeleton of
 * `limit` cards; the data is fetched when the container nears the viewport.
 * Rendering again into the same container replaces the previous widget.
 * In a language other than English, the widget starts once that
 * language's texts have loaded (a small chunk, once per page).
 *
 * @param container - the element to render into (the widget is appended as `div.likewise-host`)
 * @param options - see {@link RenderOptions}
 * @param deps - the data getter and platform objects
 * @returns a cleanup that removes the widget, its listeners and observers (idempotent)
 * @throws LikewiseError `INVALID_OPTION` on a missing container, deps without `getRecommendations`, unknown type, `similar` without `itemId`, a title that is not a string, bad limit, template or rules (see `checkRender`)
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
  const locale = deps.locale || container.ownerDocument.documentElement.lang || navigator.language;
  const texts = loadingTexts(locale, deps.loadTexts ?? ((l) => loadTexts(l, noPreload)));
  if (!texts) return renderChecked(container, options, deps);
  let stop: (() => void) | undefined;
  let alive = true;
  texts
    .catch((e) => {
      try {
        options.onError?.(e);
      } catch {}
    })
    .then(() => {
      if (alive) stop = renderChecked(container, options, deps);
    });
  return () => {
    alive = false;
    stop?.();
  };
}
