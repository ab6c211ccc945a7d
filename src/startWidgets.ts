/**
 * What a page with widgets (or a `recommend()` call) loads on demand beside
 * the script-tag core (`likewise.widgets.mjs`; a chunk of the npm build):
 * the catalogue, the model reader, scoring and the renderer. On-device
 * learning and the catalogue's loading part come in the same file
 * (src/widgetParts.ts) and run only when needed. All of it runs on the main
 * thread, in short tasks.
 */
import type { LikewiseCore } from './createCore';
import type { LikewiseDeps } from './createLikewise';
import { type Catalog, createCatalog } from './model/createCatalog';
import { SPARE } from './model/createCatalogPart';
import { createModelReader, type ModelService } from './model/createModelReader';
import { createRecommender, type RecommendRequest } from './model/createRecommender';
import { hasCoViews } from './model/hasCoViews';
import { prefetchModel } from './model/prefetchModel';
import { pageItemId } from './track/pageItemId';
import type { LikewiseEvent, Recommendation } from './types';
import { formatPrice } from './widgets/formatPrice';
import type { RenderOptions, RenderRequest } from './widgets/render';
import { renderChecked } from './widgets/renderChecked';
import { type LoadTexts, loadingTexts } from './widgets/widgetTexts';

/** What {@link startWidgets} gives the instance. */
export interface WidgetPart {
  readonly catalog: Catalog;
  /** `lw.recommend()` after its checks, for the scenario served (holdout already applied). */
  recommend(request: RecommendRequest): Promise<Recommendation[]>;
  /** `lw.render()` after its checks. */
  render(element: HTMLElement, options: RenderOptions & { widget?: string }): () => void;
}

/**
 * Starts the widget part of one instance: the catalogue and the model start
 * loading at once (the core has usually fetched the manifest and the
 * catalogue already, see `prefetch` in `createLikewise`).
 *
 * @param core - the instance's shared state
 * @param deps - the instance's injected platform pieces (`fetch`, `IntersectionObserver`)
 * @param urls - the model's URL, absolute, and the manifest's response when the core prefetched it
 * @param loadTexts - how the build loads the widget texts of a language other than English
 * @returns the part, once the texts of the page's language are here when they load
 */
