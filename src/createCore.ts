import type { Likewise, LikewiseDeps, LikewiseOptions } from './createLikewise';
import type { LikewiseParts, PartLoader } from './createPartLoader';
import { createPrefetcher, type Prefetcher } from './createPrefetcher';
import type * as Extras from './extras';
import type { Metrics } from './metrics/startMetrics';
import { safeUrl } from './shared/safeUrl';
import type { WidgetPart } from './startWidgets';
import type { StateStore } from './store/types';
import type { ConsentState, Tracker } from './track/createTracker';
import type { CatalogItem, LikewiseEvent, Scenario, TrackInput } from './types';

/**
 * What the modules of one instance share. Modules that are not part of the
 * tracking core (catalogue, model, widgets, metrics) receive this instead of
 * reaching for globals, so they stay testable and per-site.
 */
export interface LikewiseContext {
  readonly site: string;
  readonly options: Readonly<LikewiseOptions>;
  readonly document: Document | undefined;
  readonly window: Window | undefined;
  readonly now: () => number;
  readonly randomId: () => string;
  /** Sends a background failure to `onError` (wrapped as a `STORAGE` LikewiseError when it is not one). */
  report(error: unknown): void;
  consent(): ConsentState;
  /** The site's state store (outbox, holdout group...), created on first call; `null` without consent. */
  state(): StateStore | null;
  track(input: TrackInput): Promise<void>;
  events(): Promise<LikewiseEvent[]>;
  subscribe(listener: (event: LikewiseEvent) => void): () => void;
  /** Run on every event before it is stored or announced (e.g. add `group`). */
  readonly enrich: ((event: LikewiseEvent) => void)[];
  /** Catalogue items found on the page (auto-tracking), for the catalogue to learn. */
  readonly onItem: ((item: CatalogItem) => void)[];
  /** Run by `forget()`: drop whatever you cache about the visitor. */
  readonly onForget: (() => void)[];
  /** Run by `destroy()`. */
  readonly cleanups: (() => void)[];
  /** Start-up work `ready` waits for (settled, never rejected). */
  readonly starting: Promise<unknown>[];
}

/**
 * What the on-demand parts get from an instance: its context plus the
 * pieces the lazily loaded methods (`report`, `profile`, `rerank`,
 * `identify`, the privacy panel, targeted content) and the widgets work on.
 */
export interface LikewiseCore extends LikewiseContext {
  /** The widget part (catalogue, scoring, renderer), loaded and started on first call. */
  widgets(): Promise<WidgetPart>;
  /** Loads an on-demand part. */
  load: PartLoader;
  /** Runs `f` on the extras part; a failure is reported and gives `fallback` (never rejects). */
  extras<T>(f: (x: typeof Extras) => T | Promise<T>, fallback?: T): Promise<T>;
  /** The scenario this visitor is served in place of `type` (holdout control), or null. */
  serve(type: Scenario): Promise<Scenario | null>;
  /** Catalogue items the page named before the widget part took them (it empties this). */
  readonly found: CatalogItem[];
  /** The instance itself (consent, storage, forget). */
  readonly lw: Likewise;
  /** The injected `fetch` (default the global one), answering early requests from their prefetch. */
  readonly fetch: typeof fetch;
  /** Starts a request now for a later `fetch` of the same URL to take. */
  readonly prefetch: Prefetcher['prefetch'];
  /** Measurement, once started (`undefined` without `experiment` and `endpoint`). */
  readonly metrics: Promise<Metrics | undefined>;
  /**
   * The visitor's events, oldest first: the tracker's, until `identify()`
   * with a `profileEndpoint` (the `extras` part) has it merge those of the
   * customer's other devices, for this page and until a `forget()`.
   */
  history: () => Promise<LikewiseEvent[]>;
  /**
   * Events announced before measurement took over (it loads on demand): it
   * stamps them (`group`, `visitor`), hands them to the outbox and has them
   * stored again through {@link LikewiseCore.rewrite}. `undefined` once taken.
   */
  held?: LikewiseEvent[];
  /** Writes events that are already stored again, under their keys (after consent only). */
  rewrite(events: LikewiseEvent[]): void;
}

