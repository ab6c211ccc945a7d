import type { LikewiseOptions } from '../createLikewise';

/**
 * Reads the options of the script-tag build from its own `<script>` tag:
 * `data-site` (required to start), `data-consent`, `data-session-timeout`
 * (ms), `data-max-events`, `data-auto-track` (`"false"` or `"off"` turns
 * auto-tracking off; default on). Values are passed through as written (numbers
 * converted), so `createLikewise` refuses bad ones with its usual messages.
 *
 * @param script - the tag (`document.currentScript`), or `null`
 * @returns the options, or `null` when there is no tag or no `data-site`
 * @example
 * // <script src="likewise.iife.js" data-site="my-shop" data-consent="pending"></script>
 * readScriptConfig(document.currentScript) // { site: 'my-shop', consent: 'pending', autoTrack: true }
 */
export function readScriptConfig(script: Element | null | undefined): LikewiseOptions | null {
  const site = script?.getAttribute('data-site');
  if (!script || site == null) return null;
  const d = (name: string) => script.getAttribute('data-' + name) ?? undefined;
  const n = (name: string) => {
    const v = d(name);
    return v === undefined ? undefined : Number(v);
  };
  const options: LikewiseOptions = {
    site,
    consent: d('consent') as LikewiseOptions['consent'],
    sessionTimeout: n('session-timeout'),
    maxEvents: n('max-events'),
    autoTrack: !/^(false|off|0)$/i.test(d('auto-track') ?? ''),
  };
  for (const k in options)
    if (options[k as keyof LikewiseOptions] === undefined)
      delete options[k as keyof LikewiseOptions];
  return options;
}
