import type { LikewiseOptions } from './createLikewise';

/** `"false"`, `"off"` or `"0"` (any case): an attribute value that turns a feature off. */
export const isOff = (v?: string): boolean => /^(false|off|0)$/i.test(v as string);

/**
 * Reads the options of the script-tag build from its own `<script>` tag:
 * `data-site` (required to start), `data-consent`, `data-session-timeout`
 * (ms), `data-max-events`, `data-auto-track` (`"false"`, `"off"` or `"0"` turns
 * auto-tracking off; default on). Values are passed through as written (numbers
 * converted), so `createLikewise` refuses bad ones with its usual messages;
 * options whose attribute is missing are `undefined`.
 *
 * @param script - the tag (`document.currentScript`), or `null`
 * @returns the options, or `null` when there is no tag or no `data-site`
 * @example
 * // <script src="likewise.iife.js" data-site="my-shop" data-consent="pending"></script>
 * readScriptConfig(document.currentScript) // { site: 'my-shop', consent: 'pending', autoTrack: true }
 */
export function readScriptConfig(script: Element | null | undefined): LikewiseOptions | null {
  const d = (script as HTMLElement | null | undefined)?.dataset;
  const num = (v?: string) => (v == null ? v : Number(v));
  const src = (script as HTMLScriptElement | null)?.src;
  const beside = (file: string) => (src ? new URL(file, src).href : undefined);
  return d?.site == null
    ? null
    : {
        site: d.site,
        consent: d.consent as LikewiseOptions['consent'],
        sessionTimeout: num(d.sessionTimeout),
        maxEvents: num(d.maxEvents),
        autoTrack: !isOff(d.autoTrack),
        catalog: d.catalog,
        model: d.model,
        endpoint: d.endpoint,
        profileEndpoint: d.profileEndpoint,
        locale: d.locale,
        experiment: d.holdout == null ? undefined : { holdout: Number(d.holdout) },
        // Opt-in: `data-worker` names the Worker file (relative to the script);
        // without it, or "false", the main thread does the work in short tasks.
        worker: d.worker && !isOff(d.worker) ? beside(d.worker) : undefined,
      };
}