/** What {@link createCore} joins: checked options, the platform and the tracker. */
export interface CoreParts {
  options: LikewiseOptions;
  deps: LikewiseDeps;
  document: Document | undefined;
  window: Window | undefined;
  now: () => number;
  randomId: () => string;
  report: (error: unknown) => void;
  /** The instance's part loader (each part once). */
  load: PartLoader;
  tracker: Tracker;
  /** Stores events again under their keys (measurement's stamped copies). */
  rewrite: (events: LikewiseEvent[]) => void;
  /** The instance, once made. */
  instance: () => Likewise;
}

/**
 * Makes the shared state of one instance: the part loader, early requests,
 * the widget part on first use and measurement at start (with `endpoint` or
 * `experiment`). Loads nothing by itself but measurement.
 */
export function createCore(p: CoreParts): LikewiseCore {
  const { options, deps, tracker, report, load } = p;
  const { fetch, prefetch } = createPrefetcher(deps.fetch);
  // Absolute, so the parts resolve them alike wherever they run; as given
  // where the page has no usable base (about:blank).
  const abs = (url: string | undefined) =>
    url ? (safeUrl(url, p.document?.baseURI) ?? url) : undefined;
  const model = abs(options.model);

  let widgetPart: Promise<WidgetPart> | undefined;
  // The manifest and the catalogue start now, in parallel with the part's code.
  const widgets = () => {
    if (!widgetPart) {
      const manifest = prefetch(model);
      prefetch(options.catalog);
      // The model's files the page preloads (its popularity list, shards):
      // now, beside the manifest, not once the manifest has named them.
      // Two requests in a row even when both are preloaded: 40-70 ms on the
      // demo home page while the page is still busy (bench/traceDemo.mjs).
      // The folder as `baseOf` (the widget part's) gives it for a manifest
      // URL without a `/` in its query, in fewer bytes on every page.
      if (model)
        for (const l of p.document?.querySelectorAll<HTMLLinkElement>('link[as=fetch]') ?? [])
          if (l.href.startsWith(model.replace(/[^/]*$/, ''))) prefetch(l.href);
      widgetPart = load('widgets')
        .then((w) => w.startWidgets(core, deps, { model, manifest }))
        .catch((e) => {
          widgetPart = undefined;
          throw e;
        });
    }
    return widgetPart;
  };

  const measured = !!(options.experiment || options.endpoint);
  // `.catch` after `.then`: a throwing startMetrics must not leave `metrics`
  // rejected, or every recommend() and widget would fail with it.
  const metrics: Promise<Metrics | undefined> = measured
    ? load('measure')
        .then((x) =>
          x
            .startMetrics(core, {
              endpoint: abs(options.endpoint),
              experiment: options.experiment,
            })
            .ready(),
        )
        .catch((e) => {
          report(e);
          return undefined;
        })
        .finally(() => {
          core.held = undefined;
        })
    : Promise.resolve(undefined);

  // The platform, options and `rewrite` as given (the rest of `p` rides along unused).
  const core: LikewiseCore = {
    ...p,
    site: options.site,
    consent: () => tracker.consent,
    state: tracker.state,
    track: tracker.track,
    events: tracker.events,
    subscribe: tracker.subscribe,
    enrich: tracker.enrich,
    found: [],
    onItem: [(item) => core.found.push(item)],
    onForget: tracker.onForget,
    cleanups: [],
    starting: measured ? [metrics] : [],
    widgets,
    extras: (f, fallback) =>
      load('extras')
        .then(f)
        .catch((e) => {
          report(e);
          return fallback as never;
        }),
    serve: (type) => metrics.then((m) => (m ? m.serve(type) : type)),
    get lw() {
      return p.instance();
    },
    fetch,
    prefetch,
    metrics,
    history: tracker.events,
    // Until measurement has loaded and read the visitor's id, events are held
    // for it to stamp, send and store again: the page's first view carries the
    // visitor's group like every later event.
    held: measured ? [] : undefined,
  };
  if (measured) {
    core.enrich.push((e) => core.held?.push(e));
    core.onForget.push(() => {
      core.held &&= [];
    });
  }
  return core;
}

export type { LikewiseParts };
