import { LikewiseError } from './errors';
import type * as Extras from './extras';
import type * as Measure from './metrics/startMetrics';
import type * as Learn from './model/trainLocally';
import type * as Observe from './observePage';
import type * as Containers from './observeWidgets';
import type * as Widgets from './startWidgets';
import type * as Erase from './store/erase';
import type * as AutoTrack from './track/autoTrack';

/**
 * The parts of likewise that load on demand, by name: `widgets` (catalogue,
 * model reader, scoring, renderer), `containers` (widget markup:
 * `[data-likewise]` containers, `<likewise-recs>`), `learn` (on-device
 * learning), `measure` (measurement and the collector outbox) and `extras`
 * (report, profile, rerank, identify, the privacy panel, targeted content),
 * `autoTrack`, which the npm build loads only with the `autoTrack` option
 * (the script tag auto-tracks every page: it is in its core),
 * `observe` (`lw.observe()`'s watch for widget markup, privacy links and
 * targeted content, in the npm build; the script tag holds it in its core),
 * `erase` (deleting stored data: `forget()`, a withdrawal, quota recovery,
 * compacting a log over its bounds; no page loads it otherwise).
 * The script-tag build loads `likewise.<name>.mjs` beside itself; the npm
 * build imports chunks the shop's bundler splits off.
 */
export interface LikewiseParts {
  widgets: typeof Widgets;
  containers: typeof Containers;
  learn: typeof Learn;
  measure: typeof Measure;
  extras: typeof Extras;
  autoTrack: typeof AutoTrack;
  erase: typeof Erase;
  observe: typeof Observe;
}

/** Loads one on-demand part by name. */
export type PartLoader = <K extends keyof LikewiseParts>(name: K) => Promise<LikewiseParts[K]>;

/**
 * Loads each part once through `load` (the entry point's `import()`); a part
 * that failed to load is tried again on the next call. Without `load` (a
 * build that has no parts), every call rejects with `INVALID_OPTION`
 * (`This build cannot load likewise <name>.`).
 *
 * @example const load = createPartLoader((name) => import(`./likewise.${name}.mjs`))
 */
export function createPartLoader(load?: PartLoader): PartLoader {
  const parts: Partial<Record<keyof LikewiseParts, Promise<unknown>>> = {};
  return <K extends keyof LikewiseParts>(name: K) => {
    parts[name] ??= (
      load
        ? load(name)
        : Promise.reject(
            new LikewiseError('INVALID_OPTION', `This build cannot load likewise ${name}.`),
          )
    ).catch((e) => {
      parts[name] = undefined;
      throw e;
    });
    return parts[name] as Promise<LikewiseParts[K]>;
  };
}