export function startWidgets(
  core: LikewiseCore,
  deps: LikewiseDeps,
  urls: { model?: string; manifest?: Promise<Response> },
  loadTexts?: LoadTexts,
): WidgetPart | Promise<WidgetPart> {
  const { options, report } = core;
  // The page's language, when not English and built in, loads beside the
  // model and the catalogue; widgets start once it is here (see the end).
  const texts = loadingTexts(
    options.locale || core.document?.documentElement.lang || globalThis.navigator?.language,
    loadTexts,
  );
  /** Learning loads only when the visitor's sessions pair two items: else it learns nothing. */
  const learn = (events: LikewiseEvent[]) => (hasCoViews(events) ? core.load('learn') : undefined);
  /** The items of the page's widget containers (`data-item-id`) of one type, or of any. */
  const onPage = (type = '') =>
    [...(core.document?.querySelectorAll(`[data-likewise${type}][data-item-id]`) ?? [])].map(
      (el) => el.getAttribute('data-item-id') as string,
    );
  // forget() calls so far: what the erased history started ends with it
  // (the hint below, and impressions: see `record`).
  let forgets = 0;
  core.onForget.push(() => forgets++);
  // For-you's anchors as the last widget page read them, under
  // `likewise-<site>.recent` (deleteSiteData erases it): read and kept with
  // consent only, and never after a forget() in this page. A hint for
  // prefetching, read loosely: anything else there costs a few requests at most.
  const key = `likewise-${core.site}.recent`;
  const hint = (f: (s: Storage) => unknown) => {
    try {
      if (core.consent() === 'granted' && !forgets) return f(localStorage);
    } catch {}
  };
  if (urls.model && urls.manifest)
    prefetchModel(urls.model, urls.manifest, {
      prefetch: core.prefetch,
      events: core.events,
      onPage: onPage(),
      recent: (hint((s) => [...JSON.parse(s.getItem(key) || '[]')].slice(0, 12)) || []) as string[],
      // Written only when it changed: a synchronous write on every page start otherwise.
      remember: (ids) => {
        const v = JSON.stringify(ids);
        hint((s) => s.getItem(key) !== v && s.setItem(key, v));
      },
      learn: (events) => learn(events)?.catch(() => {}),
    });
  const reader = createModelReader(urls.model, { fetch: core.fetch });
  // No catalogue given: the model's own shards (`likewise train --catalog`), if it has them.
  const catalog = createCatalog(options.catalog, report, {
    fetch: core.fetch,
    base: core.document?.baseURI,
    model: urls.model,
    // The model's manifest, read once for the model and its catalogue.
    manifest: reader.manifest,
  });
  // Items the page's JSON-LD named before this part loaded, and those after.
  for (const item of core.found.splice(0)) catalog.add(item);
  core.onItem[0] = catalog.add;

  const model: ModelService = {
    ...reader,
    train: async (events) => (await learn(events))?.trainLocally(events) ?? {},
  };
  const recommendFor = createRecommender({ events: () => core.history(), report }, catalog, model, {
    excludePurchased: !options.includePurchased,
  });
  recommendFor.warm();
  // A product page's similar widget ranks its item's list, which needs none
  // of the visitor's events: the entries of the list's first items (those a
  // widget shows by default, and the spare the catalogue asks for beside
  // them) load and are checked while the events are still being read (a new
  // visitor's storage is being created meanwhile).
  reader
    .lists(onPage('=similar'))
    .then((l) =>
      catalog.entries(Object.values(l.similar).flatMap((list) => list.ids.slice(0, 8 + SPARE))),
    )
    .catch(() => {});
  // The first price a widget shows loads the browser's number formats (ICU
  // data), a long step: taken in an idle moment while the page waits for
  // the visitor's storage and the model, not before their requests start.
  (globalThis.requestIdleCallback ?? setTimeout)(() => formatPrice(0, undefined, options.locale));

  // Page-level dedupe: ids that widgets show now, and which widget shows them.
  const pageSeen = new Set<string>();
  const releases = new WeakMap<HTMLElement, () => void>();
  let turn: Promise<unknown> = Promise.resolve();

  const render = (element: HTMLElement, o: RenderOptions & { widget?: string }): (() => void) => {
    const widget = o?.widget ?? o?.type;
    const dedupe = options.dedupe !== false;
    let shown: string[] = [];
    let alive = true;
    const release = () => {
      for (const id of shown) pageSeen.delete(id);
      shown = [];
    };
    const get = async (request: RenderRequest) => {
      const type = await core.serve(request.type);
      if (!type) return [];
      // `inStock: true` (markup) reads the catalogue.
      const req = (
        request.rules?.inStock === true
          ? {
              ...request,
              rules: {
                ...request.rules,
                inStock: (id: string) => catalog.get(id)?.inStock !== false,
              },
            }
          : request
      ) as RecommendRequest;
      // The page's own item (JSON-LD or data-likewise-view) is in no widget of its page.
      const page = core.document && pageItemId(core.document);
      if (!dedupe) return recommendFor({ ...req, type }, page ? [page] : []);
      release();
      const recs = await recommendFor({ ...req, type }, page ? [...pageSeen, page] : pageSeen);
      if (alive) {
        shown = recs.map((r) => r.id);
        for (const id of shown) pageSeen.add(id);
      }
      return recs;
    };
    // The instance's widget defaults, then this widget's options (callbacks included).
    const own: RenderOptions = { onError: report, ...options.widgets, ...o };
    // `era`: the forget() count when the widget was rendered. A widget
    // painted before forget() records no impression after it: its items were
    // seen before the erasure, and would start the new history with the old
    // one's recommendations. Widgets rendered afterwards record anew.
    const record =
      (type: 'click' | 'impression' | 'dismiss', then?: RenderOptions['onClick'], era = forgets) =>
      (rec: Recommendation, pos?: number, listId?: string) => {
        if (era < forgets && type === 'impression') return;
        try {
          // A dismissal has no position or list: those fields drop out as absent.
          void core.track({ scenario: o.type, widget, type, itemId: rec.id, rec: listId, pos });
        } catch (e) {
          report(e);
        }
        then?.(rec, pos as number, listId as string);
      };
    const stop = renderChecked(
      element,
      {
        ...own,
        onClick: record('click', own.onClick),
        onImpression: record('impression', own.onImpression),
        onDismiss: record('dismiss', own.onDismiss),
      },
      {
        getRecommendations: (req) => {
          if (!dedupe) return get(req);
          // One widget at a time, so each sees what the ones before it show
          // (widgets that come into view together would otherwise all miss each other).
          const mine = turn.then(() => get(req));
          turn = mine.catch(() => undefined);
          return mine;
        },
        catalogTitle: (id) => catalog.get(id)?.title,
        locale: options.locale,
        IntersectionObserver: deps.IntersectionObserver,
      },
    );
    // Rendering into the same element again replaces the widget: free its ids.
    releases.get(element)?.();
    const cleanup = () => {
      alive = false;
      release();
      if (releases.get(element) === cleanup) releases.delete(element);
      stop();
    };
    releases.set(element, cleanup);
    return cleanup;
  };

  const part: WidgetPart = {
    catalog,
    recommend: (request) =>
      core.serve(request.type).then((type) => (type ? recommendFor({ ...request, type }) : [])),
    render,
  };
  // Texts that cannot load leave the widgets in English.
  return texts?.catch(report).then(() => part) ?? part;
}
